import type { Row } from '../../db/schema.js';
import type { Deps } from '../../deps.js';
import type { Principal } from '../../http/env.js';
import { AppError, conflict, notFound } from '../../http/problem.js';
import { commitRequestWrites } from '../../http/request-transaction.js';
import { purchaseListing } from '../market/purchase.service.js';
import { mayActFor } from '../parties/access.js';
import {
  findPayment,
  findPaymentByRequestKey,
  insertPayment,
  newTopUpId,
  type PaymentRow,
  paymentIntentKey,
} from './payments.repo.js';
import { requirePayments } from './webhook.service.js';

type CheckoutDeps = Pick<Deps, 'db' | 'clock' | 'payments' | 'log' | 'requestTransaction'>;

export interface PaymentView {
  id: string;
  paymentIntentId: string;
  /** For Stripe.js on the buyer's device (confirmPayment); never logged or stored by us. */
  clientSecret: string;
}

/** The caller's `Idempotency-Key`, scoped like the idempotency middleware scopes it. */
export function requestKeyOf(principal: Principal, key: string | undefined) {
  return key ? `${principal.kind}:${principal.id}:${key}` : null;
}

/** What the PaymentIntent says it is for; a bid's card is only authorised (manual capture) until it wins. */
function intentPurpose(p: PaymentRow): {
  metadata: Record<string, string>;
  description: string;
  captureMethod?: 'manual';
} {
  if (p.purpose === 'bid') {
    return {
      metadata: { bidPaymentId: p.id, listingId: p.listing_id!, bidderId: p.holder },
      description: `Haipai bid on listing ${p.listing_id}`,
      captureMethod: 'manual',
    };
  }
  if (p.purpose === 'licence') {
    return {
      metadata: { licencePaymentId: p.id, licenceGrantId: p.licence_grant_id!, licenseeId: p.holder },
      description: `Haipai licence grant ${p.licence_grant_id} (upfront fee)`,
    };
  }
  return p.trade_id
    ? { metadata: { tradeId: p.trade_id }, description: `Haipai trade ${p.trade_id}` }
    : { metadata: { topUpId: p.id, holderId: p.holder }, description: `Haipai balance top-up ${p.id}` };
}

/**
 * Creates (or, on a retry, finds again) the PaymentIntent of a payment. Always after the commit
 * that wrote the payment row, never inside a transaction; the Stripe idempotency key is derived
 * from the payment's id (= the trade id), so however often this runs there is one PaymentIntent.
 * A failure leaves the payment (and the trade's reservation) in place: 502, and the same request
 * retried with its Idempotency-Key resumes here.
 */
export async function openPaymentIntent(deps: CheckoutDeps, p: PaymentRow): Promise<PaymentView> {
  const payments = requirePayments(deps);
  // The payment row (found again by its request key on a retry) commits before Stripe is asked.
  await commitRequestWrites(deps);
  let intent: Awaited<ReturnType<typeof payments.createPaymentIntent>>;
  try {
    intent = await payments.createPaymentIntent({
      amount: p.amount,
      currency: p.currency,
      idempotencyKey: paymentIntentKey(p.id),
      transferGroup: p.trade_id ?? undefined,
      ...intentPurpose(p),
    });
  } catch (err) {
    deps.log.error('stripe payment intent failed', { paymentId: p.id, error: (err as Error).message });
    throw new AppError(
      502,
      'payment_provider_unavailable',
      'Stripe did not create the payment. Nothing was charged; retry with the same Idempotency-Key.',
      { paymentId: p.id },
    );
  }
  // The webhook may have recorded the intent already (it can arrive before this response).
  await deps.db
    .updateTable('stripe_payments')
    .set({ payment_intent_id: intent.id, updated_at: deps.clock.now() })
    .where('id', '=', p.id)
    .where('payment_intent_id', 'is', null)
    .execute();
  return { id: p.id, paymentIntentId: intent.id, clientSecret: intent.clientSecret };
}

/**
 * A purchase on the stripe rail: the unit is reserved (no settlement) and the payment row written
 * in the purchase's transaction; the PaymentIntent is created after commit. The trade settles when
 * `payment_intent.succeeded` arrives. A retry with the same Idempotency-Key after a failed
 * PaymentIntent finds the same trade and never reserves a second one.
 */
