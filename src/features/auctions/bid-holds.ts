import type { Queryable, Trx } from '../../db/database.js';
import { bidHoldOf, postJournal } from '../ledger/ledger.repo.js';
import type { Listing } from './auctions.repo.js';

/**
 * Money bidders have put up on an auction (README "Funded bids"): an English bidder's standing bid
 * and a sealed bidder's deposit sit on `hold:<listing>:<bidder>`, moved there from the bidder's
 * clearing balance through the ledger, so a bid nobody can pay for is refused (409
 * `insufficient_funds`) instead of voiding the auction. Every move goes through `postJournal`,
 * which locks the balances in holder order and refuses an overdraft; the caller holds the listing
 * lock, so the holds of one listing change one operation at a time.
 */

/** What each bidder has on hold on this listing now, by bidder (only those with something held). */
export async function heldOnListing(db: Queryable, listing: Listing, bidderIds: string[]): Promise<Map<string, bigint>> {
  const ids = [...new Set(bidderIds)];
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('balances')
    .select(['holder', 'amount'])
    .where('currency', '=', listing.currency)
    .where(
      'holder',
      'in',
      ids.map((id) => bidHoldOf(listing.id, id)),
    )
    .where('amount', '>', 0n)
    .execute();
  const prefix = `hold:${listing.id}:`;
  return new Map(rows.map((r) => [r.holder.slice(prefix.length), r.amount]));
}

/**
 * One `bid_hold` journal: a positive amount moves from the bidder's balance onto its hold, a
 * negative one gives held money back. Nothing to move writes nothing.
 */
export async function moveBidHolds(
  trx: Trx,
  listing: Listing,
  moves: { bidderId: string; amount: bigint }[],
  memo: string,
  now: Date,
): Promise<string | null> {
  const real = moves.filter((m) => m.amount !== 0n);
  if (real.length === 0) return null;
  return postJournal(
    trx,
    {
      kind: 'bid_hold',
      currency: listing.currency,
      memo,
      postings: real.flatMap((m) => [
        { holder: m.bidderId, role: 'bid_hold' as const, amount: -m.amount },
        { holder: bidHoldOf(listing.id, m.bidderId), role: 'bid_hold' as const, amount: m.amount },
      ]),
    },
    now,
  );
}

/** Unrevealed sealed commitments: their deposits go to the seller, in one `forfeit` journal. */
export async function forfeitDeposits(
  trx: Trx,
  listing: Listing,
  forfeits: { bidderId: string; amount: bigint }[],
  now: Date,
): Promise<string | null> {
  const real = forfeits.filter((f) => f.amount > 0n);
  if (real.length === 0) return null;
  const total = real.reduce((s, f) => s + f.amount, 0n);
  return postJournal(
    trx,
    {
      kind: 'forfeit',
      currency: listing.currency,
      memo: `Deposits of unrevealed commitments to listing ${listing.id}`,
      postings: [
        ...real.map((f) => ({ holder: bidHoldOf(listing.id, f.bidderId), role: 'forfeit' as const, amount: -f.amount })),
        { holder: listing.seller_id, role: 'forfeit' as const, amount: total },
      ],
    },
    now,
  );
}
