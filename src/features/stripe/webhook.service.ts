import type { Deps } from '../../deps.js';
import { AppError, badRequest } from '../../http/problem.js';
import { type PaymentEvent, type Payments, WebhookSignatureError } from '../../ports/payments.js';
import { lockListing } from '../auctions/auctions.repo.js';
import { lockLicensedWork } from '../licensing/card-payments.js';
import { sendBidActions } from './bid-authorisations.service.js';
import { applyAccountUpdated, isConnectAccountEvent } from './connect-status.service.js';
import { findPaymentFor, lockPaymentFor, type PaymentRow, updatePayment } from './payments.repo.js';
import { sendTransfers } from './payouts.service.js';
import { reconcilePayment } from './reconcile.service.js';
import { sendRefunds } from './refunds.service.js';

export function requirePayments(deps: Pick<Deps, 'payments'>): Payments {
  if (!deps.payments) {
    throw new AppError(
      422,
      'stripe_not_configured',
      'Stripe is not configured here (set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET).',
    );
  }
  return deps.payments;
}

export interface WebhookOutcome {
  eventId: string;
  type: string;
  /** Seen before: its effect had already committed, nothing was done again. */
  duplicate: boolean;
  /** Not about a payment of ours (another product on the Stripe account, or a type we do not use). */
  ignored: boolean;
}

type Obj = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const metadataOf = (o: Obj) => (o.metadata && typeof o.metadata === 'object' ? (o.metadata as Record<string, string>) : {});

/** What the event says about which payment it concerns. */
function paymentRef(event: PaymentEvent): { id?: string; paymentIntentId?: string } | null {
  const o = event.data.object;
  const meta = metadataOf(o);
  const id = meta.tradeId ?? meta.topUpId ?? meta.bidPaymentId ?? meta.licencePaymentId;
  if (event.type.startsWith('payment_intent.')) return { id, paymentIntentId: str(o.id) };
  if (event.type === 'charge.refunded') return { id, paymentIntentId: str(o.payment_intent) };
  if (event.type.startsWith('charge.dispute.')) return { id, paymentIntentId: str(o.payment_intent) };
  return null;
}

/** What a Charge object says was taken from the card (minor units), if it says. */
function chargedAmount(charge: Obj): bigint | null {
  const amount = Number(charge.amount_captured ?? charge.amount);
  return Number.isSafeInteger(amount) && amount > 0 ? BigInt(amount) : null;
}

/** The fact an event adds to its payment row; facts only accumulate, so arrival order does not matter. */
function factOf(event: PaymentEvent, p: PaymentRow, now: Date): Partial<PaymentRow> | null {
  const o = event.data.object;
  switch (event.type) {
    case 'payment_intent.succeeded':
      return {
        succeeded_at: p.succeeded_at ?? now,
        amount_received: p.amount_received ?? BigInt(Number(o.amount_received ?? o.amount ?? 0)),
        charge_id: p.charge_id ?? str(o.latest_charge) ?? null,
        payment_intent_id: p.payment_intent_id ?? str(o.id) ?? null,
      };
    case 'payment_intent.amount_capturable_updated':
      // A manual-capture intent (a card bid) is authorised: the amount can be captured. A later
      // update to 0 (cancelled, captured) says nothing new: those have their own events.
      if (o.status !== 'requires_capture' && Number(o.amount_capturable ?? 0) <= 0) return null;
      return { authorized_at: p.authorized_at ?? now, payment_intent_id: p.payment_intent_id ?? str(o.id) ?? null };
    case 'payment_intent.payment_failed':
      return { failed_at: p.failed_at ?? now, payment_intent_id: p.payment_intent_id ?? str(o.id) ?? null };
    case 'payment_intent.canceled':
      return { canceled_at: p.canceled_at ?? now, payment_intent_id: p.payment_intent_id ?? str(o.id) ?? null };
    case 'charge.refunded': {
      // Each event carries the charge's refunded total so far: the largest seen is the fact, so a
      // late event about an earlier partial refund changes nothing. All of it refunded is a full refund.
      const total = BigInt(Math.max(0, Math.trunc(Number(o.amount_refunded ?? 0))));
      const refunded = total > p.amount_refunded ? total : p.amount_refunded;
      const full = o.refunded === true || refunded >= p.amount;
      return {
        amount_refunded: refunded,
        refunded_at: full ? (p.refunded_at ?? now) : p.refunded_at,
        // A refunded charge was paid: this may be the first we hear of the payment (see isPaid).
        charge_id: p.charge_id ?? str(o.id) ?? null,
        amount_received: p.amount_received ?? chargedAmount(o),
      };
    }
    case 'charge.dispute.created':
      return {
        charge_id: p.charge_id ?? str(o.charge) ?? null,
        dispute_id: p.dispute_id ?? str(o.id) ?? null,
        // A close that arrived first wins: 'open' never overwrites a decision.
        dispute_status: p.dispute_status ?? 'open',
      };
    case 'charge.dispute.closed':
      return {
        charge_id: p.charge_id ?? str(o.charge) ?? null,
        dispute_id: p.dispute_id ?? str(o.id) ?? null,
        dispute_status: o.status === 'lost' ? 'lost' : 'won',
      };
    default:
      return null;
  }
}

