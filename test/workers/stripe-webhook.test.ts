import { env, exports } from 'cloudflare:workers';
import Stripe from 'stripe';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stripePayments } from '../../src/adapters/stripe-payments.js';
import { createApp } from '../../src/app.js';
import { parseAppConfig } from '../../src/config.js';
import type { DatabaseHandle } from '../../src/db/database.js';
import { openPostgres } from '../../src/db/postgres.js';
import { systemClock } from '../../src/ports/clock.js';
import { MemoryLogger } from '../../src/ports/logger.js';

// Stripe webhook verification inside workerd: the adapter's constructEventAsync with the SubtleCrypto
// provider (there is no node:crypto HMAC path here), then the whole webhook route — dedupe table,
// ledger, balances — over postgres.js against this run's database. The app is built here with the
// Stripe adapter because vitest.workers.config.ts gives the Worker no Stripe secrets.

const WEBHOOK_SECRET = `whsec_workerd_${ulid()}`;
// Its webhooks helper signs test payloads. In workerd the SDK's default crypto is SubtleCrypto, which
// is async only: the synchronous generateTestHeaderString cannot run here, so its Async twin signs.
const sdk = new Stripe('sk_test_workerd', { httpClient: Stripe.createFetchHttpClient() });

let handle: DatabaseHandle;
let app: ReturnType<typeof createApp>;
beforeAll(async () => {
  handle = await openPostgres({ url: env.HYPERDRIVE.connectionString, max: 2 });
  const fail = async (): Promise<never> => {
    throw new Error('no object storage in this test');
  };
  app = createApp({
    db: handle.db,
    blobs: { presignPut: fail, stat: fail, read: fail, put: fail },
    clock: systemClock,
    config: parseAppConfig({ OPERATOR_API_KEY: env.OPERATOR_API_KEY }),
    log: new MemoryLogger(),
    payments: stripePayments({ secretKey: 'sk_test_workerd', webhookSecret: WEBHOOK_SECRET }),
  });
});
afterAll(async () => {
  await handle?.close();
});

async function call(method: string, path: string, body?: unknown) {
  const res = await app.request(path, {
    method,
    headers: { authorization: `Bearer ${env.OPERATOR_API_KEY}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function deliver(payload: string, signature: string) {
  const res = await app.request('/v1/stripe/webhook', {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signature },
    body: payload,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('Stripe webhooks in workerd', () => {
  it('the synchronous signer is unavailable here: crypto is SubtleCrypto', () => {
    expect(() => sdk.webhooks.generateTestHeaderString({ payload: '{}', secret: WEBHOOK_SECRET })).toThrow(/Async/);
  });

  it('verifies the signature with SubtleCrypto and credits a card top-up once', async () => {
    const platform = await call('POST', '/v1/platforms', { name: 'Workerd Pay', feeBps: 0 });
    expect(platform.status).toBe(201);
    const holderId = (platform.body.platform as { id: string }).id;
    const topUpId = `stp_${ulid()}`;
    const intentId = `pi_workerd${ulid()}`;
    // The row POST /v1/balances/stripe-top-ups writes before asking Stripe for the PaymentIntent.
    await handle.db
      .insertInto('stripe_payments')
      .values({
        id: topUpId,
        purpose: 'topup',
        holder: holderId,
        currency: 'CNY',
        amount: 1234n,
        payment_intent_id: intentId,
        created_at: new Date(),
        updated_at: new Date(),
      })
      .execute();

    const payload = JSON.stringify({
      id: `evt_${ulid()}`,
      object: 'event',
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      type: 'payment_intent.succeeded',
      data: {
        object: {
          id: intentId,
          object: 'payment_intent',
          amount: 1234,
          amount_received: 1234,
          currency: 'cny',
          status: 'succeeded',
          metadata: { topUpId, holderId },
        },
      },
    });
    const signature = await sdk.webhooks.generateTestHeaderStringAsync({ payload, secret: WEBHOOK_SECRET });

    const tampered = await deliver(payload.replace('1234', '9999'), signature);
    expect(tampered).toMatchObject({ status: 400, body: { code: 'invalid_signature' } });
    const staleSignature = await sdk.webhooks.generateTestHeaderStringAsync({
      payload,
      secret: WEBHOOK_SECRET,
      timestamp: Math.floor(Date.now() / 1000) - 3600,
    });
    expect((await deliver(payload, staleSignature)).status).toBe(400);
    const before = await call('GET', `/v1/balances/${holderId}`);
    expect(before.body.balances).toEqual([]);

    const first = await deliver(payload, signature);
    expect(first).toMatchObject({ status: 200, body: { received: true, duplicate: false } });
    const again = await deliver(payload, signature);
    expect(again).toMatchObject({ status: 200, body: { duplicate: true } });
    const after = await call('GET', `/v1/balances/${holderId}`);
    expect(after.body.balances).toEqual([{ currency: 'CNY', amount: 1234 }]);
  });

  it('the Worker entry mounts the endpoint; without Stripe secrets it says so', async () => {
    const res = await exports.default.fetch('https://haipai.test/v1/stripe/webhook', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' },
      body: '{}',
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { code: string }).code).toBe('stripe_not_configured');
  });
});
