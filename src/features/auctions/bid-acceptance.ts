import type { Trx } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import { conflict } from '../../http/problem.js';
import { newId } from '../../ids.js';
import { endAfterBid, englishMinimum } from './auction-rules.js';
import { highestBid, type Listing, recordListingEvent } from './auctions.repo.js';
import { heldOnListing, moveBidHolds } from './bid-holds.js';
import { cancelCountedCardBids } from './card-bid-actions.js';

// What makes a bid count, whichever rail funds it (bids.service.ts for the balance rail,
// card-bids.service.ts for a card authorisation). The caller holds the listing's lock.

/** Refuses (409 `bid_too_low`) a bid below the start price or the highest bid plus the increment. */
export async function assertBidReaches(trx: Trx, listing: Listing, amount: bigint): Promise<void> {
  const top = await highestBid(trx, listing.id);
  const minimum = englishMinimum(listing, top?.amount ?? null);
  if (amount < minimum) {
    throw conflict('bid_too_low', `The lowest acceptable bid is now ${minimum} (${listing.currency} minor units).`, {
      minimumAmount: Number(minimum),
      highestAmount: top ? Number(top.amount) : null,
      currency: listing.currency,
    });
  }
}

export interface AcceptedBid {
  bid: Row<'bids'>;
  endsAt: Date;
  extended: boolean;
}

/**
 * Records a bid that reached the minimum (`assertBidReaches`) as the new highest bid, with what
 * funds it: on the balance rail its amount moves onto the bidder's hold (only the difference when
 * the highest bidder raises its own bid); on the card rail the authorisation is the funding, so
 * the bidder's hold goes back. The bid it beats gets its hold back in the same journal, and a beaten
 * card bid's authorisation is marked for cancelling (sent after commit). Anti-sniping extends the end.
 */
export async function acceptBid(
  trx: Trx,
  listing: Listing,
  input: { bidderId: string; amount: bigint; rail: 'balance' | 'stripe'; paymentId?: string },
  now: Date,
): Promise<AcceptedBid> {
  const top = await highestBid(trx, listing.id);
  const outbid = top && top.bidder_id !== input.bidderId ? top.bidder_id : null;
  const held = await heldOnListing(trx, listing, outbid ? [input.bidderId, outbid] : [input.bidderId]);
  const target = input.rail === 'balance' ? input.amount : 0n;
  const moves = [{ bidderId: input.bidderId, amount: target - (held.get(input.bidderId) ?? 0n) }];
  if (outbid) moves.push({ bidderId: outbid, amount: -(held.get(outbid) ?? 0n) });
  const holdJournalId = await moveBidHolds(trx, listing, moves, `Bid on listing ${listing.id}`, now);
  const cancelled = await cancelCountedCardBids(trx, listing.id, now);

  const bid = await trx
    .insertInto('bids')
    .values({ id: newId('bid'), listing_id: listing.id, bidder_id: input.bidderId, amount: input.amount, created_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  const endsAt = endAfterBid(listing.ends_at!, now, listing.anti_snipe_seconds);
  const extended = endsAt.getTime() !== listing.ends_at!.getTime();
  if (extended) {
    await trx.updateTable('listings').set({ ends_at: endsAt, updated_at: now }).where('id', '=', listing.id).execute();
  }
  await recordListingEvent(trx, listing, {
    type: 'bid.placed',
    at: now,
    facts: {
      listingId: listing.id,
      bidId: bid.id,
      bidderId: input.bidderId,
      amount: Number(input.amount),
      currency: listing.currency,
      newEndsAt: endsAt.toISOString(),
      extended,
      holdJournalId,
      rail: input.rail,
      ...(input.paymentId ? { paymentId: input.paymentId } : {}),
      ...(cancelled.length ? { authorisationsCancelled: cancelled } : {}),
    },
  });
  return { bid, endsAt, extended };
}
