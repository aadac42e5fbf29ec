import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScheduledWork } from '../src/scheduled.js';
import { runAsOwner } from './support/app-role.js';
import { OPERATOR_KEY, type TestApp } from './support/harness.js';
import type { StripeHarness, StripeStandIn } from './support/stripe-standin.js';
import { type StripeTradesApp, startStripeTradesApp } from './support/stripe-trades.js';

// The real `stripe` SDK talks to a local stand-in for api.stripe.com (STRIPE_API_BASE); webhooks are
// signed with the SDK's generateTestHeaderString. With DATABASE_URL these run on real PostgreSQL.
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

const unitRow = (id: string) => t.deps.db.selectFrom('units').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const eventsOf = async (tradeId: string) =>
  (await t.deps.db.selectFrom('events').select(['type', 'entry']).orderBy('seq').execute())
    .filter((e) => JSON.parse(e.entry).tradeId === tradeId)
    .map((e) => e.type);
const refundRequests = (intentId: string) =>
  standIn.requests.filter((r) => r.method === 'POST' && r.path === '/v1/refunds' && r.params.payment_intent === intentId);

/** Through the API; a dispute hold (`hold:<trade>`) is no account, so it is read from the table. */
async function balances(...holders: string[]) {
  return Promise.all(
    holders.map(async (h) => {
      if (!h.startsWith('hold:')) return m.balance(h);
      const row = await t.deps.db.selectFrom('balances').select('amount').where('holder', '=', h).executeTakeFirst();
      return Number(row?.amount ?? 0n);
    }),
  );
}

