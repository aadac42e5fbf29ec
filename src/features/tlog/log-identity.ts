import type { Db } from '../../db/database.js';
import { openCheckpoint } from './checkpoint.js';
import { latestCheckpoint } from './log.repo.js';
import type { NoteSigner } from './note.js';

/** The signing key does not belong to this database's log; nothing may be signed with it. */
export class LogIdentityMismatch extends Error {}

const hex8 = (id: number) => id.toString(16).padStart(8, '0');

/**
 * A log's origin line and signing key belong to the database whose events they sign
 * (schema/0015_log_identity.sql). The first start with a key claims the database for it; every
 * later one must bring the same key. A database that already has signed checkpoints from before
 * the claim is claimed only by a key its latest checkpoint verifies under. Returns whether this
 * call made the claim; throws LogIdentityMismatch otherwise.
 */
export async function checkLogIdentity(db: Db, signer: NoteSigner): Promise<{ claimed: boolean }> {
  let stored = await db.selectFrom('log_identity').select(['origin', 'verifier_key']).executeTakeFirst();
  let claimed = false;
  if (!stored) {
    const latest = await latestCheckpoint(db);
    if (latest) {
      try {
        await openCheckpoint(latest.note, signer.verifierKey, { origin: signer.name });
      } catch {
        throw new LogIdentityMismatch(
          `the transparency log in this database was signed by another key than ${signer.verifierKey} ` +
            `(its latest checkpoint does not verify under it): start with the TLOG_SIGNING_KEY that signed it`,
        );
      }
    }
    // Two processes starting at once: one insert wins, the other reads the winner below.
    const inserted = await db
      .insertInto('log_identity')
      .values({ origin: signer.name, key_id: hex8(signer.keyId), verifier_key: signer.verifierKey })
      .onConflict((oc) => oc.column('singleton').doNothing())
      .executeTakeFirst();
    claimed = Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
    stored = await db.selectFrom('log_identity').select(['origin', 'verifier_key']).executeTakeFirstOrThrow();
  }
  if (stored.verifier_key !== signer.verifierKey) {
    throw new LogIdentityMismatch(
      `this database's transparency log is ${stored.origin}, signed by ${stored.verifier_key}; ` +
        `the configured signing key is ${signer.verifierKey}: start with the TLOG_SIGNING_KEY this database was first ` +
        'started with (on the embedded default, DATA_DIR/tlog-signing.key), or use a new database for a new log',
    );
  }
  return { claimed };
}
