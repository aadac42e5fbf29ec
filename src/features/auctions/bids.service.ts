import type { Db } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import type { Principal } from '../../http/env.js';
import { conflict } from '../../http/problem.js';
import { newId } from '../../ids.js';
import type { Clock } from '../../ports/clock.js';
import { recordEvent } from '../events/events.repo.js';
import { acceptedOrThrow, assertMayBid, assertRunningAuction, lockAuctionForBidder, type Verdict } from './auction-guards.js';
import { endAfterBid, englishMinimum } from './auction-rules.js';
import { editionOf, highestBid } from './auctions.repo.js';
import { heldOnListing, moveBidHolds } from './bid-holds.js';
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
 * is refused with 409 `insufficient_funds` and nothing is written.
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
    const top = await highestBid(trx, listing.id);
    const minimum = englishMinimum(listing, top?.amount ?? null);
    if (amount < minimum) {
      throw conflict('bid_too_low', `The lowest acceptable bid is now ${minimum} (${listing.currency} minor units).`, {
        minimumAmount: Number(minimum),
        highestAmount: top ? Number(top.amount) : null,
        currency: listing.currency,
      });
    }

    const outbid = top && top.bidder_id !== bidder.id ? top.bidder_id : null;
    const held = await heldOnListing(trx, listing, outbid ? [bidder.id, outbid] : [bidder.id]);
    const moves = [{ bidderId: bidder.id, amount: amount - (held.get(bidder.id) ?? 0n) }];
    if (outbid) moves.push({ bidderId: outbid, amount: -(held.get(outbid) ?? 0n) });
    const holdJournalId = await moveBidHolds(trx, listing, moves, `Bid on listing ${listing.id}`, now);

    const bid = await trx
      .insertInto('bids')
      .values({ id: newId('bid'), listing_id: listing.id, bidder_id: bidder.id, amount, created_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
    const endsAt = endAfterBid(listing.ends_at!, now, listing.anti_snipe_seconds);
    const extended = endsAt.getTime() !== listing.ends_at!.getTime();
    if (extended) {
      await trx.updateTable('listings').set({ ends_at: endsAt, updated_at: now }).where('id', '=', listing.id).execute();
    }
    const { assetId } = await editionOf(trx, listing.edition_id);
    await recordEvent(trx, {
      type: 'bid.placed',
      at: now,
      assetId,
      unitId: listing.unit_id ?? undefined,
      platformId: listing.platform_id,
      facts: {
        listingId: listing.id,
        bidId: bid.id,
        bidderId: bidder.id,
        amount: Number(amount),
        currency: listing.currency,
        newEndsAt: endsAt.toISOString(),
        extended,
        holdJournalId,
      },
    });
    return { ok: { bid, currency: listing.currency, endsAt, extended } };
  });
  return acceptedOrThrow(verdict);
}

function ended(listingId: string, endsAt: Date) {
  return conflict('auction_ended', `The auction of listing ${listingId} ended at ${endsAt.toISOString()}.`, {
    endsAt: endsAt.toISOString(),
  });
}
