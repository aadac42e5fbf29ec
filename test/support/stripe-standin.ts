import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { startTestApp } from './harness.js';
import { answerStripeRequest, type ChargeState, type Json, rand, type StandInState } from './stripe-standin-api.js';

/**
 * A STAND-IN for api.stripe.com, for tests only: Stripe's API cannot be reached from this machine
 * and stripe-mock is not installable here. It is driven by the real `stripe` SDK (STRIPE_API_BASE
 * points the SDK here), records every request the SDK sends (method, path, form parameters,
 * Idempotency-Key) and answers with minimal realistic JSON for PaymentIntents, Refunds, Accounts
 * (created, kept and retrievable), AccountLinks, Transfers and transfer reversals, and manual capture
 * (authorise, capture, cancel, with Stripe's `payment_intent_unexpected_state` refusals). Like Stripe, a
 * repeated Idempotency-Key gets the first answer back. It also builds and signs webhook events —
 * with the SDK's own generateTestHeaderString, never by hand; events on connected accounts are
 * signed with the Connect endpoint's own secret, as Stripe does.
 */
export interface RecordedRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  idempotencyKey: string | undefined;
}

export interface StripeStandIn {
  /** For STRIPE_API_BASE. */
  base: string;
  secretKey: string;
  webhookSecret: string;
  /** The Connect endpoint's signing secret (STRIPE_CONNECT_WEBHOOK_SECRET). */
  connectWebhookSecret: string;
  requests: RecordedRequest[];
  /** Runs before the stand-in answers a PaymentIntent create: e.g. deliver its webhook first. */
  onPaymentIntentCreated?: (intent: Json) => Promise<void>;
  /** The next `times` requests to `path` get a 500 (the SDK retries once, so 2 fail a call). */
  failNext(path: string, times: number): void;
  intents: Map<string, Json>;
  /**
   * By PaymentIntent id, what Stripe knows of its charge: building a refund or dispute event records
   * it here (it has happened at Stripe, whenever its event is delivered), and a refund request is
   * answered from it as Stripe would (`charge_already_refunded`, `charge_disputed`).
   */
  charges: Map<string, ChargeState>;
  /** Refunds the stand-in made at the exchange's request. */
  refunds: Json[];
  /** Connected accounts as GET /v1/accounts/:id answers them. */
  accounts: Map<string, Json>;
  /**
   * Stripe's clock for `created` (events and objects): startStripeTestApp sets the app's test clock,
   * as real Stripe and the exchange share real time. Signature timestamps stay real.
   */
  clock?: { now(): Date };
  /**
   * A signed webhook body + Stripe-Signature header for an event about `object`; `created`
   * (Unix seconds) overrides the event's time, e.g. to deliver an older event late; `account`
   * makes it a Connect event on that connected account, signed with the Connect secret.
   */
  signedEvent(
    type: string,
    object: Json,
    opts?: { id?: string; timestamp?: number; created?: number; account?: string },
  ): { payload: string; signature: string; id: string };
  /** Changes a connected account as Stripe would (e.g. after onboarding); returns its snapshot. */
  updateAccount(id: string, patch: Json): Json;
  /** The connected account changes, and the signed Connect event `account.updated` that says so. */
  accountUpdated(
    id: string,
    patch: Json,
    opts?: { id?: string; created?: number },
  ): { payload: string; signature: string; id: string };
  /**
   * The buyer confirms a manual-capture intent and the card is authorised: the stand-in's intent
   * becomes `requires_capture` (so a capture request succeeds) and this returns its snapshot, as
   * `payment_intent.amount_capturable_updated` carries it.
   */
  authorize(intent: Json): Json;
  /** PaymentIntent snapshots as webhooks carry them. */
  succeeded(intent: Json): Json;
  failed(intent: Json): Json;
  canceled(intent: Json): Json;
  /** The intent's charge with `refunded` of it refunded so far (default: all of it). */
  refundedCharge(intent: Json, refunded?: number): Json;
  dispute(intent: Json, status: 'needs_response' | 'won' | 'lost'): Json;
  close(): Promise<void>;
}