describe('purchase on the stripe rail', () => {
  it('reserves the unit and creates one PaymentIntent keyed by the trade, after commit', async () => {
    const { trade: body, intent, unit, seller, p, buyer } = await st.reserved();
    expect(body).toMatchObject({ rail: 'stripe', status: 'reserved', price: 10_000 });
    expect(body.payment).toMatchObject({ id: body.id, paymentIntentId: intent.id, clientSecret: intent.client_secret });
    const creates = standIn.requests.filter((r) => r.path === '/v1/payment_intents' && r.params['metadata[tradeId]'] === body.id);
    expect(creates).toHaveLength(1);
    expect(creates[0]).toMatchObject({
      method: 'POST',
      idempotencyKey: `haipai-pi-${body.id}`,
      params: { amount: '10000', currency: 'cny', transfer_group: body.id, 'metadata[tradeId]': body.id },
    });
    expect(await m.owner(unit.id)).toBe(seller);
    // The buyer cannot pay a card trade from its clearing balance instead.
    await t.call('POST', '/v1/balances/top-ups', {
      key: OPERATOR_KEY,
      body: { holderId: buyer, currency: 'CNY', amount: 50_000 },
    });
    const settle = await t.call('POST', `/v1/trades/${body.id}/settle`, { key: p.key });
    expect(settle.status).toBe(409);
    expect(settle.body.code).toBe('paid_by_card');
  });

  it('settles exactly once when payment_intent.succeeded is delivered 5 times at once', async () => {
    const { trade: body, intent, unit, buyer, seller, creator, p } = await st.reserved();
    const event = standIn.signedEvent('payment_intent.succeeded', standIn.succeeded(intent));
    const replies = await Promise.all(Array.from({ length: 5 }, () => s.deliver(event)));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(replies.filter((r) => r.body.duplicate === false)).toHaveLength(1);

    expect(await st.tradeRow(body.id)).toMatchObject({ status: 'settled' });
    expect(await m.owner(unit.id)).toBe(buyer);
    expect((await eventsOf(body.id)).filter((e) => e === 'trade.settled')).toHaveLength(1);
    // payment (external → buyer 10,000), then the trade journal settleTrade writes on either rail.
    expect((await st.journalsOf(body.id)).map((j) => j.kind)).toEqual(['payment', 'trade']);
    expect(await balances(buyer, seller, creator, p.id)).toEqual([0, 8_500, 1_000, 500]);
  });

  it('settles once when the webhook arrives before the purchase has answered', async () => {
    const w = await st.listedUnit();
    let early: { payload: string; signature: string } | undefined;
    standIn.onPaymentIntentCreated = async (intent) => {
      standIn.onPaymentIntentCreated = undefined;
      early = standIn.signedEvent('payment_intent.succeeded', standIn.succeeded(intent));
      const reply = await s.deliver(early);
      expect(reply.status).toBe(200);
    };
    const body = m.ok(await st.buyOnStripe(w.p, w.listing.id, w.buyer, 'early-1'), 201);
    expect(body.status).toBe('settled');
    expect(await m.owner(w.unit.id)).toBe(w.buyer);
    // Stripe redelivers later: nothing happens twice.
    expect((await s.deliver(early!)).body).toMatchObject({ duplicate: true });
    expect((await eventsOf(body.id)).filter((e) => e === 'trade.settled')).toHaveLength(1);
    expect(await balances(w.buyer, w.seller)).toEqual([0, 8_500]);
  });

  it('refuses tampered, stale and unsigned webhooks with 400 and changes nothing', async () => {
    const { trade: body, intent } = await st.reserved();
    const before = await m.counts();
    const good = standIn.signedEvent('payment_intent.succeeded', standIn.succeeded(intent));
    const tampered = { payload: good.payload.replace('"amount": 10000', '"amount": 1'), signature: good.signature };
    expect(tampered.payload).not.toBe(good.payload);
    const stale = standIn.signedEvent('payment_intent.succeeded', standIn.succeeded(intent), {
      timestamp: Math.floor(Date.now() / 1000) - 3600,
    });
    const otherSecret = { payload: good.payload, signature: good.signature.replace(/v1=[0-9a-f]+/, `v1=${'0'.repeat(64)}`) };
    for (const bad of [tampered, stale, otherSecret]) {
      const reply = await s.deliver(bad);
      expect(reply.status).toBe(400);
      expect(reply.body.code).toBe('invalid_signature');
    }
    const unsigned = await t.app.request('/v1/stripe/webhook', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: good.payload,
    });
    expect(unsigned.status).toBe(400);
    expect(await m.counts()).toEqual(before);
    expect(await st.tradeRow(body.id)).toMatchObject({ status: 'reserved' });
    const seen = await t.deps.db.selectFrom('stripe_events').select('id').where('id', '=', good.id).execute();
    expect(seen).toHaveLength(0);
  });

  it('keeps the reservation when Stripe fails; a retry with the same Idempotency-Key reuses the trade', async () => {
    const w = await st.listedUnit();
    standIn.failNext('/v1/payment_intents', 2); // the SDK retries once
    const failed = await st.buyOnStripe(w.p, w.listing.id, w.buyer, 'retry-1');
    expect(failed.status).toBe(502);
    expect(failed.body.code).toBe('payment_provider_unavailable');
    const [first] = await t.deps.db.selectFrom('trades').selectAll().where('unit_id', '=', w.unit.id).execute();
    expect(first).toMatchObject({ status: 'reserved', rail: 'stripe' });

    const retried = m.ok(await st.buyOnStripe(w.p, w.listing.id, w.buyer, 'retry-1'), 201);
    expect(retried.id).toBe(first!.id);
    expect(retried.payment.paymentIntentId).toMatch(/^pi_/);
    expect(await t.deps.db.selectFrom('trades').select('id').where('unit_id', '=', w.unit.id).execute()).toHaveLength(1);
    const keys = standIn.requests.filter((r) => r.path === '/v1/payment_intents' && r.params['metadata[tradeId]'] === first!.id);
    expect(keys.length).toBe(3);
    expect(new Set(keys.map((r) => r.idempotencyKey))).toEqual(new Set([`haipai-pi-${first!.id}`]));
  });

  it('releases the reservation when the payment is canceled', async () => {
    const { trade: body, intent, listing, p } = await st.reserved();
    expect((await s.deliver(standIn.signedEvent('payment_intent.canceled', standIn.canceled(intent)))).status).toBe(200);
    expect(await st.tradeRow(body.id)).toMatchObject({ status: 'released', release_reason: 'payment_canceled' });
    expect(m.ok(await t.call('GET', `/v1/listings/${listing.id}`, { key: p.key }), 200).status).toBe('open');
  });

  it('keeps the reservation when a payment attempt fails: the buyer pays again and the trade settles', async () => {
    const { trade: body, intent, unit, buyer } = await st.reserved();
    const failed = standIn.signedEvent('payment_intent.payment_failed', standIn.failed(intent));
    expect((await s.deliver(failed)).status).toBe(200);
    expect(await st.tradeRow(body.id)).toMatchObject({ status: 'reserved' });
    expect((await s.deliver(standIn.signedEvent('payment_intent.succeeded', standIn.succeeded(intent)))).status).toBe(200);
    // Another failed attempt's event arrives late: the sale stands.
    const late = standIn.signedEvent('payment_intent.payment_failed', standIn.failed(intent));
    expect((await s.deliver(late)).status).toBe(200);
    expect(await st.tradeRow(body.id)).toMatchObject({ status: 'settled' });
    expect(await m.owner(unit.id)).toBe(buyer);
    // Unpaid, the reservation lapses as any other: the schedule releases it.
    const unpaid = await st.reserved();
    expect((await s.deliver(standIn.signedEvent('payment_intent.payment_failed', standIn.failed(unpaid.intent)))).status).toBe(
      200,
    );
    t.clock.advance(16 * 60);
    await runScheduledWork(t.deps);
    expect(await st.tradeRow(unpaid.trade.id)).toMatchObject({ status: 'released', release_reason: 'reservation_expired' });
  });

  it('refunds automatically, never settles, when the payment succeeds after the reservation lapsed', async () => {
    const { trade: body, intent, unit, seller, buyer } = await st.reserved();
    t.clock.advance(16 * 60);
    const event = standIn.signedEvent('payment_intent.succeeded', standIn.succeeded(intent));
    expect((await s.deliver(event)).status).toBe(200);
    expect(await st.tradeRow(body.id)).toMatchObject({ status: 'released', release_reason: 'reservation_expired' });
    expect(await m.owner(unit.id)).toBe(seller);
    expect(refundRequests(intent.id as string)).toEqual([
      expect.objectContaining({
        idempotencyKey: `haipai-refund-${event.id}`,
        params: expect.objectContaining({ payment_intent: intent.id }),
      }),
    ]);
    // Redelivered, and the schedule runs: still one refund request, no settlement.
    expect((await s.deliver(event)).body).toMatchObject({ duplicate: true });
    await runScheduledWork(t.deps);
    expect(refundRequests(intent.id as string)).toHaveLength(1);
    expect(await st.journalsOf(body.id)).toHaveLength(0);
    expect(await balances(buyer, seller)).toEqual([0, 0]);
    expect(await eventsOf(body.id)).toContain('trade.refund_requested');
  });

  it('a refund request that fails is retried by the schedule with the same key', async () => {
    const { trade: body, intent } = await st.reserved();
    t.clock.advance(16 * 60);
    await runScheduledWork(t.deps); // the reservation lapses first this time
    standIn.failNext('/v1/refunds', 2);
    const event = standIn.signedEvent('payment_intent.succeeded', standIn.succeeded(intent));
    expect((await s.deliver(event)).status).toBe(200);
    const [pending] = await t.deps.db.selectFrom('stripe_refunds').selectAll().where('payment_id', '=', body.id).execute();
    expect(pending).toMatchObject({ sent_at: null, attempts: 1 });
    expect(pending!.last_error).toBeTruthy();
    t.clock.advance(120);
    await runScheduledWork(t.deps);
    const [sent] = await t.deps.db.selectFrom('stripe_refunds').selectAll().where('payment_id', '=', body.id).execute();
    expect(sent!.sent_at).not.toBeNull();
    expect(sent!.stripe_refund_id).toMatch(/^re_/);
    expect(new Set(refundRequests(intent.id as string).map((r) => r.idempotencyKey))).toEqual(
      new Set([`haipai-refund-${event.id}`]),
    );
  });

  it('loses nothing when the process dies between receiving the webhook and settling: the redelivery settles once', async () => {
    const { trade: body, intent, unit, buyer } = await st.reserved();
    // The "crash": settlement fails after the event has been claimed in stripe_events.
    // DDL, so as the owner of the tables (the app's own role on PostgreSQL owns nothing).
    await runAsOwner(
      t.deps.db,
      `create or replace function simulated_crash() returns trigger language plpgsql as $$
        begin raise exception 'simulated crash during settlement'; end $$`,
      `create trigger simulated_crash before update on trades for each row
        when (new.status = 'settled') execute function simulated_crash()`,
    );
    const event = standIn.signedEvent('payment_intent.succeeded', standIn.succeeded(intent));
    try {
      const crashed = await s.deliver(event);
      expect(crashed.status).toBe(500);
    } finally {
      await runAsOwner(t.deps.db, 'drop trigger simulated_crash on trades');
    }
    expect(await st.tradeRow(body.id)).toMatchObject({ status: 'reserved' });
    expect(await t.deps.db.selectFrom('stripe_events').select('id').where('id', '=', event.id).execute()).toHaveLength(0);
    expect(await st.journalsOf(body.id)).toHaveLength(0);

    // Stripe retries a delivery that did not get a 2xx.
    const [again, twice] = await Promise.all([s.deliver(event), s.deliver(event)]);
    expect([again.status, twice.status]).toEqual([200, 200]);
    expect(await st.tradeRow(body.id)).toMatchObject({ status: 'settled' });
    expect(await m.owner(unit.id)).toBe(buyer);
    expect((await eventsOf(body.id)).filter((e) => e === 'trade.settled')).toHaveLength(1);
  });
});

