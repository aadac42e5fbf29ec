import { randomBytes } from 'node:crypto';

// The stand-in's answers to the Stripe API calls the adapter makes (see stripe-standin.ts).

export type Json = Record<string, unknown>;

export const rand = (n = 14) => randomBytes(n).toString('base64url').replace(/[-_]/g, 'x').slice(0, n);

/** `metadata[tradeId]=x` → `{ tradeId: 'x' }`. */
function nested(params: Record<string, string>, name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    const m = new RegExp(`^${name}\\[([^\\]]+)\\]$`).exec(k);
    if (m) out[m[1]!] = v;
  }
  return out;
}

/** What Stripe knows about a PaymentIntent's charge: refunded so far, and its dispute's status. */
export interface ChargeState {
  amountRefunded: number;
  dispute: 'needs_response' | 'won' | 'lost' | null;
}

/** What the answers read and keep: the stand-in's objects, its clock, and its test hook. */
export interface StandInState {
  intents: Map<string, Json>;
  accounts: Map<string, Json>;
  /** By PaymentIntent id: refunds and disputes as they stand at Stripe (the event builders record them). */
  charges: Map<string, ChargeState>;
  /** Refunds Stripe made at the exchange's request. */
  refunds: Json[];
  /** Unix seconds. */
  now(): number;
  onPaymentIntentCreated?: (intent: Json) => Promise<void>;
}