async function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return Object.fromEntries(new URLSearchParams(text));
}

export async function startStripeStandIn(): Promise<StripeStandIn> {
  const secretKey = `sk_test_standin_${rand(24)}`;
  const webhookSecret = `whsec_standin_${rand(32)}`;
  const connectWebhookSecret = `whsec_standin_connect_${rand(32)}`;
  // Only for generateTestHeaderString; this client never makes a request.
  const signer = new Stripe(secretKey);
  const requests: RecordedRequest[] = [];
  const replies = new Map<string, { status: number; body: Json }>();
  const failures = new Map<string, number>();
  const intents = new Map<string, Json>();
  const accounts = new Map<string, Json>();
  const charges = new Map<string, ChargeState>();
  const refunds: Json[] = [];
  const chargeOf = (pi: Json) => charges.get(String(pi.id)) ?? { amountRefunded: 0, dispute: null };
  const now = () => Math.floor((standIn.clock?.now() ?? new Date()).getTime() / 1000);

  const standIn: StripeStandIn = {
    base: '',
    secretKey,
    webhookSecret,
    connectWebhookSecret,
    requests,
    intents,
    charges,
    refunds,
    accounts,
    failNext(path, times) {
      failures.set(path, times);
    },
    signedEvent(type, object, opts = {}) {
      const id = opts.id ?? `evt_${rand(24)}`;
      const payload = JSON.stringify(
        {
          id,
          object: 'event',
          api_version: '2025-01-01',
          created: opts.created ?? now(),
          livemode: false,
          pending_webhooks: 1,
          request: { id: null, idempotency_key: null },
          type,
          ...(opts.account ? { account: opts.account } : {}),
          data: { object },
        },
        null,
        2,
      );
      const signature = signer.webhooks.generateTestHeaderString({
        payload,
        secret: opts.account ? connectWebhookSecret : webhookSecret,
        timestamp: opts.timestamp,
      });
      return { payload, signature, id };
    },
    updateAccount(id, patch) {
      const account = accounts.get(id);
      if (!account) throw new Error(`stand-in: no account ${id}`);
      Object.assign(account, structuredClone(patch));
      return structuredClone(account);
    },
    accountUpdated(id, patch, opts = {}) {
      return standIn.signedEvent('account.updated', standIn.updateAccount(id, patch), { ...opts, account: id });
    },
    authorize(pi) {
      const intent = intents.get(String(pi.id));
      if (!intent) throw new Error(`stand-in: no intent ${String(pi.id)}`);
      if (intent.status === 'requires_payment_method') {
        Object.assign(intent, { status: 'requires_capture', amount_capturable: intent.amount });
      }
      return structuredClone(intent);
    },
    succeeded: (pi) => ({
      ...pi,
      status: 'succeeded',
      amount_received: pi.amount,
      latest_charge: `ch_${String(pi.id).slice(3)}`,
    }),
    failed: (pi) => ({
      ...pi,
      status: 'requires_payment_method',
      last_payment_error: { code: 'card_declined', message: 'Your card was declined.' },
    }),
    canceled: (pi) => ({ ...pi, status: 'canceled', cancellation_reason: 'abandoned' }),
    refundedCharge(pi, refunded = Number(pi.amount)) {
      const charge = chargeOf(pi);
      charges.set(String(pi.id), { ...charge, amountRefunded: Math.max(charge.amountRefunded, refunded) });
      return {
        id: `ch_${String(pi.id).slice(3)}`,
        object: 'charge',
        amount: pi.amount,
        amount_refunded: refunded,
        currency: pi.currency,
        paid: true,
        refunded: refunded >= Number(pi.amount),
        payment_intent: pi.id,
        metadata: {},
        transfer_group: pi.transfer_group ?? null,
      };
    },
    dispute(pi, status) {
      charges.set(String(pi.id), { ...chargeOf(pi), dispute: status });
      return {
        id: `dp_${String(pi.id).slice(3)}`,
        object: 'dispute',
        amount: pi.amount,
        currency: pi.currency,
        charge: `ch_${String(pi.id).slice(3)}`,
        payment_intent: pi.id,
        reason: 'fraudulent',
        status,
      };
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const state: StandInState = {
    intents,
    accounts,
    charges,
    refunds,
    now,
    onPaymentIntentCreated: (intent) => standIn.onPaymentIntentCreated?.(intent) ?? Promise.resolve(),
  };

  const server: Server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://standin').pathname;
    const params = req.method === 'POST' ? await readForm(req) : {};
    const header = req.headers['idempotency-key'];
    const idempotencyKey = Array.isArray(header) ? header[0] : header;
    requests.push({ method: req.method ?? 'GET', path, params, idempotencyKey });
    const send = (r: { status: number; body: Json }) => {
      res.writeHead(r.status, { 'content-type': 'application/json', 'request-id': `req_${rand(14)}` });
      res.end(JSON.stringify(r.body));
    };
    const failing = failures.get(path) ?? 0;
    if (failing > 0) {
      failures.set(path, failing - 1);
      return send({ status: 500, body: { error: { type: 'api_error', message: 'stand-in: simulated outage' } } });
    }
    const remembered = idempotencyKey ? replies.get(`${path}\n${idempotencyKey}`) : undefined;
    if (remembered) return send(remembered);
    try {
      const reply = await answerStripeRequest(state, req.method ?? 'GET', path, params);
      if (idempotencyKey && reply.status < 500) replies.set(`${path}\n${idempotencyKey}`, reply);
      send(reply);
    } catch (err) {
      send({ status: 500, body: { error: { type: 'api_error', message: String((err as Error).message) } } });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  standIn.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return standIn;
}

/** What a test needs to drive Stripe flows against a test app. */
export interface StripeHarness {
  standIn: StripeStandIn;
  /** POSTs a signed event to the app's webhook endpoint exactly as Stripe would. */
  deliver(event: { payload: string; signature: string }): Promise<{ status: number; body: Json }>;
  /** Stripe finishes onboarding a connected account and says so with account.updated. */
  enablePayouts(stripeAccountId: string): Promise<{ status: number; body: Json }>;
}

/** A connected account that completed onboarding: Stripe lets it take charges and payouts. */
export const ENABLED_ACCOUNT: Json = {
  charges_enabled: true,
  payouts_enabled: true,
  details_submitted: true,
  requirements: { currently_due: [], disabled_reason: null },
};

export function stripeHarness(
  standIn: StripeStandIn,
  app: { request(path: string, init: RequestInit): Response | Promise<Response> },
): StripeHarness {
  const harness: StripeHarness = {
    standIn,
    async deliver(event) {
      const res = await app.request('/v1/stripe/webhook', {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': event.signature },
        body: event.payload,
      });
      const text = await res.text();
      let body: Json = {};
      try {
        body = JSON.parse(text);
      } catch {}
      return { status: res.status, body };
    },
    enablePayouts: (stripeAccountId) => harness.deliver(standIn.accountUpdated(stripeAccountId, ENABLED_ACCOUNT)),
  };
  return harness;
}

/**
 * A test app whose Stripe rail talks to a fresh stand-in: the real SDK via STRIPE_API_BASE, and a
 * harness that signs webhooks with the SDK's own test header.
 */
export async function startStripeTestApp(env: Record<string, string> = {}) {
  const standIn = await startStripeStandIn();
  const t = await startTestApp({
    STRIPE_SECRET_KEY: standIn.secretKey,
    STRIPE_WEBHOOK_SECRET: standIn.webhookSecret,
    STRIPE_CONNECT_WEBHOOK_SECRET: standIn.connectWebhookSecret,
    STRIPE_API_BASE: standIn.base,
    ...env,
  });
  standIn.clock = t.clock;
  return {
    t,
    standIn,
    s: stripeHarness(standIn, t.app),
    close: async () => {
      await t.close();
      await standIn.close();
    },
  };
}
