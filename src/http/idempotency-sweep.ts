import type { Db } from '../db/database.js';

/** How many expired records one scheduled run deletes at most (short statements, no long locks). */
const SWEEP_BATCH = 5_000;

/**
 * Scheduled (Node loop and Workers cron): deletes idempotency records past their `expires_at`
 * (IDEMPOTENCY_TTL after the claim), so stored responses do not live forever and the keys may be
 * used again. A record that expires between sweeps is already treated as gone by the middleware.
 */
export async function sweepExpiredIdempotencyKeys(db: Db, now: Date): Promise<number> {
  const result = await db
    .deleteFrom('idempotency_keys')
    .where(({ eb, selectFrom, refTuple }) =>
      eb(
        refTuple('principal', 'key'),
        'in',
        selectFrom('idempotency_keys')
          .select(['principal', 'key'])
          .where('expires_at', '<=', now)
          .limit(SWEEP_BATCH)
          // biome-ignore lint/suspicious/noExplicitAny: kysely types a tuple subquery loosely
          .$asTuple('principal', 'key') as any,
      ),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
