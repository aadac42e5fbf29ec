import type { Db } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import type { Principal } from '../../http/env.js';
import { conflict } from '../../http/problem.js';
import type { Clock } from '../../ports/clock.js';
import { acceptedOrThrow, assertMayBid, assertRunningAuction, lockAuctionForBidder, type Verdict } from './auction-guards.js';
import { acceptBid, assertBidReaches } from './bid-acceptance.js';
import { auctionDue, closeLockedAuction } from './closing.service.js';

export interface PlacedBid {
  bid: Row<'bids'>;
  currency: string;
  endsAt: Date;
  extended: boolean;
}

/**
 * Places a bid on an English auction. Every bid on a listing takes the listing's row lock, so
 * bids are decided one at a time against the true highest bid; "now" is read after the lock is
 * granted, so bid times follow the order in which bids were accepted and a bid that waited past
 * the end is refused. The bid is funded: its amount moves from the bidder's clearing balance onto
 * the bidder's hold on this listing (only the difference when the highest bidder raises its own
 * bid), and the bid it beats gets its hold back, in one journal; a bidder whose balance is too low
 * is refused with 409 `insufficient_funds` and nothing is written. A card bid it beats has its
 * authorisation cancelled after commit (card-bid-actions.ts).
 */
export async function placeBid(
  db: Db,
  principal: Principal,
  listingId: string,
  input: { bidderId: string; amount: number },
  clock: Clock,
): Promise<PlacedBid> {
  const verdict = await db.transaction().execute(async (trx): Promise<Verdict<PlacedBid>> => {
    const { bidder, listing, now } = await lockAuctionForBidder(trx, principal, listingId, input.bidderId, clock);
    if (listing.kind === 'english' && auctionDue(listing, now)) {
      // Ended but not yet closed: close it now (and commit that), then refuse the bid.
      await closeLockedAuction(trx, listing, now);
      return { refused: ended(listing.id, listing.ends_at!) };
    }
    assertRunningAuction(listing, 'english', now);
    await assertMayBid(trx, listing, bidder);

    const amount = BigInt(input.amount);
    await assertBidReaches(trx, listing, amount);
    const { bid, endsAt, extended } = await acceptBid(trx, listing, { bidderId: bidder.id, amount, rail: 'balance' }, now);
    return { ok: { bid, currency: listing.currency, endsAt, extended } };
  });
  return acceptedOrThrow(verdict);
}

function ended(listingId: string, endsAt: Date) {
  return conflict('auction_ended', `The auction of listing ${listingId} ended at ${endsAt.toISOString()}.`, {
    endsAt: endsAt.toISOString(),
  });
}
