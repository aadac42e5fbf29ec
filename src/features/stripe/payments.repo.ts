import type { Queryable, Trx } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import { newId } from '../../ids.js';

export type PaymentRow = Row<'stripe_payments'>;

/** Top-ups, bids and licence fees have no trade to name them: `stp_` + ULID (trade payments reuse the trade id). */
export const newTopUpId = () => newId('stp');

/** Stripe idempotency key of the PaymentIntent for a payment: one intent per trade or top-up, however often asked. */
export const paymentIntentKey = (paymentId: string) => `haipai-pi-${paymentId}`;

export async function insertPayment(
  trx: Trx,
  input: {
    id: string;
    purpose: 'trade' | 'topup' | 'bid' | 'licence';
    tradeId?: string;
    listingId?: string;
    licenceGrantId?: string;
    holder: string;
    currency: string;
    amount: bigint;
    requestKey: string | null;
  },
  now: Date,
): Promise<PaymentRow> {
  return trx
    .insertInto('stripe_payments')
    .values({
      id: input.id,
      purpose: input.purpose,
      trade_id: input.tradeId ?? null,
      listing_id: input.listingId ?? null,
      licence_grant_id: input.licenceGrantId ?? null,
      holder: input.holder,
      currency: input.currency,
      amount: input.amount,
      request_key: input.requestKey,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findPaymentByRequestKey(db: Queryable, requestKey: string) {
  return db.selectFrom('stripe_payments').selectAll().where('request_key', '=', requestKey).executeTakeFirst();
}

export function findPayment(db: Queryable, id: string) {
  return db.selectFrom('stripe_payments').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The payment a webhook is about, not locked (to learn which locks to take first). */
export async function findPaymentFor(db: Queryable, ref: { id?: string; paymentIntentId?: string }) {
  if (ref.paymentIntentId) {
    const byIntent = await db
      .selectFrom('stripe_payments')
      .selectAll()
      .where('payment_intent_id', '=', ref.paymentIntentId)
      .executeTakeFirst();
    if (byIntent) return byIntent;
  }
  return ref.id ? findPayment(db, ref.id) : undefined;
}

/** The payment a webhook is about, locked: webhooks for one payment take turns. */
export async function lockPaymentFor(trx: Trx, ref: { id?: string; paymentIntentId?: string }) {
  if (ref.paymentIntentId) {
    const byIntent = await trx
      .selectFrom('stripe_payments')
      .selectAll()
      .where('payment_intent_id', '=', ref.paymentIntentId)
      .forUpdate()
      .executeTakeFirst();
    if (byIntent) return byIntent;
  }
  if (!ref.id) return undefined;
  return trx.selectFrom('stripe_payments').selectAll().where('id', '=', ref.id).forUpdate().executeTakeFirst();
}

export function updatePayment(trx: Trx, id: string, set: Partial<Omit<PaymentRow, 'id'>>, now: Date) {
  return trx
    .updateTable('stripe_payments')
    .set({ ...set, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}
