import { env } from 'cloudflare:workers';
import type postgres from 'postgres';
import Stripe from 'stripe';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresClient } from '../../src/db/postgres.js';
import { call, newAccount, newPlatform, seedWorkWithClosedNotice } from './worker-client.js';

// Stripe through the real Worker (src/worker.ts) inside workerd. Its STRIPE_* bindings
// (vitest.workers.config.ts) turn the rail on and point the SDK at the stand-in for api.stripe.com
// that global-setup.ts runs in Node; webhooks are POSTed to the Worker's fetch handler as Stripe
// would, so verification runs on the adapter's SubtleCrypto path and settlement over Hyperdrive.

const base = new URL(env.STRIPE_API_BASE);
// The test's own client of the stand-in: it reads PaymentIntents the Worker created and signs events.
const sdk = new Stripe(env.STRIPE_SECRET_KEY, {
  httpClient: Stripe.createFetchHttpClient(),
  host: base.hostname,
  port: base.port,
  protocol: base.protocol === 'http:' ? 'http' : 'https',
});

// The SDK's own signer, never a hand-built header. In workerd its crypto is SubtleCrypto, which is
// async only, so generateTestHeaderString's Async twin signs here (the first test shows why).
async function signed(type: string, object: unknown, opts: { timestamp?: number } = {}) {
  const payload = JSON.stringify({
    id: `evt_${ulid()}`,
    object: 'event',
    api_version: '2025-01-01',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    type,
    data: { object },
  });
  const signature = await sdk.webhooks.generateTestHeaderStringAsync({
    payload,
    secret: env.STRIPE_WEBHOOK_SECRET,
    timestamp: opts.timestamp,
  });
  return { payload, signature };
}

function deliver(event: { payload: string; signature: string }) {
  return call('POST', '/v1/stripe/webhook', {
    rawBody: event.payload,
    headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': event.signature },
  });
}

/** The PaymentIntent as the stand-in holds it, as a payment_intent.succeeded event carries it. */
async function succeededIntent(id: string) {
  const intent = await sdk.paymentIntents.retrieve(id);
  return { ...intent, status: 'succeeded', amount_received: intent.amount, latest_charge: `ch_${id.slice(3)}` };
}

async function cnyBalance(holderId: string, key = env.OPERATOR_API_KEY): Promise<number> {
  const res = await call('GET', `/v1/balances/${holderId}`, { key });
  expect(res.status, res.text).toBe(200);
  return res.body.balances.find((b: { currency: string }) => b.currency === 'CNY')?.amount ?? 0;
}

let sql: postgres.Sql;
beforeAll(() => {
  sql = postgresClient({ url: env.HYPERDRIVE.connectionString, max: 1 });
});
afterAll(async () => {
  await sql?.end();
});

describe('Stripe through the Worker', () => {
  it('the synchronous signer is unavailable in workerd: crypto is SubtleCrypto', () => {
    expect(() => sdk.webhooks.generateTestHeaderString({ payload: '{}', secret: env.STRIPE_WEBHOOK_SECRET })).toThrow(/Async/);
  });

  it('a card top-up is credited once by its signed webhook; a tampered body or a stale signature is a 400', async () => {
    const p = await newPlatform('Workerd Pay');
    const created = await call('POST', '/v1/balances/stripe-top-ups', {
      key: p.key,
      body: { holderId: p.id, currency: 'CNY', amount: 1234 },
    });
    expect(created.status, created.text).toBe(201);
    // The Worker created the PaymentIntent at the stand-in through the SDK.
    const intent = await succeededIntent(created.body.paymentIntentId);
    expect(intent).toMatchObject({ amount: 1234, currency: 'cny', metadata: { topUpId: created.body.id } });
    const event = await signed('payment_intent.succeeded', intent);

    const tampered = await deliver({ payload: event.payload.replace('1234', '9999'), signature: event.signature });
    const stale = await deliver(
      await signed('payment_intent.succeeded', intent, { timestamp: Math.floor(Date.now() / 1000) - 3600 }),
    );
    for (const refused of [tampered, stale]) {
      expect(refused.status, refused.text).toBe(400);
      expect(refused.type).toContain('application/problem+json');
      expect(refused.body.code).toBe('invalid_signature');
    }
    expect(await cnyBalance(p.id)).toBe(0);

    expect(await deliver(event)).toMatchObject({ status: 200, body: { received: true, duplicate: false } });
    expect(await deliver(event)).toMatchObject({ status: 200, body: { duplicate: true } });
    expect(await cnyBalance(p.id)).toBe(1234);
    const read = await call('GET', `/v1/balances/stripe-top-ups/${created.body.id}`, { key: p.key });
    expect(read.body).toMatchObject({ status: 'credited', amount: 1234 });
  });

  it('a stripe-rail purchase made through the Worker settles when payment_intent.succeeded arrives', async () => {
    const p = await newPlatform('Workerd Card Market');
    const seller = await newAccount(p.key, 'Atelier');
    const buyer = await newAccount(p.key, 'Collector');
    const assetId = await seedWorkWithClosedNotice(sql, p.id, seller);
    // Issuing the edition (a write) registers the work whose notice has closed; reads never do.
    const edition = await call('POST', `/v1/assets/${assetId}/editions`, {
      key: p.key,
      body: { size: 3, preset: 'open_market' },
    });
    expect(edition.status, edition.text).toBe(201);
    expect((await call('GET', `/v1/assets/${assetId}`, { key: p.key })).body.status).toBe('registered');
    const minted = await call('POST', `/v1/editions/${edition.body.id}/mint`, { key: p.key, body: { count: 1 } });
    expect(minted.status, minted.text).toBe(201);
    const unitId = minted.body.units[0].id as string;
    const listing = await call('POST', '/v1/listings', {
      key: p.key,
      body: { kind: 'fixed', sellerId: seller, unitId, price: 10_000, currency: 'CNY' },
    });
    expect(listing.status, listing.text).toBe(201);

    const purchase = await call('POST', `/v1/listings/${listing.body.id}/purchase`, {
      key: p.key,
      body: { buyerId: buyer, rail: 'stripe' },
    });
    expect(purchase.status, purchase.text).toBe(201);
    expect(purchase.body).toMatchObject({ rail: 'stripe', status: 'reserved' });
    const intent = await succeededIntent(purchase.body.payment.paymentIntentId);
    expect(intent).toMatchObject({ amount: 10_000, metadata: { tradeId: purchase.body.id } });
    expect((await call('GET', `/v1/units/${unitId}`)).body.ownerId).toBe(seller);

    const settled = await deliver(await signed('payment_intent.succeeded', intent));
    expect(settled).toMatchObject({ status: 200, body: { received: true, duplicate: false } });
    const trade = await call('GET', `/v1/trades/${purchase.body.id}`, { key: p.key });
    expect(trade.body).toMatchObject({ status: 'settled', rail: 'stripe' });
    expect((await call('GET', `/v1/units/${unitId}`)).body.ownerId).toBe(buyer);
    // The seller's proceeds, less the platform's 2.5 % fee (no royalty on this edition).
    expect(await cnyBalance(seller)).toBe(9_750);
    expect(await cnyBalance(p.id)).toBe(250);
  });
});
