import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseExpiredReservations } from '../src/features/market/trade-release.service.js';
import type { MemoryLogger } from '../src/ports/logger.js';
import { runScheduledWork } from '../src/scheduled.js';
import type { TestApp } from './support/harness.js';
import { expectedOutcome, PRICE, type TradeFacts, type TradeOutcome, tradeFactsArb } from './support/stripe-outcomes.js';
import type { StripeHarness, StripeStandIn } from './support/stripe-standin.js';
import { type StripeTradesApp, startStripeTradesApp } from './support/stripe-trades.js';

// Issue 18: the same set of Stripe facts gives the same end state in every delivery order. Each run
// takes one set of facts about a stripe-rail trade (test/support/stripe-outcomes.ts, the README's
// table as a model), makes two trades with those facts, and delivers their Stripe-signed events to
// POST /v1/stripe/webhook in random orders, with random duplicates, the two trades' events
// interleaved; then each trade must be the table's row. With DATABASE_URL this runs on PostgreSQL,
// where a second property delivers several orders of the same events at once.
let t: TestApp;
let m: StripeTradesApp['m'];
let standIn: StripeStandIn;
let s: StripeHarness;
let st: StripeTradesApp['st'];
let close: () => Promise<void>;
beforeAll(async () => {
  ({ t, m, standIn, s, st, close } = await startStripeTradesApp());
});
afterAll(async () => close?.());

const onPostgres = Boolean(process.env.DATABASE_URL);
/** A passing run takes seconds; a failing one shrinks its counterexample with fresh trades, which takes minutes. */
const SHRINK_TIMEOUT = 600_000;
type Signed = { payload: string; signature: string; id: string };

/** Stripe's events about one trade's PaymentIntent, named for the failure message. */
function stripeEvents(f: TradeFacts, intent: Record<string, unknown>): { name: string; event: Signed }[] {
  const out: { name: string; event: Signed }[] = [];
  const add = (name: string, type: string, object: Record<string, unknown>) =>
    out.push({ name, event: standIn.signedEvent(type, object) });
  if (f.attempt.startsWith('failed')) add('failed', 'payment_intent.payment_failed', standIn.failed(intent));
  if (f.attempt.endsWith('canceled')) add('canceled', 'payment_intent.canceled', standIn.canceled(intent));
  if (f.attempt.endsWith('succeeded')) add('succeeded', 'payment_intent.succeeded', standIn.succeeded(intent));
  for (const total of f.refunds) add(`refunded:${total}`, 'charge.refunded', standIn.refundedCharge(intent, total));
  if (f.dispute !== 'none') add('dispute.created', 'charge.dispute.created', standIn.dispute(intent, 'needs_response'));
  if (f.dispute === 'won' || f.dispute === 'lost')
    add(`dispute.${f.dispute}`, 'charge.dispute.closed', standIn.dispute(intent, f.dispute));
  return out;
}

/** Stripe retries any delivery that does not get a 2xx (e.g. a deadlock victim on PostgreSQL). */
async function deliverUntilAccepted(event: Signed) {
  for (let attempt = 1; ; attempt++) {
    const reply = await s.deliver(event);
    if (reply.status === 200 || attempt === 5) {
      const requestId = (reply.body as { requestId?: string }).requestId;
      const logged = (t.deps.log as MemoryLogger).lines.filter((l) => requestId && l.fields?.requestId === requestId);
      expect(reply.status, JSON.stringify({ reply: reply.body, logged })).toBe(200);
      return;
    }
  }
}

/** Trades on one work (10% royalty, 5% fee), each with its own seller and buyer, reserved on the stripe rail. */
async function reservedTrades(n: number) {
  const world = await m.work({ royaltyBps: 1000 });
  const trades = [];
  for (let i = 0; i < n; i++) {
    const [seller, buyer] = [await m.account(world.p), await m.account(world.p)];
    const [unit] = (await m.mint(world.p, world.edition.id, 1, seller)).units;
    const listing = await m.list(world.p, { kind: 'fixed', sellerId: seller, unitId: unit.id, price: PRICE });
    const trade = m.ok(await st.buyOnStripe(world.p, listing.id, buyer), 201);
    const intent = standIn.intents.get(trade.payment.paymentIntentId)!;
    trades.push({ seller, buyer, unit, listing, trade, intent });
  }
  return { ...world, trades };
}
type World = Awaited<ReturnType<typeof reservedTrades>>;

