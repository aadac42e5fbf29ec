import { monotonicFactory } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScheduledWork } from '../src/scheduled.js';
import { OPERATOR_KEY, type TestApp } from './support/harness.js';
import { marketWorld } from './support/market.js';
import { type StripeHarness, type StripeStandIn, startStripeTestApp } from './support/stripe-standin.js';

// Stripe Connect payouts of stripe-rail trades, through the real SDK and the api.stripe.com stand-in.
let t: TestApp;
let m: ReturnType<typeof marketWorld>;
let standIn: StripeStandIn;
let s: StripeHarness;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ t, standIn, s, close } = await startStripeTestApp({ NOTICE_PERIOD: '0' }));
  m = marketWorld(t);
});
afterAll(async () => close?.());

async function onboard(p: { key: string }, accountId: string) {
  return t.call('POST', '/v1/stripe/connect/onboarding', {
    key: p.key,
    body: { accountId, refreshUrl: 'https://platform.example/refresh', returnUrl: 'https://platform.example/done' },
  });
}

/** Seller and creator onboarded; a unit sold on the stripe rail for 10,000 (fee 5%, royalty 10%) and paid. */
async function paidTrade() {
  const world = await m.work({ royaltyBps: 1000 });
  const seller = await m.account(world.p);
  const buyer = await m.account(world.p);
  // Stripe enables both connected accounts once their holders finish onboarding (account.updated).
  for (const holder of [seller, world.creator]) {
    expect((await s.enablePayouts(m.ok(await onboard(world.p, holder), 201).stripeAccountId)).status).toBe(200);
  }
  const [unit] = (await m.mint(world.p, world.edition.id, 1, seller)).units;
  const listing = await m.list(world.p, { kind: 'fixed', sellerId: seller, unitId: unit.id, price: 10_000 });
  const trade = m.ok(
    await t.call('POST', `/v1/listings/${listing.id}/purchase`, { key: world.p.key, body: { buyerId: buyer, rail: 'stripe' } }),
    201,
  );
  const intent = standIn.intents.get(trade.payment.paymentIntentId)!;
  const event = standIn.signedEvent('payment_intent.succeeded', standIn.succeeded(intent));
  return { ...world, seller, buyer, trade, intent, event };
}

const transfersOf = (tradeId: string) =>
  standIn.requests.filter((r) => r.path === '/v1/transfers' && r.params.transfer_group === tradeId);

