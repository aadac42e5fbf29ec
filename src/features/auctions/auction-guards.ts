import type { Queryable, Trx } from '../../db/database.js';
import type { ListingKind, Row } from '../../db/schema.js';
import type { Principal } from '../../http/env.js';
import { type AppError, conflict, notFound, unprocessable } from '../../http/problem.js';
import type { Clock } from '../../ports/clock.js';
import { checkWorkTradable, workOfEdition } from '../cases/work-gate.js';
import { partyRefusal } from '../editions/policy.js';
import { actingAccount } from '../parties/access.js';
import { editionOf, type Listing, lockListing } from './auctions.repo.js';

/**
 * The start of every bid, commitment and reveal: the bidder the caller acts for, and the listing
 * locked. "Now" is read after the lock is granted, so the times of accepted actions follow the
 * order in which they held the lock, and one that waited past a deadline is judged by it.
 */
export async function lockAuctionForBidder(
  trx: Trx,
  principal: Principal,
  listingId: string,
  bidderId: string,
  clock: Clock,
): Promise<{ bidder: Row<'accounts'>; listing: Listing; now: Date }> {
  const bidder = await actingAccount(trx, principal, bidderId);
  const listing = await lockListing(trx, listingId);
  if (!listing) throw notFound('listing', listingId);
  return { bidder, listing, now: clock.now() };
}

/**
 * The listing is an auction of `kind` and is taking part in it at all: not another kind, not
 * cancelled, not already decided, and started. Phase checks (ended, commit over, reveal not
 * open) belong to each operation.
 */
export function assertRunningAuction(listing: Listing, kind: Extract<ListingKind, 'english' | 'sealed'>, now: Date): void {
  if (listing.kind !== kind) {
    const what = kind === 'english' ? 'an English auction' : 'a sealed-bid auction';
    throw conflict('not_an_auction', `Listing ${listing.id} is a ${listing.kind} listing, not ${what}.`, { kind: listing.kind });
  }
  if (listing.status === 'cancelled') {
    throw conflict('auction_not_open', `Listing ${listing.id} was cancelled.`, { status: listing.status });
  }
  if (listing.status !== 'open') {
    throw conflict('auction_ended', `The auction of listing ${listing.id} has ended (${listing.status}).`, {
      status: listing.status,
    });
  }
  if (now < listing.starts_at) {
    throw conflict('auction_not_open', `The auction of listing ${listing.id} starts at ${listing.starts_at.toISOString()}.`, {
      startsAt: listing.starts_at.toISOString(),
    });
  }
}

/**
 * May `bidder` bid on this listing? Never on one's own listing; the edition must allow auctions;
 * and the bidder must meet the edition's real-name and age rules as a buyer (the same rules a
 * purchase applies). Each refusal names its rule, as every transfer refusal does.
 */
export async function assertMayBid(db: Queryable, listing: Listing, bidder: Row<'accounts'>): Promise<void> {
  if (bidder.id === listing.seller_id) {
    throw unprocessable('own_listing', `Account ${bidder.id} is the seller of listing ${listing.id} and cannot bid on it.`);
  }
  await checkWorkTradable(db, await workOfEdition(db, listing.edition_id));
  const { policy } = await editionOf(db, listing.edition_id);
  if (!policy.auctionsAllowed) {
    throw unprocessable('transfer_refused', "This edition's policy does not allow auctions.", { rule: 'auctions_not_allowed' });
  }
  const refusal = partyRefusal(policy, bidder, 'buyer');
  if (refusal) {
    const { detail, ...extra } = refusal;
    throw unprocessable('transfer_refused', detail, extra);
  }
}

/** A transaction's verdict that must commit (a lazy close) and still answer the caller with an error. */
export type Verdict<T> = { ok: T } | { refused: AppError };

export function acceptedOrThrow<T>(verdict: Verdict<T>): T {
  if ('refused' in verdict) throw verdict.refused;
  return verdict.ok;
}
