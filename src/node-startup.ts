import type { DatabaseHandle } from './db/database.js';
import { migrate, pendingMigrations } from './db/migrate.js';
import { checkLogIdentity, LogIdentityMismatch } from './features/tlog/log-identity.js';
import type { NoteSigner } from './features/tlog/note.js';

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