/**
 * `POST /v1/stripe/webhook`. The signature is checked on the raw body (Stripe-Signature, HMAC-SHA256
 * over "<t>.<body>", 5 minutes' tolerance) with SubtleCrypto so this runs on Workers too. Then, in
 * one transaction, the event id is inserted into `stripe_events` (a concurrent or later duplicate
 * finds it and does nothing) together with the event's effect: if anything fails, neither commits
 * and Stripe's redelivery does the work, once. Refunds decided here are requested after commit.
 */
export async function handleStripeWebhook(
  deps: Pick<Deps, 'db' | 'clock' | 'payments' | 'log'>,
  rawBody: string,
  signature: string | undefined,
): Promise<WebhookOutcome> {
  const payments = requirePayments(deps);
  if (!signature) throw badRequest('invalid_signature', 'The Stripe-Signature header is missing.');
  let event: PaymentEvent;
  try {
    event = await payments.verifyWebhook(rawBody, signature);
  } catch (err) {
    if (err instanceof WebhookSignatureError) {
      throw badRequest('invalid_signature', 'The Stripe-Signature does not match this body, or it is too old.');
    }
    throw err;
  }
  const now = deps.clock.now();
  const ref = paymentRef(event);
  const outcome = await deps.db.transaction().execute(async (trx) => {
    const fresh = await trx
      .insertInto('stripe_events')
      .values({
        id: event.id,
        type: event.type,
        payment_intent_id: ref?.paymentIntentId ?? null,
        stripe_created: new Date(event.created * 1000),
        received_at: now,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .executeTakeFirst();
    const nothing = { refunds: [], transfers: [], listingId: null };
    if (!fresh) return { duplicate: true, ignored: false, after: nothing };
    if (isConnectAccountEvent(event)) {
      return { duplicate: false, ignored: !(await applyAccountUpdated(trx, event)), after: nothing };
    }
    // A card bid's events decide bids: the listing's lock comes first, as for every bid and close.
    const peek = ref ? await findPaymentFor(trx, ref) : undefined;
    if (peek?.listing_id) await lockListing(trx, peek.listing_id);
    // A licence fee's events make or lapse a grant: the work's lock first, as every licensing write.
    if (peek?.licence_grant_id) await lockLicensedWork(trx, peek.licence_grant_id);
    const locked = ref ? await lockPaymentFor(trx, ref) : undefined;
    const fact = locked ? factOf(event, locked, now) : null;
    if (!locked || !fact) return { duplicate: false, ignored: !locked, after: nothing };
    const payment = await updatePayment(trx, locked.id, fact, now);
    const after = await reconcilePayment(trx, payment, event.id, now);
    return { duplicate: false, ignored: false, after: { ...after, listingId: payment.listing_id } };
  });
  // After commit: Stripe calls with idempotency keys; failures stay queued for the schedule.
  await sendRefunds(deps, outcome.after.refunds);
  await sendTransfers(deps, outcome.after.transfers);
  // Captures and cancels of card bids this event decided (a bid beaten, an auction closed).
  if (outcome.after.listingId) await sendBidActions(deps, { listingId: outcome.after.listingId });
  return { eventId: event.id, type: event.type, duplicate: outcome.duplicate, ignored: outcome.ignored };
}
