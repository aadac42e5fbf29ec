import { sql } from 'kysely';
import type { Queryable, Trx } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import type { TransferPolicy } from '../editions/policy.js';
import { recordEvent } from '../events/events.repo.js';

export type Listing = Row<'listings'>;

/** The listing, locked for the rest of the transaction: every bid, commitment, reveal and close takes this lock. */
export function lockListing(trx: Trx, id: string): Promise<Listing | undefined> {
  return trx.selectFrom('listings').selectAll().where('id', '=', id).forNoKeyUpdate().executeTakeFirst();
}

export function findListing(db: Queryable, id: string): Promise<Listing | undefined> {
  return db.selectFrom('listings').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The edition's transfer policy and the work it issues (events name the work). */
export async function editionOf(db: Queryable, editionId: string) {
  const row = await db
    .selectFrom('editions')
    .select(['asset_id', 'policy'])
    .where('id', '=', editionId)
    .executeTakeFirstOrThrow();
  return { assetId: row.asset_id, policy: row.policy as TransferPolicy };
}

/** Records an event of an auction listing: its work, unit and platform are the listing's. */
export async function recordListingEvent(
  trx: Trx,
  listing: Pick<Row<'listings'>, 'edition_id' | 'unit_id' | 'platform_id'>,
  input: { type: string; at: Date; facts: Record<string, unknown> },
): Promise<string> {
  const { assetId } = await editionOf(trx, listing.edition_id);
  return recordEvent(trx, { ...input, assetId, unitId: listing.unit_id ?? undefined, platformId: listing.platform_id });
}

/** Accepted bids only ever rise (each is at least the previous highest plus the increment), so the highest is unique. */
export function highestBid(db: Queryable, listingId: string) {
  return db
    .selectFrom('bids')
    .selectAll()
    .where('listing_id', '=', listingId)
    .orderBy('amount', 'desc')
    .orderBy('created_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
}

/** The highest bid by a bidder not in `excluded` (winners who did not pay are passed over). */
export function highestBidExcept(db: Queryable, listingId: string, excluded: string[]) {
  let q = db.selectFrom('bids').selectAll().where('listing_id', '=', listingId);
  if (excluded.length > 0) q = q.where('bidder_id', 'not in', excluded);
  return q.orderBy('amount', 'desc').orderBy('created_at').orderBy('id').limit(1).executeTakeFirst();
}

/** Everyone who bid on an English auction (whose holds its closing settles). */
export async function biddersOf(db: Queryable, listingId: string): Promise<string[]> {
  const rows = await db.selectFrom('bids').select('bidder_id').distinct().where('listing_id', '=', listingId).execute();
  return rows.map((r) => r.bidder_id);
}

/** Winners of this auction whose reservation was released unpaid: the sale passed to the next bid. */
export async function unpaidWinners(db: Queryable, listingId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('trades')
    .select('buyer_id')
    .distinct()
    .where('listing_id', '=', listingId)
    .where('status', '=', 'released')
    .execute();
  return rows.map((r) => r.buyer_id);
}

/**
 * An English auction's bid count and highest bid, read by one statement so that the two agree (two
 * statements could each see a different set of bids when one is placed in between).
 */
export async function bidSummary(db: Queryable, listingId: string): Promise<{ count: number; highest: Row<'bids'> | undefined }> {
  const row = await db
    .selectFrom('bids')
    .selectAll()
    // Counted over every bid of the listing, before the limit keeps the highest.
    .select(sql<string>`count(*) over ()`.as('bid_count'))
    .where('listing_id', '=', listingId)
    .orderBy('amount', 'desc')
    .orderBy('created_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  if (!row) return { count: 0, highest: undefined };
  const { bid_count, ...highest } = row;
  return { count: Number(bid_count), highest };
}

/** Highest first; amounts are unique per listing, so the amount is the cursor. */
export function bidsPage(db: Queryable, listingId: string, page: { belowAmount?: bigint; limit: number }) {
  let q = db.selectFrom('bids').selectAll().where('listing_id', '=', listingId);
  if (page.belowAmount !== undefined) q = q.where('amount', '<', page.belowAmount);
  return q
    .orderBy('amount', 'desc')
    .limit(page.limit + 1)
    .execute();
}

export function commitmentOfBidder(db: Queryable, listingId: string, bidderId: string) {
  return db
    .selectFrom('sealed_bids')
    .selectAll()
    .where('listing_id', '=', listingId)
    .where('bidder_id', '=', bidderId)
    .executeTakeFirst();
}

/** Ids are ULIDs minted when a commitment is (re)placed, so id order is commitment order. */
export function commitmentsPage(db: Queryable, listingId: string, page: { afterId?: string; limit: number }) {
  let q = db.selectFrom('sealed_bids').selectAll().where('listing_id', '=', listingId);
  if (page.afterId !== undefined) q = q.where('id', '>', page.afterId);
  return q
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
}

export function allCommitments(db: Queryable, listingId: string) {
  return db.selectFrom('sealed_bids').selectAll().where('listing_id', '=', listingId).orderBy('id').execute();
}

/** The trade an auction produced, if any: the latest one (after an unpaid winner, the next bidder's). */
export function auctionTrade(db: Queryable, listingId: string) {
  return db
    .selectFrom('trades')
    .selectAll()
    .where('listing_id', '=', listingId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}