/** Minimal realistic JSON for one request, or Stripe's 404 for a URL it does not know. */
export async function answerStripeRequest(
  state: StandInState,
  method: string,
  path: string,
  params: Record<string, string>,
): Promise<{ status: number; body: Json }> {
  const { intents, accounts, now } = state;
  if (method === 'POST' && path === '/v1/payment_intents') {
    const id = `pi_${rand(24)}`;
    const intent: Json = {
      id,
      object: 'payment_intent',
      amount: Number(params.amount),
      amount_received: 0,
      currency: params.currency,
      status: 'requires_payment_method',
      capture_method: params.capture_method ?? 'automatic',
      amount_capturable: 0,
      client_secret: `${id}_secret_${rand(24)}`,
      metadata: nested(params, 'metadata'),
      transfer_group: params.transfer_group ?? null,
      description: params.description ?? null,
      created: now(),
      livemode: false,
      latest_charge: null,
    };
    intents.set(id, intent);
    await state.onPaymentIntentCreated?.(intent);
    return { status: 200, body: intent };
  }
  const actionMatch = /^\/v1\/payment_intents\/([^/]+)\/(capture|cancel)$/.exec(path);
  if (method === 'POST' && actionMatch)
    return answerCaptureOrCancel(state, actionMatch[1]!, actionMatch[2] as 'capture' | 'cancel');
  const intentMatch = /^\/v1\/payment_intents\/([^/]+)$/.exec(path);
  if (method === 'GET' && intentMatch) {
    const intent = intents.get(intentMatch[1]!);
    return intent
      ? { status: 200, body: intent }
      : {
          status: 404,
          body: { error: { type: 'invalid_request_error', code: 'resource_missing', message: 'No such payment_intent' } },
        };
  }
  if (method === 'POST' && path === '/v1/refunds') {
    const intent = intents.get(params.payment_intent ?? '');
    if (!intent) {
      return {
        status: 400,
        body: { error: { type: 'invalid_request_error', code: 'resource_missing', message: 'No such payment_intent' } },
      };
    }
    // Stripe refuses to refund a charge that is already refunded in full, or disputed (open or lost).
    const charge = state.charges.get(String(intent.id)) ?? { amountRefunded: 0, dispute: null };
    const refused = (code: string, message: string) => ({
      status: 400,
      body: { error: { type: 'invalid_request_error', code, message } },
    });
    if (charge.dispute === 'needs_response' || charge.dispute === 'lost') {
      return refused('charge_disputed', `Charge for ${intent.id} has been charged back; it cannot be refunded.`);
    }
    const left = Number(intent.amount) - charge.amountRefunded;
    if (left <= 0) return refused('charge_already_refunded', `Charge for ${intent.id} has already been refunded.`);
    const amount = Math.min(Number(params.amount ?? left), left);
    state.charges.set(String(intent.id), { ...charge, amountRefunded: charge.amountRefunded + amount });
    const refund: Json = {
      id: `re_${rand(24)}`,
      object: 'refund',
      amount,
      currency: intent.currency,
      payment_intent: intent.id,
      charge: `ch_${String(intent.id).slice(3)}`,
      metadata: nested(params, 'metadata'),
      status: 'succeeded',
      created: now(),
    };
    state.refunds.push(refund);
    return { status: 200, body: refund };
  }
  if (method === 'POST' && path === '/v1/accounts') {
    const account: Json = {
      id: `acct_${rand(16)}`,
      object: 'account',
      type: params.type ?? 'express',
      country: params.country ?? 'US',
      charges_enabled: false,
      payouts_enabled: false,
      details_submitted: false,
      requirements: {
        currently_due: ['business_type', 'external_account', 'tos_acceptance.date', 'tos_acceptance.ip'],
        disabled_reason: 'requirements.past_due',
      },
      metadata: nested(params, 'metadata'),
      created: now(),
    };
    accounts.set(String(account.id), account);
    return { status: 200, body: structuredClone(account) };
  }
  const accountMatch = /^\/v1\/accounts\/(acct_[^/]+)$/.exec(path);
  if (method === 'GET' && accountMatch) {
    const account = accounts.get(accountMatch[1]!);
    return account
      ? { status: 200, body: structuredClone(account) }
      : {
          status: 404,
          body: { error: { type: 'invalid_request_error', code: 'resource_missing', message: 'No such account' } },
        };
  }
  if (method === 'POST' && path === '/v1/account_links') {
    return {
      status: 200,
      body: {
        object: 'account_link',
        url: `https://connect.stripe.com/setup/e/${params.account}/${rand(12)}`,
        created: now(),
        expires_at: now() + 300,
      },
    };
  }
  if (method === 'POST' && path === '/v1/transfers') {
    return {
      status: 200,
      body: {
        id: `tr_${rand(24)}`,
        object: 'transfer',
        amount: Number(params.amount),
        currency: params.currency,
        destination: params.destination,
        transfer_group: params.transfer_group ?? null,
        source_transaction: params.source_transaction ?? null,
        metadata: nested(params, 'metadata'),
        reversed: false,
        created: now(),
      },
    };
  }
  const reversalMatch = /^\/v1\/transfers\/([^/]+)\/reversals$/.exec(path);
  if (method === 'POST' && reversalMatch) {
    return {
      status: 200,
      body: {
        id: `trr_${rand(24)}`,
        object: 'transfer_reversal',
        amount: Number(params.amount ?? 0),
        transfer: reversalMatch[1],
        metadata: nested(params, 'metadata'),
        created: now(),
      },
    };
  }
  return {
    status: 404,
    body: { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${path}).` } },
  };
}

/**
 * Manual capture as Stripe does it: an intent in `requires_capture` (the card authorised) can be
 * captured (then `succeeded`) or cancelled; any intent not yet succeeded or cancelled can be
 * cancelled. Anything else is Stripe's 400 `payment_intent_unexpected_state`.
 */
function answerCaptureOrCancel(state: StandInState, id: string, action: 'capture' | 'cancel'): { status: number; body: Json } {
  const intent = state.intents.get(id);
  if (!intent) {
    return {
      status: 404,
      body: { error: { type: 'invalid_request_error', code: 'resource_missing', message: 'No such payment_intent' } },
    };
  }
  const refuse = () => ({
    status: 400,
    body: {
      error: {
        type: 'invalid_request_error',
        code: 'payment_intent_unexpected_state',
        message: `This PaymentIntent's status is ${intent.status}; it cannot be ${action === 'capture' ? 'captured' : 'canceled'}.`,
        payment_intent: structuredClone(intent),
      },
    },
  });
  if (action === 'capture') {
    if (intent.status !== 'requires_capture') return refuse();
    Object.assign(intent, {
      status: 'succeeded',
      amount_received: intent.amount_capturable,
      amount_capturable: 0,
      latest_charge: `ch_${id.slice(3)}`,
    });
    return { status: 200, body: structuredClone(intent) };
  }
  if (intent.status === 'succeeded' || intent.status === 'canceled') return refuse();
  Object.assign(intent, {
    status: 'canceled',
    amount_capturable: 0,
    cancellation_reason: 'requested_by_customer',
    canceled_at: state.now(),
  });
  return { status: 200, body: structuredClone(intent) };
}
