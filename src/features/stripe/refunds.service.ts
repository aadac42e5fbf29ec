import { sql } from 'kysely';
import type { Trx } from '../../db/database.js';
import type { Deps } from '../../deps.js';
import { newId } from '../../ids.js';
import { RefundRefusedError } from '../../ports/payments.js';
import { recordEvent } from '../events/events.repo.js';
import type { PaymentRow } from './payments.repo.js';

/** Waits between attempts to send a refund request: 1 min, 2, 4 … capped at 6 h. */
export function refundBackoffSeconds(attempts: number): number {
  return Math.min(60 * 2 ** Math.max(0, attempts - 1), 6 * 3600);
}

/**
 * Decides, inside the caller's transaction, that a payment goes back to the card; the request to
 * Stripe is made after commit (`sendRefunds`) and by the schedule until Stripe answers. One refund
 * per payment (a unique index); its Stripe idempotency key comes from the webhook event that decided
 * it, so redeliveries and retries never refund twice. Returns the request's id, or null when a
 * refund was already requested.
 */
export async function requestRefund(
  trx: Trx,
  payment: PaymentRow,
  decidedBy: { eventId: string; reason: string },
  now: Date,
): Promise<string | null> {
  if (!payment.payment_intent_id) throw new Error(`payment ${payment.id} has no PaymentIntent to refund`);
  const row = await trx
    .insertInto('stripe_refunds')
    .values({
      id: newId('rfq'),
      payment_id: payment.id,
      payment_intent_id: payment.payment_intent_id,
      idempotency_key: `haipai-refund-${decidedBy.eventId}`,
      reason: decidedBy.reason,
      next_attempt_at: now,
      created_at: now,
    })
    .onConflict((oc) => oc.column('payment_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!row) return null;
  if (payment.trade_id) {
    const trade = await trx
      .selectFrom('trades')
      .innerJoin('units', 'units.id', 'trades.unit_id')
      .innerJoin('editions', 'editions.id', 'units.edition_id')
      .select(['trades.unit_id', 'trades.platform_id', 'editions.asset_id'])
      .where('trades.id', '=', payment.trade_id)
      .executeTakeFirstOrThrow();
    await recordEvent(trx, {
      type: 'trade.refund_requested',
      at: now,
      assetId: trade.asset_id,
      unitId: trade.unit_id,
      platformId: trade.platform_id,
      facts: {
        tradeId: payment.trade_id,
        refundRequestId: row.id,
        reason: decidedBy.reason,
        amount: Number(payment.amount),
        currency: payment.currency,
      },
    });
  } else if (payment.purpose === 'licence') {
    // A licence fee paid after its grant lapsed (or when the grant could no longer be made).
    const grant = await trx
      .selectFrom('licence_grants')
      .select(['id', 'asset_id', 'licensee_platform_id'])
      .where('id', '=', payment.licence_grant_id!)
      .executeTakeFirstOrThrow();
    await recordEvent(trx, {
      type: 'licence.refund_requested',
      at: now,
      assetId: grant.asset_id,
      platformId: grant.licensee_platform_id,
      facts: {
        grantId: grant.id,
        paymentId: payment.id,
        licenseeId: payment.holder,
        refundRequestId: row.id,
        reason: decidedBy.reason,
        amount: Number(payment.amount),
        currency: payment.currency,
      },
    });
  } else {
    // A card top-up sent back (its amount did not match what was asked for), or a card bid captured
    // without having won: on the holder's feed.
    const platformId = payment.holder.startsWith('plt_')
      ? payment.holder
      : (await trx.selectFrom('accounts').select('platform_id').where('id', '=', payment.holder).executeTakeFirstOrThrow())
          .platform_id;
    await recordEvent(trx, {
      type: payment.purpose === 'bid' ? 'bid.refund_requested' : 'topup.refund_requested',
      at: now,
      platformId,
      facts: {
        ...(payment.purpose === 'bid' ? { paymentId: payment.id, listingId: payment.listing_id } : { topUpId: payment.id }),
        holderId: payment.holder,
        refundRequestId: row.id,
        reason: decidedBy.reason,
        amount: Number(payment.amount),
        amountReceived: payment.amount_received === null ? null : Number(payment.amount_received),
        currency: payment.currency,
      },
    });
  }
  return row.id;
}

/**
 * A dispute was won after Stripe refused our refund because of it: the money is still ours to give
 * back, so the request is sent again — under a new idempotency key, since Stripe would answer the
 * old one with its first (refused) answer. Returns its id, or null.
 */
export async function rearmDisputedRefund(trx: Trx, paymentId: string, now: Date): Promise<string | null> {
  const row = await trx
    .updateTable('stripe_refunds')
    .set({
      refused_code: null,
      next_attempt_at: now,
      idempotency_key: sql<string>`idempotency_key || cast(${'-dispute-won'} as text)`,
    })
    .where('payment_id', '=', paymentId)
    .where('refused_code', '=', 'charge_disputed')
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

/**
 * Sends refund requests to Stripe (after commit; never inside a transaction). A failure is kept
 * on the row with the next attempt time; the scheduled run tries again with the same key.
 */
export async function sendRefunds(deps: Pick<Deps, 'db' | 'clock' | 'payments' | 'log'>, ids: string[]): Promise<void> {
  if (!ids.length || !deps.payments) return;
  const rows = await deps.db
    .selectFrom('stripe_refunds')
    .selectAll()
    .where('id', 'in', ids)
    .where('sent_at', 'is', null)
    .where('refused_code', 'is', null)
    .execute();
  for (const row of rows) {
    try {
      const refund = await deps.payments.createRefund({
        paymentIntentId: row.payment_intent_id,
        idempotencyKey: row.idempotency_key,
        metadata: { refundRequestId: row.id, paymentId: row.payment_id, reason: row.reason },
      });
      await deps.db
        .updateTable('stripe_refunds')
        .set({ stripe_refund_id: refund.id, sent_at: deps.clock.now(), attempts: row.attempts + 1, last_error: null })
        .where('id', '=', row.id)
        .execute();
    } catch (err) {
      const attempts = row.attempts + 1;
      if (err instanceof RefundRefusedError) {
        // Stripe already returned the money (refunded, or the dispute is returning it): nothing to retry.
        deps.log.info('stripe refund not needed', { refundRequestId: row.id, code: err.code });
        await deps.db
          .updateTable('stripe_refunds')
          .set({ attempts, refused_code: err.code, last_error: err.message })
          .where('id', '=', row.id)
          .execute();
        continue;
      }
      deps.log.error('stripe refund request failed', { refundRequestId: row.id, attempts, error: (err as Error).message });
      await deps.db
        .updateTable('stripe_refunds')
        .set({
          attempts,
          last_error: String((err as Error).message).slice(0, 500),
          next_attempt_at: new Date(deps.clock.now().getTime() + refundBackoffSeconds(attempts) * 1000),
        })
        .where('id', '=', row.id)
        .execute();
    }
  }
}

/** Scheduled: every refund request that is due. Safe to run in several places: Stripe's idempotency keys dedupe. */
export async function sendDueRefunds(deps: Pick<Deps, 'db' | 'clock' | 'payments' | 'log'>): Promise<number> {
  if (!deps.payments) return 0;
  const due = await deps.db
    .selectFrom('stripe_refunds')
    .select('id')
    .where('sent_at', 'is', null)
    .where('refused_code', 'is', null)
    .where('next_attempt_at', '<=', deps.clock.now())
    .orderBy('next_attempt_at')
    .limit(50)
    .execute();
  await sendRefunds(
    deps,
    due.map((r) => r.id),
  );
  return due.length;
}
