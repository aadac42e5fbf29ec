import type { Db, Trx } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import { recordEvent } from '../events/events.repo.js';

/**
 * Releases a reservation (expiry, failed payment, cancellation): the unit is free again and, if
 * it came from a listing that is still running, the listing takes buyers again.
 */
export async function releaseTrade(trx: Trx, tradeId: string, reason: string, now: Date): Promise<Row<'trades'> | null> {
  const trade = await trx.selectFrom('trades').selectAll().where('id', '=', tradeId).forUpdate().executeTakeFirst();
  if (trade?.status !== 'reserved') return null;
  if (trade.listing_id) {
    const listing = await trx
      .selectFrom('listings')
      .selectAll()
      .where('id', '=', trade.listing_id)
      .forNoKeyUpdate()
      .executeTakeFirstOrThrow();
    // An auction whose winner did not pay opens again past its end: its closing (auctions/
    // closing.service.ts) then offers the sale to the next valid bid, or expires it.
    const isAuction = listing.kind === 'english' || listing.kind === 'sealed';
    const stillRunning = isAuction || !listing.ends_at || listing.ends_at > now;
    await trx
      .updateTable('listings')
      .set({
        sold: listing.sold - 1,
        status: listing.status === 'sold' || listing.status === 'closed' ? (stillRunning ? 'open' : 'expired') : listing.status,
        updated_at: now,
      })
      .where('id', '=', listing.id)
      .execute();
  }
  const released = await trx
    .updateTable('trades')
    .set({ status: 'released', released_at: now, release_reason: reason })
    .where('id', '=', tradeId)
    .returningAll()
    .executeTakeFirstOrThrow();
  const asset = await trx
    .selectFrom('units')
    .innerJoin('editions', 'editions.id', 'units.edition_id')
    .select('editions.asset_id')
    .where('units.id', '=', trade.unit_id)
    .executeTakeFirstOrThrow();
  await recordEvent(trx, {
    type: 'trade.released',
    at: now,
    assetId: asset.asset_id,
    unitId: trade.unit_id,
    platformId: trade.platform_id,
    facts: { tradeId, unitId: trade.unit_id, reason },
  });
  return released;
}

/** Scheduled: lets every lapsed reservation go. SKIP LOCKED lets runners share the work. */
export async function releaseExpiredReservations(db: Db, now: Date): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const due = await trx
      .selectFrom('trades')
      .select('id')
      .where('status', '=', 'reserved')
      .where('reserved_until', '<=', now)
      .orderBy('reserved_until')
      .limit(100)
      .forUpdate()
      .skipLocked()
      .execute();
    for (const t of due) await releaseTrade(trx, t.id, 'reservation_expired', now);
    return due.length;
  });
}