describe('refunds and disputes', () => {
  /** The reversal's postings are the trade journal's, negated one for one. */
  async function expectExactReversal(tradeId: string) {
    const journals = await st.journalsOf(tradeId);
    const tradeJournal = journals.find((j) => j.kind === 'trade')!;
    const reversal = journals.find((j) => j.kind === 'reversal')!;
    expect(reversal.reverses).toBe(tradeJournal.id);
    const original = await st.postingsOf(tradeJournal.id);
    const reversed = await st.postingsOf(reversal.id);
    const key = (x: { holder: string; role: string; amount: bigint }) => `${x.holder}/${x.role}/${x.amount}`;
    expect(reversed.map(key).sort()).toEqual(
      original
        .map((x) => ({ ...x, amount: -x.amount }))
        .map(key)
        .sort(),
    );
    const sum = await t.deps.db
      .selectFrom('postings')
      .innerJoin('journals', 'journals.id', 'postings.journal_id')
      .select((eb) => eb.fn.sum<string>('postings.amount').as('s'))
      .where('journals.trade_id', '=', tradeId)
      .executeTakeFirstOrThrow();
    expect(BigInt(sum.s)).toBe(0n);
  }

  it('charge.refunded reverses the journal exactly, returns the money to the card and freezes the unit', async () => {
    const { trade: body, intent, unit, buyer, seller, creator, p } = await st.settled();
    const platformBefore = await m.balance(p.id);
    const event = standIn.signedEvent('charge.refunded', standIn.refundedCharge(intent));
    const replies = await Promise.all([s.deliver(event), s.deliver(event)]);
    expect(replies.map((r) => r.status)).toEqual([200, 200]);
    expect((await st.journalsOf(body.id)).map((j) => j.kind)).toEqual(['payment', 'trade', 'reversal', 'refund']);
    await expectExactReversal(body.id);
    expect(await balances(buyer, seller, creator)).toEqual([0, 0, 0]);
    expect(await m.balance(p.id)).toBe(platformBefore - 500);
    // Policy: ownership stays as recorded and the unit is frozen until an official decides.
    expect(await unitRow(unit.id)).toMatchObject({ frozen: true, owner_id: buyer });
    expect(await eventsOf(body.id)).toEqual(expect.arrayContaining(['trade.refunded', 'unit.frozen']));
    expect((await eventsOf(body.id)).filter((e) => e === 'trade.refunded')).toHaveLength(1);
  });

  it('a refund that arrives before the payment succeeded ends as if it came after: settled, reversed, frozen', async () => {
    for (const order of ['refund first', 'success first'] as const) {
      const { trade: body, intent, unit, buyer, seller, creator } = await st.reserved();
      const refunded = standIn.signedEvent('charge.refunded', standIn.refundedCharge(intent));
      const succeeded = standIn.signedEvent('payment_intent.succeeded', standIn.succeeded(intent));
      for (const e of order === 'refund first' ? [refunded, succeeded] : [succeeded, refunded])
        expect((await s.deliver(e)).status).toBe(200);
      expect(await st.tradeRow(body.id)).toMatchObject({ status: 'settled' });
      expect((await st.journalsOf(body.id)).map((j) => j.kind)).toEqual(['payment', 'trade', 'reversal', 'refund']);
      await expectExactReversal(body.id);
      expect(await balances(buyer, seller, creator)).toEqual([0, 0, 0]);
      expect(await unitRow(unit.id)).toMatchObject({ frozen: true, owner_id: buyer });
      // Stripe has already returned the money: the exchange asks for no refund of its own.
      expect(refundRequests(intent.id as string)).toHaveLength(0);
    }
  });

  it('a dispute freezes the unit and holds the proceeds; won, both are released', async () => {
    const { trade: body, intent, unit, seller, creator } = await st.settled();
    const created = standIn.signedEvent('charge.dispute.created', standIn.dispute(intent, 'needs_response'));
    await Promise.all([s.deliver(created), s.deliver(created)]);
    expect(await unitRow(unit.id)).toMatchObject({ frozen: true });
    expect(await balances(seller, creator, `hold:${body.id}`)).toEqual([0, 1_000, 8_500]);
    expect((await s.deliver(standIn.signedEvent('charge.dispute.closed', standIn.dispute(intent, 'won')))).status).toBe(200);
    expect(await unitRow(unit.id)).toMatchObject({ frozen: false });
    expect(await balances(seller, creator, `hold:${body.id}`)).toEqual([8_500, 1_000, 0]);
    expect((await st.journalsOf(body.id)).map((j) => j.kind)).toEqual(['payment', 'trade', 'hold', 'hold_release']);
    expect(await eventsOf(body.id)).toEqual(expect.arrayContaining(['trade.disputed', 'unit.frozen', 'unit.freeze_lifted']));
  });

  it('a lost dispute reverses the trade exactly, even when the close arrives before the open', async () => {
    for (const order of ['in order', 'closed first'] as const) {
      const { trade: body, intent, unit, buyer, seller, creator } = await st.settled();
      const created = standIn.signedEvent('charge.dispute.created', standIn.dispute(intent, 'needs_response'));
      const lost = standIn.signedEvent('charge.dispute.closed', standIn.dispute(intent, 'lost'));
      for (const e of order === 'in order' ? [created, lost] : [lost, created]) expect((await s.deliver(e)).status).toBe(200);
      await expectExactReversal(body.id);
      expect(await balances(buyer, seller, creator, `hold:${body.id}`)).toEqual([0, 0, 0, 0]);
      expect(await unitRow(unit.id)).toMatchObject({ frozen: true });
      expect(await eventsOf(body.id)).toContain('trade.chargeback');
    }
  });

  it('answers 200 and does nothing for events about payments that are not ours', async () => {
    const before = await m.counts();
    const foreign = { id: 'pi_foreign', object: 'payment_intent', amount: 500, currency: 'usd', metadata: {} };
    const reply = await s.deliver(standIn.signedEvent('payment_intent.succeeded', standIn.succeeded(foreign)));
    expect(reply).toMatchObject({ status: 200, body: { ignored: true } });
    expect(await m.counts()).toEqual(before);
  });
});

