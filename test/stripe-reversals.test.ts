import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR_KEY, type TestApp } from './support/harness.js';
import type { StripeHarness, StripeStandIn } from './support/stripe-standin.js';
import { type StripeTradesApp, startStripeTradesApp } from './support/stripe-trades.js';

// Refunds, partial refunds and chargebacks after the proceeds were spent (the debt policy), through
// the real `stripe` SDK and the api.stripe.com stand-in. With DATABASE_URL on real PostgreSQL.
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

/** Available and owed, as `GET /v1/balances/{holder}` shows them. */
async function money(holder: string): Promise<{ amount: number; owed: number }> {
  const body = m.ok(await t.call('GET', `/v1/balances/${holder}`, { key: OPERATOR_KEY }), 200);
  const cny = body.balances.find((b: { currency: string }) => b.currency === 'CNY');
  return { amount: cny?.amount ?? 0, owed: cny?.owed ?? 0 };
}

/** A unit of another seller, listed on `p` at `price`, for `holder` to spend on (balance rail). */
async function shopFor(p: { key: string; id: string }, price: number) {
  const world = await m.work({ p });
  const shopSeller = await m.account(p);
  const [unit] = (await m.mint(p, world.edition.id, 1, shopSeller)).units;
  const listing = await m.list(p, { kind: 'fixed', sellerId: shopSeller, unitId: unit.id, price });
  return { unit, listing };
}

async function spend(p: { key: string; id: string }, holder: string, price: number) {
  const shop = await shopFor(p, price);
  m.ok(await m.buy(p, shop.listing.id, holder), 201);
  return shop;
}

const eventFacts = async (type: string, tradeId: string) =>
  (await t.deps.db.selectFrom('events').select(['type', 'entry']).where('type', '=', type).orderBy('seq').execute())
    .map((e) => JSON.parse(e.entry))
    .filter((e) => e.tradeId === tradeId);

const unitRow = (id: string) => t.deps.db.selectFrom('units').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('a refund after the proceeds were spent', () => {
  it('does not fail: the seller owes what is missing and repays it from the next credits', async () => {
    const { trade, intent, seller, creator, buyer, p } = await st.settled();
    await spend(p, seller, 8_000);
    expect(await money(seller)).toEqual({ amount: 500, owed: 0 });

    const refund = standIn.signedEvent('charge.refunded', standIn.refundedCharge(intent));
    const replies = await Promise.all([s.deliver(refund), s.deliver(refund)]);
    expect(replies.map((r) => r.status)).toEqual([200, 200]);
    expect(await money(seller)).toEqual({ amount: 0, owed: 8_000 });
    expect(await money(creator)).toEqual({ amount: 0, owed: 0 });
    expect(await money(buyer)).toEqual({ amount: 0, owed: 0 });
    const [refunded] = await eventFacts('trade.refunded', trade.id);
    expect(refunded).toMatchObject({ amount: 10_000, owed: [{ holder: seller, amount: 8_000 }] });

    // Stripe's next event about the same refund changes nothing.
    expect((await s.deliver(standIn.signedEvent('charge.refunded', standIn.refundedCharge(intent)))).status).toBe(200);
    expect(await money(seller)).toEqual({ amount: 0, owed: 8_000 });

    // A credit repays the debt first, in its own transaction: a top-up of 3,000 leaves 5,000 owed.
    await m.topUp(seller, 3_000);
    expect(await money(seller)).toEqual({ amount: 0, owed: 5_000 });
    // The seller cannot spend what is owed: a purchase is refused.
    const shop = await shopFor(p, 100);
    m.problem(await m.buy(p, shop.listing.id, seller), 409, 'insufficient_funds');
    await m.topUp(seller, 6_000);
    expect(await money(seller)).toEqual({ amount: 1_000, owed: 0 });
    const statement = m.ok(
      await t.call('GET', `/v1/balances/${seller}/statement?currency=CNY&limit=100`, { key: OPERATOR_KEY }),
      200,
    );
    expect(
      statement.data.filter((r: { kind: string }) => r.kind === 'recovery').map((r: { amount: number }) => r.amount),
    ).toEqual([-3_000, -5_000]);
  });

  it('a seller who owes is paid by card sales only what is left after the debt (the trade repays it)', async () => {
    const first = await st.settled();
    await spend(first.p, first.seller, 8_500);
    expect((await s.deliver(standIn.signedEvent('charge.refunded', standIn.refundedCharge(first.intent)))).status).toBe(200);
    expect(await money(first.seller)).toEqual({ amount: 0, owed: 8_500 });
    // The seller sells again on the stripe rail: the new proceeds (8,500) repay the debt in full.
    const world = await m.work({ p: first.p, royaltyBps: 1000 });
    const [unit] = (await m.mint(first.p, world.edition.id, 1, first.seller)).units;
    const listing = await m.list(first.p, { kind: 'fixed', sellerId: first.seller, unitId: unit.id, price: 10_000 });
    const buyer = await m.account(first.p);
    const res = m.ok(await st.buyOnStripe(first.p, listing.id, buyer), 201);
    const intent = standIn.intents.get(res.payment.paymentIntentId)!;
    expect((await s.deliver(standIn.signedEvent('payment_intent.succeeded', standIn.succeeded(intent)))).status).toBe(200);
    expect(await st.tradeRow(res.id)).toMatchObject({ status: 'settled' });
    expect(await money(first.seller)).toEqual({ amount: 0, owed: 0 });
    expect(await m.owner(unit.id)).toBe(buyer);
  });

  it('a buyer who owes can still pay by card: the card money pays for the trade, not the debt', async () => {
    const first = await st.settled();
    await spend(first.p, first.seller, 8_500);
    expect((await s.deliver(standIn.signedEvent('charge.refunded', standIn.refundedCharge(first.intent)))).status).toBe(200);
    const debtor = first.seller;
    const w = await st.listedUnit(10_000, first.p);
    const res = m.ok(await st.buyOnStripe(w.p, w.listing.id, debtor), 201);
    const intent = standIn.intents.get(res.payment.paymentIntentId)!;
    expect((await s.deliver(standIn.signedEvent('payment_intent.succeeded', standIn.succeeded(intent)))).status).toBe(200);
    expect(await st.tradeRow(res.id)).toMatchObject({ status: 'settled' });
    expect(await m.owner(w.unit.id)).toBe(debtor);
    expect(await money(debtor)).toEqual({ amount: 0, owed: 8_500 });
  });

  it('a chargeback while the seller is spending: either the purchase is refused or the seller owes, never both or neither', async () => {
    for (let round = 0; round < 4; round++) {
      const { intent, seller, p, trade } = await st.settled();
      const shop = await shopFor(p, 8_000);
      const lost = standIn.signedEvent('charge.dispute.closed', standIn.dispute(intent, 'lost'));
      const [purchase, webhook] = await Promise.all([m.buy(p, shop.listing.id, seller), s.deliver(lost)]);
      expect(webhook.status).toBe(200);
      if (purchase.status === 201) {
        expect(await m.owner(shop.unit.id)).toBe(seller);
        expect(await money(seller)).toEqual({ amount: 0, owed: 8_000 });
      } else {
        m.problem(purchase, 409, 'insufficient_funds');
        expect(await money(seller)).toEqual({ amount: 0, owed: 0 });
      }
      // Everyone's net over the trade is zero, except what the seller still owes (kept, on receivable).
      const net = await st.netOfTrade(trade.id);
      const owed = -(net.get(`receivable:${seller}`) ?? 0n);
      expect(net.get(seller)).toBe(owed);
      expect([...net.entries()].filter(([h, v]) => h !== seller && !h.startsWith('receivable:') && v !== 0n)).toEqual([]);
    }
  });
});