/** What happened on the exchange before Stripe's news arrived (the same for every trade of a run). */
async function applyLocal(w: World, local: TradeFacts['local']) {
  if (local === 'cancelled') {
    for (const x of w.trades) m.ok(await t.call('POST', `/v1/trades/${x.trade.id}/cancel`, { key: w.p.key }), 200);
    return;
  }
  if (local === 'live') return;
  t.clock.advance(16 * 60);
  if (local === 'lapsed') return;
  await releaseExpiredReservations(t.deps.db, t.clock.now());
  if (local === 'sold_on') {
    for (const x of w.trades) {
      const other = await m.account(w.p);
      await m.topUp(other, PRICE);
      m.ok(await m.buy(w.p, x.listing.id, other), 201);
    }
  }
}

async function endState(w: World, x: World['trades'][number]): Promise<TradeOutcome> {
  const trade = await st.tradeRow(x.trade.id);
  const owner = await m.owner(x.unit.id);
  const freezes = await t.deps.db
    .selectFrom('unit_freezes')
    .select('cause')
    .where('unit_id', '=', x.unit.id)
    .where('lifted_at', 'is', null)
    .execute();
  const names: Record<string, string> = {
    [x.seller]: 'seller',
    [x.buyer]: 'buyer',
    [w.creator]: 'creator',
    [w.p.id]: 'platform',
    [`hold:${x.trade.id}`]: 'hold',
  };
  const net: Record<string, number> = {};
  for (const [holder, amount] of await st.netOfTrade(x.trade.id))
    if (amount !== 0n) net[names[holder] ?? holder] = Number(amount);
  return {
    status: trade.status,
    releaseReason: trade.release_reason,
    owner: owner === x.seller ? 'seller' : owner === x.buyer ? 'buyer' : 'someone_else',
    freezes: freezes.map((f) => f.cause).sort(),
    net,
    refundsMade: standIn.refunds.filter((r) => r.payment_intent === x.intent.id).length,
  };
}

/** Never more than one refund request per payment, and money conserved across the whole database. */
async function expectNoExcess(w: World) {
  for (const x of w.trades) {
    const asked = standIn.requests.filter((r) => r.path === '/v1/refunds' && r.params.payment_intent === x.intent.id);
    expect(asked.length).toBeLessThanOrEqual(1);
  }
  const total = await sql<{
    s: string;
  }>`select ((select coalesce(sum(amount), 0) from balances) + (select coalesce(sum(amount), 0) from postings where deferred and balance_after is null) + (select coalesce(sum(amount), 0) from postings where holder = 'external'))::text as s`.execute(
    t.deps.db,
  );
  expect(total.rows[0]!.s).toBe('0');
  const unbalanced = await sql`select journal_id from postings group by journal_id having sum(amount) <> 0`.execute(t.deps.db);
  expect(unbalanced.rows).toEqual([]);
}

/** `count` random keys turned into a permutation of 0..count-1. */
const permutation = (keys: number[], count: number) =>
  Array.from({ length: count }, (_, i) => i).sort((a, b) => keys[a]! - keys[b]! || a - b);

describe('reconciliation: the same facts give the same outcome in every order (issue 18)', () => {
  it(
    'two trades with the same facts, events shuffled, duplicated and interleaved, both end as the table says',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          tradeFactsArb,
          fc.array(fc.nat(), { minLength: 32, maxLength: 32 }),
          fc.array(fc.boolean(), { minLength: 16, maxLength: 16 }),
          async (facts, keys, dups) => {
            const w = await reservedTrades(2);
            const perTrade = w.trades.map((x) => stripeEvents(facts, x.intent));
            await applyLocal(w, facts.local);
            // Every event once, some twice; both trades' deliveries in one random stream.
            const stream: { trade: number; name: string; event: Signed }[] = [];
            for (const [trade, events] of perTrade.entries()) {
              for (const [i, e] of events.entries()) {
                stream.push({ trade, ...e });
                if (dups[trade * 8 + i]) stream.push({ trade, ...e });
              }
            }
            const order = permutation(keys, stream.length).map((i) => stream[i]!);
            for (const d of order) await deliverUntilAccepted(d.event);
            await releaseExpiredReservations(t.deps.db, t.clock.now());
            const want = expectedOutcome(facts);
            for (const [i, x] of w.trades.entries()) {
              const delivered = order.filter((d) => d.trade === i).map((d) => d.name);
              expect(await endState(w, x), `facts ${JSON.stringify(facts)}, delivered ${delivered.join(' → ')}`).toEqual(want);
            }
            await expectNoExcess(w);
          },
        ),
        { numRuns: onPostgres ? 40 : 14 },
      );
    },
    SHRINK_TIMEOUT,
  );

  it(
    'several orders of the same events delivered at once end in the same state',
    async () => {
      await fc.assert(
        fc.asyncProperty(tradeFactsArb, fc.array(fc.nat(), { minLength: 60, maxLength: 60 }), async (facts, keys) => {
          const w = await reservedTrades(2);
          const perTrade = w.trades.map((x) => stripeEvents(facts, x.intent));
          await applyLocal(w, facts.local);
          // Three streams per trade, each a different order of all its events (the third repeats the
          // first two events at its end), all six streams running at the same time.
          const streams = perTrade.flatMap((events, trade) =>
            [0, 1, 2].map((k) => {
              const order = permutation(keys.slice((trade * 3 + k) * 10), events.length).map((i) => events[i]!);
              return k === 2 ? [...order, ...order.slice(0, 2)] : order;
            }),
          );
          await Promise.all(
            streams.map(async (stream) => {
              for (const e of stream) await deliverUntilAccepted(e.event);
            }),
          );
          await releaseExpiredReservations(t.deps.db, t.clock.now());
          const want = expectedOutcome(facts);
          for (const x of w.trades) expect(await endState(w, x), `facts ${JSON.stringify(facts)}`).toEqual(want);
          await expectNoExcess(w);
        }),
        { numRuns: onPostgres ? 25 : 5 },
      );
    },
    SHRINK_TIMEOUT,
  );
});