export async function purchaseOnStripe(
  deps: CheckoutDeps,
  principal: Principal,
  listingId: string,
  input: { buyerId: string; maxUnpaidReservations: number },
  idempotencyKey: string | undefined,
): Promise<{ trade: Row<'trades'>; payment: PaymentView }> {
  requirePayments(deps);
  const requestKey = requestKeyOf(principal, idempotencyKey);
  let payment = requestKey ? await findPaymentByRequestKey(deps.db, requestKey) : undefined;
  if (!payment) {
    const trade = await purchaseListing(
      deps.db,
      principal,
      listingId,
      { buyerId: input.buyerId, settle: false, rail: 'stripe', maxUnpaidReservations: input.maxUnpaidReservations },
      deps.clock.now(),
      async (trx, t) => {
        await insertPayment(
          trx,
          { id: t.id, purpose: 'trade', tradeId: t.id, holder: t.buyer_id, currency: t.currency, amount: t.price, requestKey },
          deps.clock.now(),
        );
      },
    );
    payment = (await findPayment(deps.db, trade.id))!;
  }
  const before = await deps.db.selectFrom('trades').selectAll().where('id', '=', payment.trade_id!).executeTakeFirstOrThrow();
  if (before.status === 'released') {
    throw conflict('trade_released', `Trade ${before.id} was released (${before.release_reason}).`, { tradeId: before.id });
  }
  const view = await openPaymentIntent(deps, payment);
  // Read again: the succeeded webhook may have settled it while the intent was being created.
  const trade = await deps.db.selectFrom('trades').selectAll().where('id', '=', payment.trade_id!).executeTakeFirstOrThrow();
  return { trade, payment: view };
}

export interface TopUpView extends PaymentView {
  holderId: string;
  currency: string;
  amount: number;
  status: 'pending' | 'credited' | 'reversed' | 'refunded';
}

function presentTopUp(p: PaymentRow, view: PaymentView): TopUpView {
  return {
    ...view,
    holderId: p.holder,
    currency: p.currency,
    amount: Number(p.amount),
    status: p.reversal_journal_id
      ? 'reversed'
      : p.payment_journal_id
        ? 'credited'
        : // Never credited (its amount did not match) and given back to the card.
          p.refunded_at
          ? 'refunded'
          : 'pending',
  };
}

/** Who may top up a holder by card: the operator, a platform for itself or its accounts, an account for itself. */
async function checkMayTopUp(deps: CheckoutDeps, principal: Principal, holderId: string) {
  if (holderId.startsWith('plt_')) {
    const exists = await deps.db.selectFrom('platforms').select('id').where('id', '=', holderId).executeTakeFirst();
    if (exists && (principal.kind === 'operator' || (principal.kind === 'platform' && principal.id === holderId))) return;
    throw notFound('platform', holderId);
  }
  const account = await deps.db
    .selectFrom('accounts')
    .select(['id', 'platform_id'])
    .where('id', '=', holderId)
    .executeTakeFirst();
  if (account && (principal.kind === 'operator' || mayActFor(principal, account))) return;
  throw notFound('account', holderId);
}

/**
 * `POST /v1/balances/stripe-top-ups`: a PaymentIntent whose `payment_intent.succeeded` webhook
 * credits the holder's clearing balance, once.
 */
export async function createStripeTopUp(
  deps: CheckoutDeps,
  principal: Principal,
  input: { holderId: string; currency: string; amount: number },
  idempotencyKey: string | undefined,
): Promise<TopUpView> {
  requirePayments(deps);
  await checkMayTopUp(deps, principal, input.holderId);
  const requestKey = requestKeyOf(principal, idempotencyKey);
  let payment = requestKey ? await findPaymentByRequestKey(deps.db, requestKey) : undefined;
  if (!payment) {
    const now = deps.clock.now();
    payment = await deps.db.transaction().execute((trx) =>
      insertPayment(
        trx,
        {
          id: newTopUpId(),
          purpose: 'topup',
          holder: input.holderId,
          currency: input.currency,
          amount: BigInt(input.amount),
          requestKey,
        },
        now,
      ),
    );
  }
  const view = await openPaymentIntent(deps, payment);
  return presentTopUp((await findPayment(deps.db, payment.id))!, view);
}

/** A Stripe top-up as its holder's principals see it (the client secret is not repeated). */
export async function readStripeTopUp(deps: CheckoutDeps, principal: Principal, id: string) {
  const p = await findPayment(deps.db, id);
  if (p?.purpose !== 'topup') throw notFound('top-up', id);
  await checkMayTopUp(deps, principal, p.holder).catch(() => {
    throw notFound('top-up', id);
  });
  const { clientSecret: _secret, ...view } = presentTopUp(p, {
    id: p.id,
    paymentIntentId: p.payment_intent_id ?? '',
    clientSecret: '',
  });
  return view;
}
