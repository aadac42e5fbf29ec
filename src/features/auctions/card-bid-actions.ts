import { sql } from 'kysely';
import type { Queryable, Trx } from '../../db/database.js';
import type { Row } from '../../db/schema.js';

// Decisions about card-authorised bids (stripe_payments rows of purpose 'bid', migration 0022),
// taken under the listing's lock in the transaction that decides them. Each authorisation gets one
// action, decided once (the first decision stands): `capture` for the winner, `cancel` for every
// other. Stripe is asked after commit, and by the schedule until it answers
// (stripe/bid-authorisations.service.ts).

type Refusal = NonNullable<Row<'stripe_payments'>['bid_refused']>;

/** The card authorisation behind an accepted bid, if it was a card bid. */
export function cardBidOf(db: Queryable, bidId: string) {
  return db.selectFrom('stripe_payments').selectAll().where('bid_id', '=', bidId).executeTakeFirst();
}

/** Card bids that count and are beaten by a new bid: their authorisations are cancelled. Returns their ids. */
export async function cancelCountedCardBids(trx: Trx, listingId: string, now: Date): Promise<string[]> {
  const rows = await trx
    .updateTable('stripe_payments')
    .set({ bid_action: 'cancel', bid_action_next_at: now, updated_at: now })
    .where('listing_id', '=', listingId)
    .where('bid_id', 'is not', null)
    .where('bid_action', 'is', null)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/**
 * The auction is decided: every card authorisation on it but the winner's (`keep`) is cancelled,
 * those still waiting for Stripe included (they will never count).
 */
export async function cancelCardBidsAtClose(trx: Trx, listingId: string, keep: string | null, now: Date): Promise<number> {
  let q = trx
    .updateTable('stripe_payments')
    .set({
      bid_action: 'cancel',
      bid_action_next_at: now,
      bid_refused: sql<Refusal | null>`case when bid_id is null then coalesce(bid_refused, 'auction_ended') else bid_refused end`,
      updated_at: now,
    })
    .where('listing_id', '=', listingId)
    .where('bid_action', 'is', null);
  if (keep) q = q.where('id', '<>', keep);
  const rows = await q.returning('id').execute();
  return rows.length;
}

/** A card bid that will never count (refused when Stripe authorised it, or replaced): cancelled. */
export function refuseCardBid(trx: Trx, paymentId: string, reason: Refusal, now: Date) {
  return trx
    .updateTable('stripe_payments')
    .set({
      bid_refused: reason,
      bid_action: sql<'capture' | 'cancel' | null>`coalesce(bid_action, 'cancel')`,
      bid_action_next_at: sql<Date>`coalesce(bid_action_next_at, ${now})`,
      updated_at: now,
    })
    .where('id', '=', paymentId)
    .execute();
}

/** The winning card bid pays for the auction's trade: its authorisation is captured. */
export function captureWinningCardBid(trx: Trx, paymentId: string, tradeId: string, now: Date) {
  return trx
    .updateTable('stripe_payments')
    .set({ trade_id: tradeId, bid_action: 'capture', bid_action_next_at: now, updated_at: now })
    .where('id', '=', paymentId)
    .where('bid_action', 'is', null)
    .executeTakeFirstOrThrow();
}