describe('refund requests Stripe refuses', () => {
  const refundAsks = (intentId: unknown) =>
    standIn.requests.filter((r) => r.path === '/v1/refunds' && r.params.payment_intent === intentId);
  const refundRow = (tradeId: string) =>
    t.deps.db.selectFrom('stripe_refunds').selectAll().where('payment_id', '=', tradeId).executeTakeFirstOrThrow();

  it('already refunded at Stripe: the request is marked refused and never retried', async () => {
    const w = await reservedTrades(1);
    const [x] = w.trades;
    // Refunded at Stripe (by the platform, in its dashboard) before the exchange heard of the payment.
    const refunded = standIn.signedEvent('charge.refunded', standIn.refundedCharge(x!.intent));
    await applyLocal(w, 'lapsed');
    await deliverUntilAccepted(standIn.signedEvent('payment_intent.succeeded', standIn.succeeded(x!.intent)));
    expect(await refundRow(x!.trade.id)).toMatchObject({ refused_code: 'charge_already_refunded', sent_at: null });
    t.clock.advance(24 * 3600);
    await runScheduledWork(t.deps);
    await deliverUntilAccepted(refunded);
    expect(refundAsks(x!.intent.id)).toHaveLength(1);
    expect(standIn.refunds.filter((r) => r.payment_intent === x!.intent.id)).toEqual([]);
    expect(await endState(w, x!)).toEqual(
      expectedOutcome({ local: 'lapsed', attempt: 'succeeded', refunds: [PRICE], dispute: 'none' }),
    );
  });

  it('disputed: the request waits, and is sent again under a new key once the dispute is won', async () => {
    const w = await reservedTrades(1);
    const [x] = w.trades;
    const opened = standIn.signedEvent('charge.dispute.created', standIn.dispute(x!.intent, 'needs_response'));
    await applyLocal(w, 'lapsed');
    const succeeded = standIn.signedEvent('payment_intent.succeeded', standIn.succeeded(x!.intent));
    await deliverUntilAccepted(succeeded);
    expect(await refundRow(x!.trade.id)).toMatchObject({ refused_code: 'charge_disputed' });
    await deliverUntilAccepted(opened);
    t.clock.advance(24 * 3600);
    await runScheduledWork(t.deps);
    expect(refundAsks(x!.intent.id)).toHaveLength(1);
    // The merchant wins: the buyer never got the unit, so the exchange gives the money back itself.
    await deliverUntilAccepted(standIn.signedEvent('charge.dispute.closed', standIn.dispute(x!.intent, 'won')));
    expect(refundAsks(x!.intent.id).map((r) => r.idempotencyKey)).toEqual([
      `haipai-refund-${succeeded.id}`,
      `haipai-refund-${succeeded.id}-dispute-won`,
    ]);
    expect(standIn.refunds.filter((r) => r.payment_intent === x!.intent.id)).toHaveLength(1);
    expect(await refundRow(x!.trade.id)).toMatchObject({ refused_code: null, sent_at: expect.any(Date) });
  });
});
