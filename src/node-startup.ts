import type { DatabaseHandle } from './db/database.js';
import { migrate, pendingMigrations } from './db/migrate.js';
import { lapseLeasesOfEarlierProcess } from './features/media/jobs.repo.js';
import { checkLogIdentity, LogIdentityMismatch } from './features/tlog/log-identity.js';
import type { NoteSigner } from './features/tlog/note.js';
import { releaseLeasesOfEarlierProcess } from './features/webhooks/delivery.repo.js';

/** A reason not to start, told in one line that says what to do; the entry prints it and exits 1. */
export class StartupRefusal extends Error {}

/**
 * Bring the schema up to date or refuse. The embedded database is this process's own, so it is
 * migrated here; a shared PostgreSQL is migrated deliberately (`npm run migrate`), or here when
 * MIGRATE=1 — never half-served by code that expects tables it does not have.
 */
export async function prepareSchema(handle: DatabaseHandle, opts: { migrate: boolean }): Promise<string[]> {
  const pending = await pendingMigrations(handle);
  if (!pending.length) return [];
  if (!opts.migrate) {
    throw new StartupRefusal(
      `the database at DATABASE_URL lacks ${pending.length} migration(s) (${pending[0]}…${pending.at(-1)}): ` +
        'run `npm run migrate` with the same DATABASE_URL, or start with MIGRATE=1',
    );
  }
  return migrate(handle);
}

/** The signing key must be the one this database's log was started with (log-identity.ts). */
export async function checkLogKey(handle: DatabaseHandle, signer: NoteSigner): Promise<{ claimed: boolean }> {
  try {
    return await checkLogIdentity(handle.db, signer);
  } catch (err) {
    if (err instanceof LogIdentityMismatch) throw new StartupRefusal(err.message);
    throw err;
  }
}

/**
 * After a kill, work leased by the dead process waits for its lease to run out (media jobs
 * MEDIA_JOB_LEASE, webhook endpoints an attempt's timeout + 30 s) — on a shared PostgreSQL nobody
 * can tell a dead process's lease from a live one's. The embedded database is this process's
 * alone, so every lease in it is a dead one's: free them now.
 */
export async function resumeWorkOfEarlierProcess(handle: DatabaseHandle, now: Date) {
  if (handle.flavour !== 'pglite') return { mediaJobs: 0, webhookEndpoints: 0 };
  return {
    mediaJobs: await lapseLeasesOfEarlierProcess(handle.db, now),
    webhookEndpoints: await releaseLeasesOfEarlierProcess(handle.db),
  };
}