describe('conservation', () => {
  it('every journal in this file sums to zero and so do all balances', async () => {
    const postings = await t.deps.db
      .selectFrom('postings')
      .select((eb) => eb.fn.sum<string>('amount').as('s'))
      .executeTakeFirstOrThrow();
    expect(BigInt(postings.s)).toBe(0n);
    // The outside world keeps no balance row: the balances (with pending credits) sum to minus its postings.
    const bals = await t.deps.db
      .selectFrom('balances')
      .select((eb) => eb.fn.sum<string>('amount').as('s'))
      .executeTakeFirstOrThrow();
    const outside = await t.deps.db
      .selectFrom('postings')
      .select((eb) => eb.fn.sum<string>('amount').as('s'))
      .where('holder', '=', 'external')
      .executeTakeFirstOrThrow();
    // A sale's fee and royalties not folded into their balances yet are pending credits (schema/0027).
    const pending = await t.deps.db
      .selectFrom('postings')
      .select((eb) => eb.fn.sum<string>('amount').as('s'))
      .where('deferred', '=', true)
      .where('balance_after', 'is', null)
      .executeTakeFirstOrThrow();
    expect(BigInt(bals.s) + BigInt(pending.s ?? 0) + BigInt(outside.s ?? 0)).toBe(0n);
    const unbalanced = await sql<{ journal_id: string }>`
      select journal_id from postings group by journal_id having sum(amount) <> 0`.execute(t.deps.db);
    expect(unbalanced.rows).toEqual([]);
  });
});
