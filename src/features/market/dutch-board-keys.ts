import { sql } from 'kysely';
import type { Db } from '../../db/database.js';

const BATCH = 500;
/** Batches per run: a run stays short; what is left is due at the next one. */
const MAX_BATCHES = 40;

/**
 * Scheduled: refreshes the board's price sort key of the open Dutch listings that are due.
 *
 * The board orders listings by a stored key (`listings.board_price`, schema/0026) so that a price
 * page is an index seek. A Dutch price falls every millisecond, each auction at its own rate, so no
 * index can hold the exact order of every instant: the key is the price at the last refresh, and
 * `board_price_due` (the migration's `dutch_key_due`) says when it has drifted enough to be redone —
 * once the price has fallen by 0.5 % of the key, but not within a minute. The board still shows the
 * exact price; the place lags by at most that band plus the scheduler's interval.
 *
 * Due keys go earliest first, in short transactions of BATCH rows. SKIP LOCKED leaves a listing
 * being bought (or refreshed by another runner) to the next run, so runners share the work and
 * never wait on a purchase. Public reads never refresh keys.
 */
export async function refreshDutchBoardKeys(db: Db, now: Date): Promise<number> {
  let refreshed = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const { rows } = await sql<{ id: string }>`
      update listings l
      set board_price = k.price,
          board_price_due = dutch_key_due(l.start_price, l.floor_price, l.starts_at, l.ends_at, k.price, ${now}::timestamptz)
      from (
        select id, dutch_price(start_price, floor_price, starts_at, ends_at, ${now}::timestamptz) as price
        from listings
        where status = 'open' and kind = 'dutch' and board_price_due <= ${now}::timestamptz
        order by board_price_due
        limit ${BATCH}
        for no key update skip locked
      ) k
      where l.id = k.id
      returning l.id`.execute(db);
    refreshed += rows.length;
    if (rows.length < BATCH) break;
  }
  return refreshed;
}
