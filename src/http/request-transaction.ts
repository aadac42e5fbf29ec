import { type ControlledTransaction, sql } from 'kysely';
import type { Db, Trx } from '../db/database.js';
import type { Database } from '../db/schema.js';

/**
 * The one transaction an idempotent request runs in (see idempotency.ts), as services see it.
 *
 * While a POST with an `Idempotency-Key` runs, `c.get('deps').db` is not the pool but a handle on
 * this transaction: every query a service makes — with or without `db.transaction()` — joins it, so
 * the claimed key, the business writes and the stored response commit together or not at all.
 * Services keep their code as it is:
 * - `db.transaction().execute(fn)` runs `fn` in a SAVEPOINT of the outer transaction: an error in
 *   `fn` undoes only `fn`'s writes (as a rolled-back transaction would) and is rethrown; services
 *   that run several transactions in sequence get the same outcome as before, committed at the end.
 * - Row locks taken in a service are held until the outer commit (a little longer than before).
 * - Never use another handle on the database while the request runs (a `db` captured from
 *   elsewhere): on PGlite the one connection is held by this transaction, so that would wait forever.
 * - Never run two of a request's queries in parallel (`Promise.all` over `db`): they share one
 *   connection and its savepoints.
 * - A side effect outside the database whose result the response needs (Stripe) must not run
 *   inside the transaction: call `await commitRequestWrites(deps)` first. It commits what the
 *   request wrote so far and marks the key resumable (a retry runs the handler again, so the
 *   service must find its own earlier writes, e.g. by its request key); from then on `deps.db` is
 *   the pool again. Without an open request transaction it does nothing.
 */
export interface RequestTransaction {
  /** Commits the request's writes now (see above); later calls do nothing. */
  commitNow(): Promise<void>;
}

/** Commits an open request transaction before a side effect outside the database; a no-op otherwise. */
export async function commitRequestWrites(deps: { requestTransaction?: RequestTransaction }): Promise<void> {
  await deps.requestTransaction?.commitNow();
}

/**
 * A `Db` that routes every query into `outer` while it is open, and to `pool` once it has ended.
 * `transaction()` becomes a savepoint (Kysely's Transaction refuses nested transactions).
 */
export function requestScopedDb(pool: Db, outer: ControlledTransaction<Database>): { db: Db; detach(): void } {
  let current: Db | Trx = outer;
  let savepoints = 0;

  const nestedTransaction = () => {
    const builder = {
      setIsolationLevel: () => builder,
      setAccessMode: () => builder,
      execute: async <T>(fn: (trx: Trx) => Promise<T>): Promise<T> => {
        if (current !== outer) return pool.transaction().execute(fn);
        const name = sql.id(`request_sp_${++savepoints}`);
        await sql`savepoint ${name}`.execute(outer);
        let result: T;
        try {
          result = await fn(db as unknown as Trx);
        } catch (err) {
          await sql`rollback to savepoint ${name}`.execute(outer);
          throw err;
        }
        await sql`release savepoint ${name}`.execute(outer);
        return result;
      },
    };
    return builder;
  };

  const db = new Proxy(pool, {
    get(_target, prop) {
      if (current === outer) {
        if (prop === 'transaction') return nestedTransaction;
        if (prop === 'connection') return () => ({ execute: <T>(fn: (d: Db) => Promise<T>) => fn(db) });
        if (prop === 'startTransaction' || prop === 'destroy') {
          return () => {
            throw new Error(`${String(prop)}() is not available inside an idempotent request`);
          };
        }
      }
      const value = Reflect.get(current, prop, current);
      // Kysely keeps its state in private fields: methods must run with the real object as `this`.
      return typeof value === 'function' ? value.bind(current) : value;
    },
  }) as Db;

  return {
    db,
    detach: () => {
      current = pool;
    },
  };
}
