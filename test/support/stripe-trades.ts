import { expect } from 'vitest';
import type { TestApp } from './harness.js';
import { marketWorld } from './market.js';
import { type StripeHarness, type StripeStandIn, startStripeTestApp } from './stripe-standin.js';

type Json = Record<string, unknown>;

/** Builders for trades paid through the Stripe stand-in, and readers of their journals. */
export function stripeTrades(t: TestApp, m: ReturnType<typeof marketWorld>, standIn: StripeStandIn, s: StripeHarness) {
  /** A collector selling one unit (10% royalty to the creator, 5% platform fee) to a buyer; on a new platform unless given. */
  async function listedUnit(price = 10_000, p?: { key: string; id: string }) {
    const world = await m.work({ royaltyBps: 1000, p });
    const seller = await m.account(world.p);
    const buyer = await m.account(world.p);
    const [unit] = (await m.mint(world.p, world.edition.id, 1, seller)).units;
    const listing = await m.list(world.p, { kind: 'fixed', sellerId: seller, unitId: unit.id, price });
    return { ...world, seller, buyer, unit, listing };
  }

  async function buyOnStripe(p: { key: string }, listingId: string, buyerId: string, key?: string) {
    return t.call('POST', `/v1/listings/${listingId}/purchase`, {
      key: p.key,
      headers: key ? { 'idempotency-key': key } : undefined,
      body: { buyerId, rail: 'stripe' },
    });
  }

  /** A stripe-rail purchase that has a PaymentIntent; returns the trade and the intent as the stand-in knows it. */
  async function reserved(price = 10_000) {
    const w = await listedUnit(price);
    const res = await buyOnStripe(w.p, w.listing.id, w.buyer);
    const trade = m.ok(res, 201);
    const intent = standIn.intents.get(trade.payment.paymentIntentId)!;
    return { ...w, trade, intent };
  }

  /** A stripe-rail trade settled by its payment_intent.succeeded webhook. */
  async function settled(price = 10_000) {
    const r = await reserved(price);
    expect((await s.deliver(standIn.signedEvent('payment_intent.succeeded', standIn.succeeded(r.intent)))).status).toBe(200);
    expect(await tradeRow(r.trade.id)).toMatchObject({ status: 'settled' });
    return r;
  }

  /** A charge.refunded event whose charge has `refunded` of `intent`'s amount refunded in all so far. */
  function refundedSoFar(intent: Json, refunded: number) {
    return standIn.signedEvent('charge.refunded', standIn.refundedCharge(intent, refunded));
  }

  const tradeRow = (id: string) => t.deps.db.selectFrom('trades').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const journalsOf = (tradeId: string) =>
    t.deps.db.selectFrom('journals').selectAll().where('trade_id', '=', tradeId).orderBy('created_at').orderBy('id').execute();
  const postingsOf = (journalId: string) =>
    t.deps.db
      .selectFrom('postings')
      .select(['holder', 'role', 'amount'])
      .where('journal_id', '=', journalId)
      .orderBy('id')
      .execute();

  /** What every holder gained or lost over all the trade's journals (0n for everyone once fully reversed). */
  async function netOfTrade(tradeId: string): Promise<Map<string, bigint>> {
    const rows = await t.deps.db
      .selectFrom('postings')
      .innerJoin('journals', 'journals.id', 'postings.journal_id')
      .select(['postings.holder', 'postings.amount'])
      .where('journals.trade_id', '=', tradeId)
      .execute();
    const net = new Map<string, bigint>();
    for (const r of rows) net.set(r.holder, (net.get(r.holder) ?? 0n) + r.amount);
    return net;
  }

  return { listedUnit, buyOnStripe, reserved, settled, refundedSoFar, tradeRow, journalsOf, postingsOf, netOfTrade };
}

/** A test app on a fresh Stripe stand-in (notice windows of zero), its market builders and trade builders. */
export async function startStripeTradesApp(env: Record<string, string> = {}) {
  const { t, standIn, s, close } = await startStripeTestApp({ NOTICE_PERIOD: '0', ...env });
  const m = marketWorld(t);
  return { t, m, standIn, s, st: stripeTrades(t, m, standIn, s), close };
}
export type StripeTradesApp = Awaited<ReturnType<typeof startStripeTradesApp>>;