describe('disputes when the proceeds were spent', () => {
  it('holds only what is left; lost, the seller owes the rest', async () => {
    const { trade, intent, seller, unit, p } = await st.settled();
    await spend(p, seller, 6_000);
    const created = standIn.signedEvent('charge.dispute.created', standIn.dispute(intent, 'needs_response'));
    await Promise.all([s.deliver(created), s.deliver(created)]);
    expect(await eventFacts('trade.disputed', trade.id)).toEqual([expect.objectContaining({ held: 2_500 })]);
    expect(await money(seller)).toEqual({ amount: 0, owed: 0 });
    expect((await s.deliver(standIn.signedEvent('charge.dispute.closed', standIn.dispute(intent, 'lost')))).status).toBe(200);
    expect(await money(seller)).toEqual({ amount: 0, owed: 6_000 });
    expect(await unitRow(unit.id)).toMatchObject({ frozen: true });
    expect((await st.journalsOf(trade.id)).map((j) => j.kind)).toEqual([
      'payment',
      'trade',
      'hold',
      'hold_release',
      'reversal',
      'refund',
    ]);
  });

  it('nothing left to hold: the hold is still placed once, and a won dispute releases the unit', async () => {
    const { trade, intent, seller, p, unit } = await st.settled();
    await spend(p, seller, 8_500);
    const created = standIn.signedEvent('charge.dispute.created', standIn.dispute(intent, 'needs_response'));
    for (const e of [created, standIn.signedEvent('charge.dispute.created', standIn.dispute(intent, 'needs_response'))])
      expect((await s.deliver(e)).status).toBe(200);
    expect(await eventFacts('trade.disputed', trade.id)).toEqual([expect.objectContaining({ held: 0 })]);
    expect(await unitRow(unit.id)).toMatchObject({ frozen: true });
    expect((await s.deliver(standIn.signedEvent('charge.dispute.closed', standIn.dispute(intent, 'won')))).status).toBe(200);
    expect(await unitRow(unit.id)).toMatchObject({ frozen: false });
    expect((await st.journalsOf(trade.id)).map((j) => j.kind)).toEqual(['payment', 'trade']);
  });
});

