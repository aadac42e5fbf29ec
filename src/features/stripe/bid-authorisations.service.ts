import type { Deps } from '../../deps.js';
import type { PaymentRow } from './payments.repo.js';
import { refundBackoffSeconds } from './refunds.service.js';

type SendDeps = Pick<Deps, 'db' | 'clock' | 'payments' | 'log'>;

/** Stripe idempotency keys of a card bid's capture and cancel: one of each per authorisation, however often sent. */
export const bidCaptureKey = (paymentId: string) => `haipai-bid-capture-${paymentId}`;
export const bidCancelKey = (paymentId: string) => `haipai-bid-cancel-${paymentId}`;

/**
 * Sends the captures and cancels decided for card-authorised bids (auctions/card-bid-actions.ts),
 * after the commit that decided them; never inside a transaction. A row whose PaymentIntent does
 * not exist yet waits (the bid request sends it once the intent is made). A failure is kept on the
 * row with the next attempt time, and the schedule tries again with the same key. A capture whose
 * trade was released in the meantime (the reservation lapsed) becomes a cancel: the sale has
 * passed to the next bid, so the authorisation must not be taken.
 */
export async function sendBidActions(deps: SendDeps, where: { listingId?: string; due?: boolean }): Promise<number> {
  if (!deps.payments) return 0;
  let q = deps.db
    .selectFrom('stripe_payments')
    .selectAll()
    .where('bid_action', 'is not', null)
    .where('bid_action_sent_at', 'is', null)
    .where('payment_intent_id', 'is not', null);
  if (where.listingId) q = q.where('listing_id', '=', where.listingId);
  if (where.due) q = q.where('bid_action_next_at', '<=', deps.clock.now()).orderBy('bid_action_next_at').limit(50);
  const rows = await q.execute();
  for (const row of rows) await sendOne(deps, row);
  return rows.length;
}

/** Scheduled: every capture or cancel that is due. Safe to run in several places (Stripe's idempotency keys dedupe). */
export const sendDueBidActions = (deps: SendDeps) => sendBidActions(deps, { due: true });

async function sendOne(deps: SendDeps, row: PaymentRow): Promise<void> {
  const payments = deps.payments!;
  let action = row.bid_action!;
  if (action === 'capture') {
    const trade = await deps.db.selectFrom('trades').select('status').where('id', '=', row.trade_id!).executeTakeFirstOrThrow();
    if (trade.status === 'released') {
      action = 'cancel';
      await deps.db
        .updateTable('stripe_payments')
        .set({ bid_action: 'cancel', updated_at: deps.clock.now() })
        .where('id', '=', row.id)
        .where('bid_action', '=', 'capture')
        .execute();
    }
  }
  const attempts = row.bid_action_attempts + 1;
  try {
    const input = {
      paymentIntentId: row.payment_intent_id!,
      idempotencyKey: action === 'capture' ? bidCaptureKey(row.id) : bidCancelKey(row.id),
    };
    const { status } =
      action === 'capture' ? await payments.capturePaymentIntent(input) : await payments.cancelPaymentIntent(input);
    // Done either way: captured or cancelled now, or Stripe can no longer do it (an expired
    // authorisation is cancelled at Stripe, whose webhook releases the trade; the next bid inherits).
    const wanted = action === 'capture' ? 'succeeded' : 'canceled';
    if (status !== wanted) deps.log.info('stripe bid authorisation not changed', { paymentId: row.id, action, status });
    await deps.db
      .updateTable('stripe_payments')
      .set({
        bid_action_sent_at: deps.clock.now(),
        bid_action_attempts: attempts,
        bid_action_error: status === wanted ? null : `payment_intent_${status}`,
        updated_at: deps.clock.now(),
      })
      .where('id', '=', row.id)
      .execute();
  } catch (err) {
    deps.log.error('stripe bid authorisation request failed', {
      paymentId: row.id,
      action,
      attempts,
      error: (err as Error).message,
    });
    await deps.db
      .updateTable('stripe_payments')
      .set({
        bid_action_attempts: attempts,
        bid_action_error: String((err as Error).message).slice(0, 500),
        bid_action_next_at: new Date(deps.clock.now().getTime() + refundBackoffSeconds(attempts) * 1000),
        updated_at: deps.clock.now(),
      })
      .where('id', '=', row.id)
      .execute();
  }
}
