import type { Trx } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import { conflict, notFound } from '../../http/problem.js';
import { recordEvent } from '../events/events.repo.js';
import { effectiveStatus, endsBySchedule, findListing, type ListingRow, listingsQuery } from './listings.repo.js';

/*
 * Locking in the market.
 *
 * Order, for fixed-price and Dutch listings: unit → listing → edition → the units a primary sale
 * takes. Gifts, offer acceptance and settlement lock the unit first, so a purchase of a unit's
 * listing must too; otherwise a gift (unit, then its listing) and a purchase (listing, then its
 * unit) could deadlock. Auction listings are locked only by the auctions engine (listing → unit)
 * and by cancellation (listing alone); market code never locks one after a unit.
 *
 * Mode: FOR NO KEY UPDATE, never FOR UPDATE. Every insert that references a row through a foreign
 * key (an event naming a unit, a trade naming a listing) takes FOR KEY SHARE on it, which FOR
 * UPDATE blocks: a cancellation holding a listing and writing an event for its unit would wait
 * for a purchase holding the unit and waiting for that listing — a deadlock the random
 * concurrency test found on PostgreSQL. NO KEY UPDATE excludes every other writer just the same.
 */

/**
 * Locks a fixed-price or Dutch listing (FOR NO KEY UPDATE) in the market's lock order: its unit first
 * (secondary sales), then the listing, read with its work in the same statement. Returns the
 * locked row as it is now. A caller that has already read the listing's `unit_id` passes it.
 */
export async function lockListing(trx: Trx, listingId: string, peeked?: { unit_id: string | null }): Promise<ListingRow> {
  const peek = peeked ?? (await trx.selectFrom('listings').select(['unit_id']).where('id', '=', listingId).executeTakeFirst());
  if (!peek) throw notFound('listing', listingId);
  // unit_id never changes, so the peek names the right unit.
  if (peek.unit_id) await trx.selectFrom('units').select('id').where('id', '=', peek.unit_id).forNoKeyUpdate().execute();
  const listing = await listingsQuery(trx).where('listings.id', '=', listingId).forNoKeyUpdate('listings').executeTakeFirst();
  if (!listing) throw notFound('listing', listingId);
  return listing;
}

/** A fixed-price or Dutch listing locked for a sale, read with everything the sale's rules and terms need. */
export type SaleListingRow = Awaited<ReturnType<typeof saleListingQuery>>;

function saleListingQuery(trx: Trx, listingId: string) {
  return trx
    .selectFrom('listings')
    .innerJoin('editions', 'editions.id', 'listings.edition_id')
    .innerJoin('assets', 'assets.id', 'editions.asset_id')
    .innerJoin('accounts as seller', 'seller.id', 'listings.seller_id')
    .innerJoin('platforms', 'platforms.id', 'listings.platform_id')
    .selectAll('listings')
    .select([
      'editions.asset_id',
      'editions.size as edition_size',
      'editions.royalty_bps',
      'editions.policy',
      'assets.licence',
      'assets.rights_holder_id',
      'seller.kyc_level as seller_kyc_level',
      'seller.is_adult as seller_is_adult',
      'seller.platform_id as seller_platform_id',
      'platforms.fee_bps',
    ])
    .select((eb) =>
      eb
        .selectFrom('trades')
        .select('trades.id')
        .whereRef('trades.unit_id', '=', 'listings.unit_id')
        .where('trades.status', '=', 'reserved')
        .as('live_trade_id'),
    )
    .where('listings.id', '=', listingId)
    .forNoKeyUpdate('listings')
    .executeTakeFirst()
    .then((row) => row ?? null);
}

/**
 * `lockListing` for a purchase, in two statements: the unit (read whole under its lock), then the
 * listing with its edition, work, seller, platform fee and the unit's live reservation. That
 * reservation is read in a statement that began once the unit was ours: anyone who reserves a
 * listed unit holds its lock, so none can appear after this read. The joined rows are read as of
 * the statement's start, not locked; the purchase's own rules (sale policy, fee) are checked
 * against them, as they were when read in statements of their own.
 */
export async function lockListingForSale(
  trx: Trx,
  listingId: string,
  peek: { unit_id: string | null },
): Promise<{ listing: NonNullable<SaleListingRow>; unit: Row<'units'> | undefined }> {
  // unit_id never changes, so the peek names the right unit.
  const unit = peek.unit_id
    ? await trx.selectFrom('units').selectAll().where('id', '=', peek.unit_id).forNoKeyUpdate().executeTakeFirst()
    : undefined;
  const listing = await saleListingQuery(trx, listingId);
  if (!listing) throw notFound('listing', listingId);
  return { listing, unit };
}

/** The 409 for a purchase or cancellation of a listing that no longer takes one. */
export function listingNotOpen(l: Row<'listings'>, now: Date) {
  const status = effectiveStatus(l, now);
  const code =
    status === 'sold'
      ? 'listing_sold'
      : status === 'expired'
        ? 'listing_expired'
        : status === 'cancelled'
          ? 'listing_cancelled'
          : 'listing_closed';
  return conflict(code, `Listing ${l.id} is ${status}.`, { status });
}

/** Ends a listing (cancelled or expired) with its event; the caller holds the lock. */
export async function endListing(
  trx: Trx,
  l: ListingRow,
  status: 'cancelled' | 'expired',
  reason: string,
  now: Date,
): Promise<void> {
  await trx.updateTable('listings').set({ status, updated_at: now }).where('id', '=', l.id).execute();
  await recordEvent(trx, {
    type: `listing.${status}`,
    at: now,
    assetId: l.asset_id,
    unitId: l.unit_id ?? undefined,
    platformId: l.platform_id,
    facts: { listingId: l.id, unitId: l.unit_id ?? undefined, editionId: l.edition_id, sold: l.sold, reason },
  });
}

/** Whether an auction already has bidders, who must not lose their standing by a cancellation. */
export async function auctionHasBids(trx: Trx, l: Row<'listings'>): Promise<boolean> {
  if (l.kind === 'english') {
    return Boolean(await trx.selectFrom('bids').select('id').where('listing_id', '=', l.id).limit(1).executeTakeFirst());
  }
  if (l.kind === 'sealed') {
    return Boolean(await trx.selectFrom('sealed_bids').select('id').where('listing_id', '=', l.id).limit(1).executeTakeFirst());
  }
  return false;
}

/**
 * Orders never go stale: when a unit changes owner outside its listing (a gift, an accepted
 * offer), its open fixed-price or Dutch listing ends in the same transaction. A unit in a
 * running auction is not taken out of it that way: 409 `unit_in_auction` (the seller cancels the
 * auction first, which is refused once it has bids). The caller holds the unit's lock; auction
 * listings are only read here, never locked, so the auctions engine may lock listing → unit.
 */
export async function endOpenListingOfUnit(trx: Trx, unitId: string, reason: string, now: Date): Promise<void> {
  const open = await trx
    .selectFrom('listings')
    .select(['id', 'kind'])
    .where('unit_id', '=', unitId)
    .where('status', '=', 'open')
    .executeTakeFirst();
  if (!open) return;
  if (!endsBySchedule(open)) {
    throw conflict('unit_in_auction', `Unit ${unitId} is in auction ${open.id}.`, { listingId: open.id });
  }
  await trx.selectFrom('listings').select('id').where('id', '=', open.id).forNoKeyUpdate().execute();
  const listing = await findListing(trx, open.id);
  if (listing.status === 'open') await endListing(trx, listing, 'cancelled', reason, now);
}