describe('partial refunds', () => {
  /** What each holder of the trade's credits has had taken back by partial reversals. */
  async function takenBack(tradeId: string) {
    const out: Record<string, number> = {};
    for (const j of (await st.journalsOf(tradeId)).filter((x) => x.kind === 'partial_reversal'))
      for (const x of await st.postingsOf(j.id)) out[`${x.role}`] = (out[`${x.role}`] ?? 0) + Number(x.amount);
    return out;
  }

  it('take back their share of each credit; the sale stands; a full refund then takes exactly the rest', async () => {
    const { trade, intent, seller, creator, buyer, unit, p } = await st.settled();
    const platformBefore = await m.balance(p.id);
    expect((await s.deliver(st.refundedSoFar(intent, 3_000))).status).toBe(200);
    // 3,000 of 10,000: the seller's 8,500 gives 2,550, the creator's 1,000 gives 300, the fee 150.
    expect(await takenBack(trade.id)).toEqual({ buyer: 3_000, seller: -2_550, royalty: -300, platform_fee: -150 });
    expect([await m.balance(seller), await m.balance(creator), await m.balance(buyer)]).toEqual([5_950, 700, 0]);
    expect(await m.owner(unit.id)).toBe(buyer);
    expect(await unitRow(unit.id)).toMatchObject({ frozen: false });
    expect(await eventFacts('trade.partially_refunded', trade.id)).toEqual([
      expect.objectContaining({ amount: 3_000, refundedTotal: 3_000 }),
    ]);

    // A second refund brings the total to 4,000: five copies of its event at once with the late
    // event of the first (its total 3,000) take back 1,000 more, once.
    const second = st.refundedSoFar(intent, 4_000);
    const replies = await Promise.all([
      ...Array.from({ length: 5 }, () => s.deliver(second)),
      s.deliver(st.refundedSoFar(intent, 3_000)),
    ]);
    expect(replies.map((r) => r.status)).toEqual(Array(6).fill(200));
    expect(await takenBack(trade.id)).toEqual({ buyer: 4_000, seller: -3_400, royalty: -400, platform_fee: -200 });

    // Then all of it: the reversal takes what is left of each credit, so the trade nets to zero.
    expect((await s.deliver(standIn.signedEvent('charge.refunded', standIn.refundedCharge(intent)))).status).toBe(200);
    const journals = await st.journalsOf(trade.id);
    expect(journals.map((j) => j.kind)).toEqual([
      'payment',
      'trade',
      'partial_reversal',
      'refund',
      'partial_reversal',
      'refund',
      'reversal',
      'refund',
    ]);
    expect(journals.find((j) => j.kind === 'reversal')!.reverses).toBe(journals.find((j) => j.kind === 'trade')!.id);
    expect([...(await st.netOfTrade(trade.id)).values()].every((v) => v === 0n)).toBe(true);
    expect([await m.balance(seller), await m.balance(creator), await m.balance(buyer)]).toEqual([0, 0, 0]);
    expect(await m.balance(p.id)).toBe(platformBefore - 500);
    expect(await unitRow(unit.id)).toMatchObject({ frozen: true });
  });

  it('a partial refund of a card top-up takes that much back; spent, the holder owes it', async () => {
    const p = await m.platform();
    const holder = await m.account(p);
    const created = m.ok(
      await t.call('POST', '/v1/balances/stripe-top-ups', {
        key: p.key,
        body: { holderId: holder, currency: 'CNY', amount: 5_000 },
      }),
      201,
    );
    const intent = standIn.intents.get(created.paymentIntentId)!;
    expect((await s.deliver(standIn.signedEvent('payment_intent.succeeded', standIn.succeeded(intent)))).status).toBe(200);
    expect((await s.deliver(st.refundedSoFar(intent, 1_000))).status).toBe(200);
    expect(await money(holder)).toEqual({ amount: 4_000, owed: 0 });
    await spend(p, holder, 3_500);
    expect((await s.deliver(standIn.signedEvent('charge.refunded', standIn.refundedCharge(intent)))).status).toBe(200);
    expect(await money(holder)).toEqual({ amount: 0, owed: 3_500 });
    const read = m.ok(await t.call('GET', `/v1/balances/stripe-top-ups/${created.id}`, { key: p.key }), 200);
    expect(read).toMatchObject({ status: 'reversed' });
  });
});

describe('conservation', () => {
  it('every journal sums to zero, so do all balances, and no one but debts and the outside world is below zero', async () => {
    // The outside world keeps no balance row: the balances, the pending credits not folded into
    // them yet (schema/0027) and its postings sum to zero.
    const total = await sql<{ s: string }>`
      select ((select coalesce(sum(amount), 0) from balances) + (select coalesce(sum(amount), 0) from postings where deferred and balance_after is null)
            + (select coalesce(sum(amount), 0) from postings where holder = 'external'))::text as s`.execute(t.deps.db);
    expect(total.rows[0]!.s).toBe('0');
    const unbalanced = await sql`select journal_id from postings group by journal_id having sum(amount) <> 0`.execute(t.deps.db);
    expect(unbalanced.rows).toEqual([]);
    const negative =
      await sql`select holder from balances where amount < 0 and holder <> 'external' and holder not like 'receivable:%'`.execute(
        t.deps.db,
      );
    expect(negative.rows).toEqual([]);
  });
});
