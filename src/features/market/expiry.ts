import type { Db } from '../../db/database.js';
import { endListing } from './listing-state.js';
import { listingsQuery } from './listings.repo.js';
import { endOffer } from './offers.service.js';

const BATCH = 100;

/**
 * Scheduled: marks fixed-price and Dutch listings past their end, and offers past their expiry,
 * as expired, each with its event. Readers already see them as expired (the status is derived
 * on read), so this only makes the rows and the log catch up. SKIP LOCKED lets runners share it;
 * auctions are closed by the auctions engine, not here.
 */
export async function expireMarketOrders(db: Db, now: Date): Promise<{ listings: number; offers: number }> {
  const listings = await db.transaction().execute(async (trx) => {
    const due = await trx
      .selectFrom('listings')
      .select('id')
      .where('status', '=', 'open')
      .where('kind', 'in', ['fixed', 'dutch'])
      .where('ends_at', '<=', now)
      .orderBy('ends_at')
      .limit(BATCH)
      .forNoKeyUpdate()
      .skipLocked()
      .execute();
    if (due.length === 0) return 0;
    const rows = await listingsQuery(trx)
      .where(
        'listings.id',
        'in',
        due.map((d) => d.id),
      )
      .execute();
    for (const l of rows) await endListing(trx, l, 'expired', 'ended', now);
    return rows.length;
  });
  const offers = await db.transaction().execute(async (trx) => {
    const due = await trx
      .selectFrom('offers')
      .selectAll()
      .where('status', '=', 'open')
      .where('expires_at', '<=', now)
      .orderBy('expires_at')
      .limit(BATCH)
      .forNoKeyUpdate()
      .skipLocked()
      .execute();
    for (const o of due) await endOffer(trx, o, 'expired', now);
    return due.length;
  });
  return { listings, offers };
}
