import type { Trx } from '../../db/database.js';
import { sealedMinimum, sealedWinner } from './auction-rules.js';
import { allCommitments, biddersOf, highestBidExcept, type Listing, unpaidWinners } from './auctions.repo.js';
import { forfeitDeposits, heldOnListing, moveBidHolds } from './bid-holds.js';

// The two decisions of closing an auction (closing.service.ts runs them in its transaction): who
// wins, and what becomes of every other bidder's hold.

export interface Decision {
  winner: { bidderId: string; amount: bigint; bidId: string } | null;
  noWinner: 'no_bids' | 'reserve_not_met' | 'no_valid_reveal' | 'no_bidder_paid';
  /** Everyone who may have money on hold on the listing. */
  bidders: string[];
  /** Sealed bidders who never revealed: their deposits are forfeited. */
  unrevealed: Set<string>;
  facts: Record<string, unknown>;
}

/**
 * Who wins. English: the highest bid; sealed: the highest valid reveal, ties to the earliest
 * commitment. A winner whose reservation was released unpaid is passed over, so the next valid
 * bid inherits the sale (the closing runs again when that reservation is released).
 */
export async function decideWinner(trx: Trx, listing: Listing): Promise<Decision> {
  const passedOver = await unpaidWinners(trx, listing.id);
  const facts: Record<string, unknown> = passedOver.length ? { passedOver } : {};
  if (listing.kind === 'english') {
    const bidders = await biddersOf(trx, listing.id);
    const top = await highestBidExcept(trx, listing.id, passedOver);
    if (top && (listing.reserve_price === null || top.amount >= listing.reserve_price)) {
      return {
        winner: { bidderId: top.bidder_id, amount: top.amount, bidId: top.id },
        noWinner: 'no_bids',
        bidders,
        unrevealed: new Set(),
        facts,
      };
    }
    if (top) facts.highestAmount = Number(top.amount);
    const noWinner = top ? 'reserve_not_met' : passedOver.length ? 'no_bidder_paid' : 'no_bids';
    return { winner: null, noWinner, bidders, unrevealed: new Set(), facts };
  }
  const commitments = await allCommitments(trx, listing.id);
  const best = sealedWinner(
    commitments
      .filter((c) => !passedOver.includes(c.bidder_id))
      .map((c) => ({ id: c.id, bidderId: c.bidder_id, committedAt: c.committed_at, amount: c.amount })),
    sealedMinimum(listing),
  );
  const unrevealed = new Set(commitments.filter((c) => c.revealed_at === null).map((c) => c.bidder_id));
  Object.assign(facts, {
    commitments: commitments.length,
    revealed: commitments.length - unrevealed.size,
    forfeited: unrevealed.size,
  });
  const bidders = commitments.map((c) => c.bidder_id);
  if (best)
    return {
      winner: { bidderId: best.bidderId, amount: best.amount!, bidId: best.id },
      noWinner: 'no_bids',
      bidders,
      unrevealed,
      facts,
    };
  const noWinner = commitments.length === 0 ? 'no_bids' : passedOver.length ? 'no_bidder_paid' : 'no_valid_reveal';
  return { winner: null, noWinner, bidders, unrevealed, facts };
}

/**
 * Settles the holds of a closing auction: every bidder but `keep` (the winner, whose hold pays
 * the price at settlement) gets its money back, except an unrevealed sealed commitment, whose
 * deposit goes to the seller. Idempotent: it moves what is actually held, which is nothing the
 * second time.
 */
export async function settleBidHolds(trx: Trx, listing: Listing, d: Decision, keep: string | null, now: Date) {
  const held = await heldOnListing(
    trx,
    listing,
    d.bidders.filter((b) => b !== keep),
  );
  const back = [...held].filter(([bidder]) => !d.unrevealed.has(bidder));
  const forfeit = [...held].filter(([bidder]) => d.unrevealed.has(bidder));
  await moveBidHolds(
    trx,
    listing,
    back.map(([bidderId, amount]) => ({ bidderId, amount: -amount })),
    `Auction ${listing.id} closed: holds given back`,
    now,
  );
  await forfeitDeposits(
    trx,
    listing,
    forfeit.map(([bidderId, amount]) => ({ bidderId, amount })),
    now,
  );
  if (back.length) d.facts.holdsReleased = back.length;
  if (forfeit.length) d.facts.depositsForfeited = Number(forfeit.reduce((s, [, a]) => s + a, 0n));
}
