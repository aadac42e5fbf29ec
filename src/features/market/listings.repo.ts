import type { Queryable, Trx } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import { notFound } from '../../http/problem.js';
import { iso } from '../../http/schemas.js';
import { dutchPrice } from './dutch-price.js';

export type ListingRow = Row<'listings'> & { asset_id: string };

/** Listings with the work they sell. */
export function listingsQuery(db: Queryable) {
  return db
    .selectFrom('listings')
    .innerJoin('editions', 'editions.id', 'listings.edition_id')
    .selectAll('listings')
    .select('editions.asset_id');
}

export async function findListing(db: Queryable, id: string): Promise<ListingRow> {
  const listing = await listingsQuery(db).where('listings.id', '=', id).executeTakeFirst();
  if (!listing) throw notFound('listing', id);
  return listing;
}

/** Fixed-price and Dutch listings end by themselves at `ends_at`; auctions are closed by the auction engine. */
export function endsBySchedule(l: Pick<Row<'listings'>, 'kind'>): boolean {
  return l.kind === 'fixed' || l.kind === 'dutch';
}

/** The status a reader should see: an open fixed/Dutch listing past its end is expired even before the schedule marks it. */
export function effectiveStatus(l: Row<'listings'>, now: Date): Row<'listings'>['status'] {
  return l.status === 'open' && endsBySchedule(l) && l.ends_at && l.ends_at <= now ? 'expired' : l.status;
}

/** What a purchase costs at `now`; null for auctions, whose price comes from bids. */
export function currentPrice(l: Row<'listings'>, now: Date): bigint | null {
  if (l.kind === 'fixed') return l.price;
  if (l.kind === 'dutch') {
    return dutchPrice({ startPrice: l.start_price!, floorPrice: l.floor_price!, startsAt: l.starts_at, endsAt: l.ends_at! }, now);
  }
  return null;
}

const num = (v: bigint | null) => (v === null ? null : Number(v));

export function presentListing(l: ListingRow, now: Date) {
  return {
    id: l.id,
    kind: l.kind,
    status: effectiveStatus(l, now),
    sellerId: l.seller_id,
    platformId: l.platform_id,
    unitId: l.unit_id,
    editionId: l.edition_id,
    assetId: l.asset_id,
    quantity: l.quantity,
    sold: l.sold,
    currency: l.currency,
    price: num(l.price),
    startPrice: num(l.start_price),
    floorPrice: num(l.floor_price),
    reservePrice: num(l.reserve_price),
    minIncrement: num(l.min_increment),
    antiSnipeSeconds: l.anti_snipe_seconds,
    currentPrice: num(currentPrice(l, now)),
    startsAt: l.starts_at.toISOString(),
    endsAt: iso(l.ends_at),
    revealEndsAt: iso(l.reveal_ends_at),
    bidDeposit: num(l.bid_deposit),
    createdAt: l.created_at.toISOString(),
    updatedAt: l.updated_at.toISOString(),
  };
}

/** The live (reserved) trade of a unit, if any. */
export function liveReservation(db: Queryable, unitId: string) {
  return db.selectFrom('trades').select('id').where('unit_id', '=', unitId).where('status', '=', 'reserved').executeTakeFirst();
}

/** The open listing of a unit, if any (there is at most one: `listings_open_unit_idx`). */
export function openListingOfUnit(db: Queryable, unitId: string) {
  return db.selectFrom('listings').selectAll().where('unit_id', '=', unitId).where('status', '=', 'open').executeTakeFirst();
}

/** Changes of owner of a unit (not mints) in the 24 hours before `now`, for the daily limit. */
export async function transfersInLastDay(db: Queryable, unitId: string, now: Date): Promise<number> {
  const row = await db
    .selectFrom('unit_transfers')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('unit_id', '=', unitId)
    .where('via', '<>', 'mint')
    .where('at', '>', new Date(now.getTime() - 86400_000))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The edition behind a listing or unit with what the sale rules need. */
export function saleContext(trx: Trx, editionId: string) {
  return trx
    .selectFrom('editions')
    .innerJoin('assets', 'assets.id', 'editions.asset_id')
    .select([
      'editions.id',
      'editions.asset_id',
      'editions.size',
      'editions.minted',
      'editions.royalty_bps',
      'editions.policy',
      'assets.licence',
      'assets.rights_holder_id',
      'assets.status as asset_status',
    ])
    .where('editions.id', '=', editionId)
    .executeTakeFirstOrThrow();
}