describe('Stripe Connect payouts', () => {
  it('onboards an account once and hands out a fresh link each time', async () => {
    const p = await m.platform();
    const acc = await m.account(p);
    const first = m.ok(await onboard(p, acc), 201);
    expect(first.stripeAccountId).toMatch(/^acct_/);
    expect(first.onboardingUrl).toMatch(/^https:\/\/connect\.stripe\.com\//);
    const second = m.ok(await onboard(p, acc), 201);
    expect(second.stripeAccountId).toBe(first.stripeAccountId);
    const creates = standIn.requests.filter((r) => r.path === '/v1/accounts' && r.params['metadata[accountId]'] === acc);
    expect(creates).toEqual([
      expect.objectContaining({ idempotencyKey: `haipai-acct-${acc}`, params: expect.objectContaining({ type: 'express' }) }),
    ]);
    const links = standIn.requests.filter((r) => r.path === '/v1/account_links' && r.params.account === first.stripeAccountId);
    expect(links).toHaveLength(2);
    expect(links[0]!.params).toMatchObject({ type: 'account_onboarding', return_url: 'https://platform.example/done' });
    // Another platform cannot onboard this platform's account.
    const other = await m.platform('Other');
    expect((await onboard(other, acc)).status).toBe(404);
  });

  it('pays seller and creator by separate transfers sharing the trade as transfer_group, once', async () => {
    const { trade, event, seller, creator, p, intent } = await paidTrade();
    await Promise.all([s.deliver(event), s.deliver(event), s.deliver(event)]);
    const sent = transfersOf(trade.id);
    expect(sent).toHaveLength(2);
    const sellerAcct = m.ok(await t.call('GET', `/v1/accounts/${seller}/payouts`, { key: p.key }), 200);
    const creatorAcct = m.ok(await t.call('GET', `/v1/accounts/${creator}/payouts`, { key: p.key }), 200);
    const byDestination = new Map(sent.map((r) => [r.params.destination, r]));
    expect(byDestination.get(sellerAcct.stripeAccountId)).toMatchObject({
      idempotencyKey: `haipai-tr-${trade.id}-${seller}-seller`,
      params: {
        amount: '8500',
        currency: 'cny',
        transfer_group: trade.id,
        source_transaction: `ch_${String(intent.id).slice(3)}`,
      },
    });
    expect(byDestination.get(creatorAcct.stripeAccountId)).toMatchObject({
      idempotencyKey: `haipai-tr-${trade.id}-${creator}-royalty`,
      params: { amount: '1000', transfer_group: trade.id },
    });
    // The proceeds left the clearing balances through payout journals; the platform keeps its fee.
    expect([await m.balance(seller), await m.balance(creator), await m.balance(p.id)]).toEqual([0, 0, 500]);
    expect(sellerAcct.totals).toEqual([{ currency: 'CNY', paid: 8_500, pending: 0 }]);
    expect(sellerAcct.transfers[0]).toMatchObject({ tradeId: trade.id, role: 'seller', status: 'paid', attempts: 1 });
    await s.deliver(event);
    expect(transfersOf(trade.id)).toHaveLength(2);
  });

  it('a failed transfer is visible and retried with backoff under the same idempotency key', async () => {
    const { trade, event, seller, p } = await paidTrade();
    standIn.failNext('/v1/transfers', 4); // both transfers' calls, and the SDK's own retry of each
    expect((await s.deliver(event)).status).toBe(200);
    const report = m.ok(await t.call('GET', `/v1/accounts/${seller}/payouts`, { key: OPERATOR_KEY }), 200);
    const failed = [...report.transfers].find((x: { tradeId: string }) => x.tradeId === trade.id);
    expect(failed).toMatchObject({ status: 'retrying', attempts: 1, paidAt: null });
    expect(failed.lastError).toBeTruthy();
    expect(report.totals).toEqual([{ currency: 'CNY', paid: 0, pending: 8_500 }]);

    await runScheduledWork(t.deps); // not due yet: nothing is sent
    expect(transfersOf(trade.id).filter((r) => r.params.amount === '8500')).toHaveLength(2);
    t.clock.advance(61);
    await runScheduledWork(t.deps);
    const after = m.ok(await t.call('GET', `/v1/accounts/${seller}/payouts`, { key: p.key }), 200);
    expect(after.transfers.find((x: { tradeId: string }) => x.tradeId === trade.id)).toMatchObject({
      status: 'paid',
      attempts: 2,
    });
    const attempts = transfersOf(trade.id).filter((r) => r.params.amount === '8500');
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((r) => r.idempotencyKey))).toEqual(new Set([`haipai-tr-${trade.id}-${seller}-seller`]));
  });

  it('a refund after payout claws the transfers back and reverses the trade exactly', async () => {
    const { trade, event, seller, creator, buyer, p, intent } = await paidTrade();
    expect((await s.deliver(event)).status).toBe(200);
    expect(transfersOf(trade.id)).toHaveLength(2);
    const platformBefore = await m.balance(p.id);
    const refunded = standIn.signedEvent('charge.refunded', standIn.refundedCharge(intent));
    await Promise.all([s.deliver(refunded), s.deliver(refunded)]);

    const reversals = standIn.requests.filter(
      (r) => /^\/v1\/transfers\/tr_[^/]+\/reversals$/.test(r.path) && r.params['metadata[tradeId]'] === trade.id,
    );
    expect(reversals).toHaveLength(2);
    expect(new Set(reversals.map((r) => r.idempotencyKey))).toEqual(
      new Set([`haipai-tr-${trade.id}-${seller}-seller-reversal`, `haipai-tr-${trade.id}-${creator}-royalty-reversal`]),
    );
    expect([await m.balance(seller), await m.balance(creator), await m.balance(buyer)]).toEqual([0, 0, 0]);
    expect(await m.balance(p.id)).toBe(platformBefore - 500);
    const report = m.ok(await t.call('GET', `/v1/accounts/${seller}/payouts`, { key: p.key }), 200);
    expect(report.transfers.find((x: { tradeId: string }) => x.tradeId === trade.id)).toMatchObject({
      status: 'reversed',
      stripeReversalId: expect.stringMatching(/^trr_/),
    });
    expect(report.totals).toEqual([{ currency: 'CNY', paid: 0, pending: 0 }]);
    const sum = await t.deps.db
      .selectFrom('postings')
      .innerJoin('journals', 'journals.id', 'postings.journal_id')
      .select((eb) => eb.fn.sum<string>('postings.amount').as('s'))
      .where('journals.trade_id', '=', trade.id)
      .executeTakeFirstOrThrow();
    expect(BigInt(sum.s)).toBe(0n);
  });

  it('the payout report totals every transfer in SQL and pages its rows past 1,000', async () => {
    const { trade, event, seller, p } = await paidTrade();
    expect((await s.deliver(event)).status).toBe(200);
    const [first] = await t.deps.db.selectFrom('stripe_transfers').selectAll().where('holder', '=', seller).execute();
    expect(first).toBeDefined();
    // A long-lived seller: 1,100 more transfers of 1 (paid) and 100 of 2 (not sent yet). Written
    // directly: 1,200 card trades through the API would only make the test slow, not truer.
    const nextId = monotonicFactory();
    const tradeRow = await t.deps.db.selectFrom('trades').selectAll().where('id', '=', trade.id).executeTakeFirstOrThrow();
    // One transfer per trade and role: copies of the trade row to hang them on.
    const trades = Array.from({ length: 1_200 }, () => ({
      ...tradeRow,
      id: `trd_${nextId()}`,
      status: 'released' as const,
      journal_id: null,
      settled_at: null,
      released_at: tradeRow.created_at,
      release_reason: 'bulk',
    }));
    for (let i = 0; i < trades.length; i += 200) {
      await t.deps.db
        .insertInto('trades')
        .values(trades.slice(i, i + 200))
        .execute();
    }
    const extra = trades.map((copy, i) => ({
      ...first!,
      id: `tfq_${nextId()}`,
      trade_id: copy.id,
      idempotency_key: `bulk-${trade.id}-${i}`,
      amount: i < 1_100 ? 1n : 2n,
      sent_at: i < 1_100 ? first!.sent_at : null,
      stripe_transfer_id: i < 1_100 ? first!.stripe_transfer_id : null,
    }));
    for (let i = 0; i < extra.length; i += 200) {
      await t.deps.db
        .insertInto('stripe_transfers')
        .values(extra.slice(i, i + 200))
        .execute();
    }
    const paidBefore = first!.sent_at ? Number(first!.amount) : 0;
    const report = m.ok(await t.call('GET', `/v1/accounts/${seller}/payouts?limit=100`, { key: p.key }), 200);
    expect(report.totals).toEqual([
      { currency: 'CNY', paid: paidBefore + 1_100, pending: (paidBefore ? 0 : Number(first!.amount)) + 200 },
    ]);
    expect(report.transfers).toHaveLength(100);
    const seen = new Set<string>(report.transfers.map((x: { id: string }) => x.id));
    let cursor: string | null = report.nextCursor;
    while (cursor) {
      const page = m.ok(await t.call('GET', `/v1/accounts/${seller}/payouts?limit=100&after=${cursor}`, { key: p.key }), 200);
      for (const x of page.transfers) seen.add(x.id);
      cursor = page.nextCursor;
    }
    expect(seen.size).toBe(1_201);
    const bad = await t.call('GET', `/v1/accounts/${seller}/payouts?after=nonsense`, { key: p.key });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalid_cursor');
  });

  it('a dispute before an unsent transfer goes out cancels it; the proceeds are held', async () => {
    const { trade, event, seller, intent } = await paidTrade();
    standIn.failNext('/v1/transfers', 4);
    expect((await s.deliver(event)).status).toBe(200);
    await s.deliver(standIn.signedEvent('charge.dispute.created', standIn.dispute(intent, 'needs_response')));
    t.clock.advance(3600);
    await runScheduledWork(t.deps);
    // Two failed attempts of each transfer (call + SDK retry), then nothing more: both were cancelled.
    expect(transfersOf(trade.id)).toHaveLength(4);
    expect(await m.balance(seller)).toBe(0);
    const hold = await t.deps.db
      .selectFrom('balances')
      .select('amount')
      .where('holder', '=', `hold:${trade.id}`)
      .executeTakeFirstOrThrow();
    expect(hold.amount).toBe(8_500n);
    const report = m.ok(await t.call('GET', `/v1/accounts/${seller}/payouts`, { key: OPERATOR_KEY }), 200);
    expect(report.transfers.find((x: { tradeId: string }) => x.tradeId === trade.id)).toMatchObject({ status: 'cancelled' });
  });
});
