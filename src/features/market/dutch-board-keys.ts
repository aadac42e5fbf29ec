import { sql } from 'kysely';
import type { Db } from '../../db/database.js';

/**
 * How old a Dutch listing's board sort key may get before the scheduler refreshes it. The board
 * orders listings by a stored key (`listings.board_price`, schema/0026) so that a price page is an
 * index seek; a Dutch price falls every millisecond, each listing at its own rate, so no index can
 * hold the exact order of every instant. Its key is its price at the last refresh instead: Dutch
 * listings take their place in a price sort at most about this long late, while the board still
 * shows each one's exact price.
 */
export const DUTCH_KEY_MAX_AGE_MS = 60_000;

const BATCH = 500;
/** Batches per run: a run stays short; what is left is due at the next one. */
const MAX_BATCHES = 40;

/**
 * Scheduled: sets the board sort key of open Dutch listings whose key is older than
 * DUTCH_KEY_MAX_AGE_MS to their price at `now`, oldest keys first, in short transactions of BATCH
 * rows. SKIP LOCKED leaves a listing being bought (or refreshed by another runner) to the next run,
 * so runners share the work and never wait on a purchase. Public reads never refresh keys.
 */
export async function refreshDutchBoardKeys(db: Db, now: Date): Promise<number> {
  const dueBefore = new Date(now.getTime() - DUTCH_KEY_MAX_AGE_MS);
  let refreshed = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const { rows } = await sql<{ id: string }>`
      update listings l
      set board_price = dutch_price(l.start_price, l.floor_price, l.starts_at, l.ends_at, ${now}::timestamptz),
          board_price_at = ${now}::timestamptz
      where l.id in (
        select id from listings
        where status = 'open' and kind = 'dutch' and board_price_at <= ${dueBefore}::timestamptz
        order by board_price_at
        limit ${BATCH}
        for no key update skip locked
      )
      returning l.id`.execute(db);
    refreshed += rows.length;
    if (rows.length < BATCH) break;
  }
  return refreshed;
}
