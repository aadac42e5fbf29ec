import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { startTestApp } from './harness.js';

/**
 * A STAND-IN for api.stripe.com, for tests only: Stripe's API cannot be reached from this machine
 * and stripe-mock is not installable here. It is driven by the real `stripe` SDK (STRIPE_API_BASE
 * points the SDK here), records every request the SDK sends (method, path, form parameters,
 * Idempotency-Key) and answers with minimal realistic JSON for PaymentIntents, Refunds, Accounts,
 * AccountLinks, Transfers and transfer reversals. Like Stripe, a repeated Idempotency-Key gets the first answer back.
 * It also builds and signs webhook events — with the SDK's own generateTestHeaderString, never by hand.
 */
export interface RecordedRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  idempotencyKey: string | undefined;
}

type Json = Record<string, unknown>;

export interface StripeStandIn {
  /** For STRIPE_API_BASE. */
  base: string;
  secretKey: string;
  webhookSecret: string;
  requests: RecordedRequest[];
  /** Runs before the stand-in answers a PaymentIntent create: e.g. deliver its webhook first. */
  onPaymentIntentCreated?: (intent: Json) => Promise<void>;
  /** The next `times` requests to `path` get a 500 (the SDK retries once, so 2 fail a call). */
  failNext(path: string, times: number): void;
  intents: Map<string, Json>;
  /** A signed webhook body + Stripe-Signature header for an event about `object`. */
  signedEvent(
    type: string,
    object: Json,
    opts?: { id?: string; timestamp?: number },
  ): { payload: string; signature: string; id: string };
  /** PaymentIntent snapshots as webhooks carry them. */
  succeeded(intent: Json): Json;
  failed(intent: Json): Json;
  canceled(intent: Json): Json;
  /** The intent's charge, fully refunded. */
  refundedCharge(intent: Json): Json;
  dispute(intent: Json, status: 'needs_response' | 'won' | 'lost'): Json;
  close(): Promise<void>;
}

const rand = (n = 14) => randomBytes(n).toString('base64url').replace(/[-_]/g, 'x').slice(0, n);

async function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return Object.fromEntries(new URLSearchParams(text));
}

/** `metadata[tradeId]=x` → `{ tradeId: 'x' }`. */
function nested(params: Record<string, string>, name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    const m = new RegExp(`^${name}\\[([^\\]]+)\\]$`).exec(k);
    if (m) out[m[1]!] = v;
  }
  return out;
}

export async function startStripeStandIn(): Promise<StripeStandIn> {
  const secretKey = `sk_test_standin_${rand(24)}`;
  const webhookSecret = `whsec_standin_${rand(32)}`;
  // Only for generateTestHeaderString; this client never makes a request.
  const signer = new Stripe(secretKey);
  const requests: RecordedRequest[] = [];
  const replies = new Map<string, { status: number; body: Json }>();
  const failures = new Map<string, number>();
  const intents = new Map<string, Json>();
  const now = () => Math.floor(Date.now() / 1000);

  const standIn: StripeStandIn = {
    base: '',
    secretKey,
    webhookSecret,
    requests,
    intents,
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
          created: now(),
          livemode: false,
          pending_webhooks: 1,
          request: { id: null, idempotency_key: null },
          type,
          data: { object },
        },
        null,
        2,
      );
      const signature = signer.webhooks.generateTestHeaderString({
        payload,
        secret: webhookSecret,
        timestamp: opts.timestamp,
      });
      return { payload, signature, id };
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
    refundedCharge: (pi) => ({
      id: `ch_${String(pi.id).slice(3)}`,
      object: 'charge',
      amount: pi.amount,
      amount_refunded: pi.amount,
      currency: pi.currency,
      paid: true,
      refunded: true,
      payment_intent: pi.id,
      metadata: {},
      transfer_group: pi.transfer_group ?? null,
    }),
    dispute: (pi, status) => ({
      id: `dp_${String(pi.id).slice(3)}`,
      object: 'dispute',
      amount: pi.amount,
      currency: pi.currency,
      charge: `ch_${String(pi.id).slice(3)}`,
      payment_intent: pi.id,
      reason: 'fraudulent',
      status,
    }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  async function answer(method: string, path: string, params: Record<string, string>): Promise<{ status: number; body: Json }> {
    if (method === 'POST' && path === '/v1/payment_intents') {
      const id = `pi_${rand(24)}`;
      const intent: Json = {
        id,
        object: 'payment_intent',
        amount: Number(params.amount),
        amount_received: 0,
        currency: params.currency,
        status: 'requires_payment_method',
        client_secret: `${id}_secret_${rand(24)}`,
        metadata: nested(params, 'metadata'),
        transfer_group: params.transfer_group ?? null,
        description: params.description ?? null,
        created: now(),
        livemode: false,
        latest_charge: null,
      };
      intents.set(id, intent);
      await standIn.onPaymentIntentCreated?.(intent);
      return { status: 200, body: intent };
    }
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
      return {
        status: 200,
        body: {
          id: `re_${rand(24)}`,
          object: 'refund',
          amount: Number(params.amount ?? intent.amount),
          currency: intent.currency,
          payment_intent: intent.id,
          charge: `ch_${String(intent.id).slice(3)}`,
          metadata: nested(params, 'metadata'),
          status: 'succeeded',
          created: now(),
        },
      };
    }
    if (method === 'POST' && path === '/v1/accounts') {
      return {
        status: 200,
        body: {
          id: `acct_${rand(16)}`,
          object: 'account',
          type: params.type ?? 'express',
          country: params.country ?? 'US',
          charges_enabled: false,
          payouts_enabled: false,
          details_submitted: false,
          metadata: nested(params, 'metadata'),
          created: now(),
        },
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
      const reply = await answer(req.method ?? 'GET', path, params);
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
}

export function stripeHarness(
  standIn: StripeStandIn,
  app: { request(path: string, init: RequestInit): Response | Promise<Response> },
): StripeHarness {
  return {
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
  };
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
    STRIPE_API_BASE: standIn.base,
    ...env,
  });
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
