import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR_KEY, type TestApp } from './support/harness.js';
import { marketWorld } from './support/market.js';
import { type StripeHarness, type StripeStandIn, startStripeTestApp } from './support/stripe-standin.js';

// Card top-ups of clearing balances through the real `stripe` SDK and the local api.stripe.com stand-in.
let t: TestApp;
let m: ReturnType<typeof marketWorld>;
let standIn: StripeStandIn;
let s: StripeHarness;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ t, standIn, s, close } = await startStripeTestApp());
  m = marketWorld(t);
});
afterAll(async () => close?.());

async function topUp(key: string, body: Record<string, unknown>, idempotencyKey?: string) {
  return t.call('POST', '/v1/balances/stripe-top-ups', {
    key,
    body,
    headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : undefined,
  });
}

describe('Stripe top-ups', () => {
  it('credits the balance once however often the succeeded webhook arrives', async () => {
    const p = await m.platform();
    const holder = await m.account(p);
    const created = m.ok(await topUp(p.key, { holderId: holder, currency: 'CNY', amount: 25_000 }, 'top-1'), 201);
    expect(created).toMatchObject({ holderId: holder, currency: 'CNY', amount: 25_000, status: 'pending' });
    expect(created.id).toMatch(/^stp_/);
    const intent = standIn.intents.get(created.paymentIntentId)!;
    expect(created.clientSecret).toBe(intent.client_secret);
    const [request] = standIn.requests.filter((r) => r.params['metadata[topUpId]'] === created.id);
    expect(request).toMatchObject({
      idempotencyKey: `haipai-pi-${created.id}`,
      params: { amount: '25000', currency: 'cny', 'metadata[holderId]': holder },
    });

    // The same request again: the same top-up, the same PaymentIntent.
    const replay = await topUp(p.key, { holderId: holder, currency: 'CNY', amount: 25_000 }, 'top-1');
    expect(replay.body.paymentIntentId).toBe(created.paymentIntentId);

    const event = standIn.signedEvent('payment_intent.succeeded', standIn.succeeded(intent));
    const replies = await Promise.all(Array.from({ length: 5 }, () => s.deliver(event)));
    expect(replies.map((r) => r.status)).toEqual(Array(5).fill(200));
    expect(await m.balance(holder)).toBe(25_000);
    // A later, different delivery of the same fact (Stripe may send a new event id) changes nothing either.
    expect((await s.deliver(standIn.signedEvent('payment_intent.succeeded', standIn.succeeded(intent)))).status).toBe(200);
    expect(await m.balance(holder)).toBe(25_000);
    const read = m.ok(await t.call('GET', `/v1/balances/stripe-top-ups/${created.id}`, { key: p.key }), 200);
    expect(read).toMatchObject({ status: 'credited', amount: 25_000 });
    expect(read.clientSecret).toBeUndefined();
  });

  it('a refunded top-up takes the credit back', async () => {
    const p = await m.platform();
    const holder = await m.account(p);
    const created = m.ok(await topUp(p.key, { holderId: holder, currency: 'CNY', amount: 3_000 }), 201);
    const intent = standIn.intents.get(created.paymentIntentId)!;
    await s.deliver(standIn.signedEvent('payment_intent.succeeded', standIn.succeeded(intent)));
    expect(await m.balance(holder)).toBe(3_000);
    await s.deliver(standIn.signedEvent('charge.refunded', standIn.refundedCharge(intent)));
    expect(await m.balance(holder)).toBe(0);
    expect(m.ok(await t.call('GET', `/v1/balances/stripe-top-ups/${created.id}`, { key: p.key }), 200).status).toBe('reversed');
  });

  it('a top-up paid with another amount is refunded in full and the refund is recorded as an event', async () => {
    const p = await m.platform();
    const holder = await m.account(p);
    const created = m.ok(await topUp(p.key, { holderId: holder, currency: 'CNY', amount: 4_000 }), 201);
    const intent = standIn.intents.get(created.paymentIntentId)!;
    const event = standIn.signedEvent('payment_intent.succeeded', { ...standIn.succeeded(intent), amount_received: 3_999 });
    expect((await s.deliver(event)).status).toBe(200);
    expect((await s.deliver(event)).status).toBe(200);
    expect(await m.balance(holder)).toBe(0);
    const refunds = standIn.requests.filter((r) => r.path === '/v1/refunds' && r.params.payment_intent === intent.id);
    expect(refunds).toHaveLength(1);
    expect(refunds[0]!.params['metadata[reason]']).toBe('amount_mismatch');
    const events = await t.deps.db
      .selectFrom('events')
      .select(['type', 'entry'])
      .where('type', '=', 'topup.refund_requested')
      .execute();
    const facts = events.map((e) => JSON.parse(e.entry)).filter((f) => f.topUpId === created.id);
    expect(facts).toEqual([
      expect.objectContaining({
        holderId: holder,
        amount: 4_000,
        amountReceived: 3_999,
        reason: 'amount_mismatch',
        currency: 'CNY',
      }),
    ]);
    // Stripe confirms the refund: the top-up reads as refunded, and nothing was ever credited.
    expect((await s.deliver(standIn.signedEvent('charge.refunded', standIn.refundedCharge(intent)))).status).toBe(200);
    expect(m.ok(await t.call('GET', `/v1/balances/stripe-top-ups/${created.id}`, { key: p.key }), 200).status).toBe('refunded');
    expect(await m.balance(holder)).toBe(0);
  });

  it('a platform tops up only itself and its own accounts; bad input is a 400', async () => {
    const p = await m.platform();
    const other = await m.platform('Other');
    const theirs = await m.account(other);
    expect((await topUp(p.key, { holderId: theirs, currency: 'CNY', amount: 100 })).status).toBe(404);
    expect((await topUp(p.key, { holderId: p.id, currency: 'CNY', amount: 100 })).status).toBe(201);
    expect((await topUp(OPERATOR_KEY, { holderId: theirs, currency: 'CNY', amount: 100 })).status).toBe(201);
    expect((await topUp(p.key, { holderId: p.id, currency: 'CNY', amount: 1.5 })).body.code).toBe('validation_failed');
    expect((await topUp(p.key, { holderId: p.id, currency: 'XXQ', amount: 100 })).body.code).toBe('validation_failed');
  });

  it('without Stripe configured, top-ups and the webhook answer 422 stripe_not_configured', async () => {
    const p = await m.platform();
    const payments = t.deps.payments;
    t.deps.payments = undefined;
    try {
      const res = await topUp(p.key, { holderId: p.id, currency: 'CNY', amount: 100 });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('stripe_not_configured');
      const hook = await s.deliver(standIn.signedEvent('payment_intent.succeeded', { id: 'pi_x', object: 'payment_intent' }));
      expect(hook.status).toBe(422);
    } finally {
      t.deps.payments = payments;
    }
  });
});
