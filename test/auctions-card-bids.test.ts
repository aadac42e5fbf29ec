import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDueAuctions } from '../src/features/auctions/closing.service.js';
import { sendDueBidActions } from '../src/features/stripe/bid-authorisations.service.js';
import type { Json } from './support/stripe-standin-api.js';
import { type StripeTradesApp, startStripeTradesApp } from './support/stripe-trades.js';

// Card-authorised bids (README "Payments through Stripe", auctions README "Card bids"): a bid on the
// stripe rail is a manual-capture PaymentIntent that counts only once Stripe reports the
// authorisation; beaten and losing authorisations are cancelled, the winner's is captured and the
// sale settles through the stripe rail's reconciliation. Stripe is the stand-in driven by the real
// SDK; with DATABASE_URL set the parallel deliveries are concurrent transactions on PostgreSQL.
let app: StripeTradesApp;
beforeAll(async () => {
  app = await startStripeTradesApp();
});
afterAll(async () => app?.close());

type Key = { key: string; id: string };
const at = (sec: number) => new Date(app.t.clock.now().getTime() + sec * 1000).toISOString();

async function english(opts: { startPrice?: number; endsIn?: number } = {}) {
  const { m } = app;
  const world = await m.work({ royaltyBps: 1000 });
  const seller = await m.account(world.p);
  const [unit] = (await m.mint(world.p, world.edition.id, 1, seller)).units;
  const listing = await m.list(world.p, {
    kind: 'english',
    sellerId: seller,
    unitId: unit.id,
    startPrice: opts.startPrice ?? 1000,
    minIncrement: 100,
    antiSnipeSeconds: 0,
    endsAt: at(opts.endsIn ?? 3600),
  });
  return { p: world.p as Key, seller, unitId: unit.id as string, listingId: listing.id as string };
}

const bid = (p: Key, listingId: string, bidderId: string, amount: number, rail?: 'stripe', key?: string) =>
  app.t.call('POST', `/v1/listings/${listingId}/bids`, {
    key: p.key,
    headers: key ? { 'idempotency-key': key } : undefined,
    body: { bidderId, amount, ...(rail ? { rail } : {}) },
  });

/** A card bid: 202 and the stand-in's PaymentIntent. */
async function cardBid(p: Key, listingId: string, bidderId: string, amount: number) {
  const body = app.m.ok(await bid(p, listingId, bidderId, amount, 'stripe'), 202);
  return { body, intent: app.standIn.intents.get(body.payment.paymentIntentId)! };
}

/** The bidder confirms on its device and the card is authorised; Stripe says so by webhook. */
const authorisedEvent = (intent: Json) =>
  app.standIn.signedEvent('payment_intent.amount_capturable_updated', app.standIn.authorize(intent));

const auction = async (listingId: string) => app.m.ok(await app.t.call('GET', `/v1/listings/${listingId}/auction`), 200);
const intentStatus = (intent: Json) => app.standIn.intents.get(String(intent.id))!.status;
const cardRow = (paymentId: string) =>
  app.t.deps.db.selectFrom('stripe_payments').selectAll().where('id', '=', paymentId).executeTakeFirstOrThrow();
const heldOn = async (listingId: string) => {
  const row = await app.t.deps.db
    .selectFrom('balances')
    .select((eb) => eb.fn.sum<string>('amount').as('s'))
    .where('holder', 'like', `hold:${listingId}:%`)
    .executeTakeFirstOrThrow();
  return Number(row.s ?? 0);
};

describe('card-authorised bids', () => {
  it('count once authorised; a beaten authorisation is cancelled; the winner’s is captured and the sale settles', async () => {
    const { t, m, s, standIn } = app;
    const a = await english();
    const [cardA, balanceB, cardC] = await m.accounts(a.p, 3);
    await m.topUp(balanceB!, 5000);

    const first = await cardBid(a.p, a.listingId, cardA!, 1000);
    expect(first.body.pendingBid).toMatchObject({ status: 'awaiting_authorisation', amount: 1000, bidId: null });
    expect(first.intent).toMatchObject({ amount: 1000, capture_method: 'manual', status: 'requires_payment_method' });
    expect(first.intent.metadata).toMatchObject({ bidPaymentId: first.body.pendingBid.paymentId, listingId: a.listingId });
    // Not a bid yet: nobody sees it, and a lower balance bid is still judged against the start price.
    expect((await auction(a.listingId)).highestBid).toBeNull();

    const authorised = authorisedEvent(first.intent);
    expect((await s.deliver(authorised)).status).toBe(200);
    expect((await s.deliver(authorised)).body).toMatchObject({ duplicate: true });
    expect((await auction(a.listingId)).highestBid).toMatchObject({ bidderId: cardA, amount: 1000 });
    expect(await heldOn(a.listingId)).toBe(0);
    // A card bid holds nothing on the balance.
    expect(await m.balance(cardA!)).toBe(0);

    // A balance bid beats it: the authorisation is cancelled at Stripe (by the schedule's sender).
    m.problem(await bid(a.p, a.listingId, balanceB!, 1050), 409, 'bid_too_low');
    m.ok(await bid(a.p, a.listingId, balanceB!, 1500), 201);
    expect(await heldOn(a.listingId)).toBe(1500);
    expect(intentStatus(first.intent)).toBe('requires_capture');
    await sendDueBidActions(t.deps);
    expect(intentStatus(first.intent)).toBe('canceled');
    expect(standIn.requests.filter((r) => r.path === `/v1/payment_intents/${first.intent.id}/cancel`)[0]?.idempotencyKey).toBe(
      `haipai-bid-cancel-${first.body.pendingBid.paymentId}`,
    );
    // Sent once: a second run has nothing to send.
    await sendDueBidActions(t.deps);
    expect(standIn.requests.filter((r) => r.path.endsWith('/cancel')).length).toBe(1);

    // A card bid beats the balance bid: the balance bidder's hold comes back when it counts.
    const third = await cardBid(a.p, a.listingId, cardC!, 2000);
    expect(await heldOn(a.listingId)).toBe(1500);
    expect((await s.deliver(authorisedEvent(third.intent))).status).toBe(200);
    expect(await heldOn(a.listingId)).toBe(0);
    expect(await m.balance(balanceB!)).toBe(5000);
    expect((await auction(a.listingId)).highestBid).toMatchObject({ bidderId: cardC, amount: 2000 });
    // The board prices and places it by the card bid at once: its price sort key is the highest bid.
    const board = m.ok(await t.call('GET', '/v1/board/listings?listingKind=english&sort=price_desc&limit=100'), 200);
    expect(board.data.find((i: { id: string }) => i.id === a.listingId)).toMatchObject({
      price: 2000,
      priceBasis: 'highest_bid',
    });

    // The close reserves the unit for the card winner on the stripe rail and captures its authorisation.
    t.clock.advance(3601);
    await closeDueAuctions(t.deps.db, t.clock.now());
    const closed = await auction(a.listingId);
    expect(closed.outcome).toMatchObject({ result: 'won', winnerId: cardC, amount: 2000, tradeStatus: 'reserved' });
    expect(intentStatus(third.intent)).toBe('requires_capture');
    await sendDueBidActions(t.deps);
    expect(intentStatus(third.intent)).toBe('succeeded');
    expect(await m.owner(a.unitId)).toBe(a.seller);

    // Stripe reports the capture: the sale settles like a stripe-rail purchase, once.
    const captured = standIn.signedEvent('payment_intent.succeeded', standIn.intents.get(String(third.intent.id))!);
    expect((await s.deliver(captured)).status).toBe(200);
    expect((await s.deliver(captured)).body).toMatchObject({ duplicate: true });
    expect((await auction(a.listingId)).outcome).toMatchObject({ tradeStatus: 'settled' });
    expect(await m.owner(a.unitId)).toBe(cardC);
    // Seller 85% of 2000, creator 10%, platform 5%; the card money passed through the buyer's balance.
    expect(await m.balance(a.seller)).toBe(1700);
    expect(await m.balance(cardC!)).toBe(0);
    const kinds = await app.st.journalsOf(closed.outcome.tradeId);
    expect(kinds.map((j) => j.kind)).toEqual(['payment', 'trade']);
    expect(standIn.requests.filter((r) => r.path.endsWith('/capture')).length).toBe(1);
  });

  it('an authorisation that arrives too late never counts: outbid meanwhile, or after the end; both are cancelled', async () => {
    const { t, m, s } = app;
    const a = await english();
    const [cardA, balanceB, cardD] = await m.accounts(a.p, 3);
    await m.topUp(balanceB!, 5000);
    const slow = await cardBid(a.p, a.listingId, cardA!, 1000);
    m.ok(await bid(a.p, a.listingId, balanceB!, 1500), 201);
    expect((await s.deliver(authorisedEvent(slow.intent))).status).toBe(200);
    expect(await cardRow(slow.body.pendingBid.paymentId)).toMatchObject({ bid_refused: 'bid_too_low', bid_id: null });
    expect((await auction(a.listingId)).bids).toBe(1);

    const late = await cardBid(a.p, a.listingId, cardD!, 3000);
    t.clock.advance(3601);
    await closeDueAuctions(t.deps.db, t.clock.now());
    expect((await auction(a.listingId)).outcome).toMatchObject({ winnerId: balanceB, amount: 1500, tradeStatus: 'settled' });
    // Authorised after the close: still not a bid.
    expect((await s.deliver(authorisedEvent(late.intent))).status).toBe(200);
    expect(await cardRow(late.body.pendingBid.paymentId)).toMatchObject({ bid_refused: 'auction_ended', bid_action: 'cancel' });
    await sendDueBidActions(t.deps);
    expect(intentStatus(slow.intent)).toBe('canceled');
    expect(intentStatus(late.intent)).toBe('canceled');
    expect(await m.owner(a.unitId)).toBe(balanceB);
  });

  it('the winner’s authorisation cannot be captured: its trade is released and the next valid bid inherits', async () => {
    const { t, m, s, standIn } = app;
    const a = await english();
    const [balanceB, cardC] = await m.accounts(a.p, 2);
    await m.topUp(balanceB!, 5000);
    m.ok(await bid(a.p, a.listingId, balanceB!, 1500), 201);
    const top = await cardBid(a.p, a.listingId, cardC!, 2500);
    expect((await s.deliver(authorisedEvent(top.intent))).status).toBe(200);
    // The authorisation lapses at Stripe (it expires after some days) before we hear of it.
    Object.assign(standIn.intents.get(String(top.intent.id))!, { status: 'canceled', amount_capturable: 0 });

    t.clock.advance(3601);
    await closeDueAuctions(t.deps.db, t.clock.now());
    const closed = await auction(a.listingId);
    expect(closed.outcome).toMatchObject({ winnerId: cardC, tradeStatus: 'reserved' });
    await sendDueBidActions(t.deps);
    expect(await cardRow(top.body.pendingBid.paymentId)).toMatchObject({ bid_action_error: 'payment_intent_canceled' });

    // Stripe's canceled event releases the trade; the close runs again and the balance bid inherits.
    const canceled = standIn.signedEvent('payment_intent.canceled', standIn.intents.get(String(top.intent.id))!);
    expect((await s.deliver(canceled)).status).toBe(200);
    expect(await app.st.tradeRow(closed.outcome.tradeId)).toMatchObject({
      status: 'released',
      release_reason: 'payment_canceled',
    });
    await closeDueAuctions(t.deps.db, t.clock.now());
    expect((await auction(a.listingId)).outcome).toMatchObject({ winnerId: balanceB, amount: 1500, tradeStatus: 'settled' });
    expect(await m.owner(a.unitId)).toBe(balanceB);
    expect(await m.balance(balanceB!)).toBe(3500);
    // Redelivered late, the canceled event changes nothing.
    expect((await s.deliver(canceled)).body).toMatchObject({ duplicate: true });
    expect(await m.owner(a.unitId)).toBe(balanceB);
  });

  it('a retried card bid with the same Idempotency-Key is the same bid and the same PaymentIntent; a newer card bid replaces a waiting one', async () => {
    const { m, standIn } = app;
    const a = await english();
    const [x] = await m.accounts(a.p, 1);
    const once = m.ok(await bid(a.p, a.listingId, x!, 1200, 'stripe', 'card-bid-1'), 202);
    const again = m.ok(await bid(a.p, a.listingId, x!, 1200, 'stripe', 'card-bid-1'), 202);
    expect(again.pendingBid.paymentId).toBe(once.pendingBid.paymentId);
    expect(again.payment.paymentIntentId).toBe(once.payment.paymentIntentId);
    const creates = standIn.requests.filter(
      (r) => r.path === '/v1/payment_intents' && r.params['metadata[listingId]'] === a.listingId,
    );
    expect(new Set(creates.map((r) => r.idempotencyKey)).size).toBe(1);

    const newer = m.ok(await bid(a.p, a.listingId, x!, 1400, 'stripe'), 202);
    expect(await cardRow(once.pendingBid.paymentId)).toMatchObject({ bid_refused: 'replaced', bid_action: 'cancel' });
    expect(intentStatus({ id: once.payment.paymentIntentId })).toBe('canceled');
    expect(intentStatus({ id: newer.payment.paymentIntentId })).toBe('requires_payment_method');
    m.problem(await bid(a.p, a.listingId, x!, 900, 'stripe'), 409, 'bid_too_low');
  });

  it('authorisations arriving while the auction closes (concurrent closers and readers): none counts late, every one but the winner’s is cancelled', async () => {
    const { t, m, s } = app;
    const a = await english();
    const [winner, ...late] = await m.accounts(a.p, 5);
    const top = await cardBid(a.p, a.listingId, winner!, 1000);
    expect((await s.deliver(authorisedEvent(top.intent))).status).toBe(200);
    const pending = [];
    for (const [i, x] of late.entries()) pending.push(await cardBid(a.p, a.listingId, x, 2000 + i * 100));
    t.clock.advance(3601);
    const results = await Promise.all([
      ...pending.map((p) => s.deliver(authorisedEvent(p.intent))),
      closeDueAuctions(t.deps.db, t.clock.now()),
      closeDueAuctions(t.deps.db, t.clock.now()),
      app.t.call('GET', `/v1/listings/${a.listingId}/auction`),
    ]);
    for (const r of results.slice(0, pending.length)) expect((r as { status: number }).status).toBe(200);
    const closed = await auction(a.listingId);
    expect(closed.outcome).toMatchObject({ winnerId: winner, amount: 1000, tradeStatus: 'reserved' });
    expect(closed.bids).toBe(1);
    for (const p of pending) {
      expect(await cardRow(p.body.pendingBid.paymentId)).toMatchObject({
        bid_id: null,
        bid_refused: 'auction_ended',
        bid_action: 'cancel',
      });
    }
    await sendDueBidActions(t.deps);
    for (const p of pending) expect(intentStatus(p.intent)).toBe('canceled');
    expect(intentStatus(top.intent)).toBe('succeeded');
  });

  it('authorisations delivered concurrently, twice and in any order, beside concurrent balance bids: each decided once, the highest counts, money conserved', async () => {
    const { t, m, s } = app;
    for (const round of [0, 1, 2]) {
      const a = await english();
      const cards = await m.accounts(a.p, 6);
      const balances = await m.accounts(a.p, 4);
      await Promise.all(balances.map((b) => m.topUp(b, 10_000)));
      // Card bids 1000, 1200 … 2000, all waiting for Stripe.
      const pending = [];
      for (const [i, c] of cards.entries()) pending.push(await cardBid(a.p, a.listingId, c, 1000 + i * 200));
      const events = pending.map((p) => authorisedEvent(p.intent));
      const deliveries = [...events, ...events]
        .map((e) => ({ e, k: Math.random() }))
        .sort((x, y) => x.k - y.k)
        .map(
          ({ e }) =>
            () =>
              s.deliver(e),
        );
      const balanceBids = balances.map((b, i) => () => bid(a.p, a.listingId, b, 1100 + i * 300 + round * 10));
      const results = await Promise.all([...deliveries, ...balanceBids].map((f) => f()));
      for (const r of results) expect([200, 201, 409], JSON.stringify(r.body)).toContain(r.status);

      const rows = await t.deps.db.selectFrom('stripe_payments').selectAll().where('listing_id', '=', a.listingId).execute();
      // Every authorisation decided exactly once: counted or refused, never both.
      for (const r of rows) expect(Number(r.bid_id !== null) + Number(r.bid_refused !== null)).toBe(1);
      // In the order they were accepted (the test clock stands still, so bid times tie): each at least
      // the one before plus the increment.
      const placed = await t.deps.db
        .selectFrom('events')
        .select('entry')
        .where('type', '=', 'bid.placed')
        .where('entry', 'like', `%${a.listingId}%`)
        .orderBy('seq')
        .execute();
      const bids = placed.map((e) => JSON.parse(e.entry) as { bidId: string; amount: number });
      expect(bids.length).toBe(
        await t.deps.db
          .selectFrom('bids')
          .select('id')
          .where('listing_id', '=', a.listingId)
          .execute()
          .then((r) => r.length),
      );
      for (let i = 1; i < bids.length; i++) expect(bids[i]!.amount).toBeGreaterThanOrEqual(bids[i - 1]!.amount + 100);
      const top = bids.at(-1)!;
      // The highest card bid (2000) beats every balance bid but 2000+ (only the last balance bidder's 2000+round*10).
      const topCard = rows.find((r) => r.bid_id === top.bidId);
      // Only the standing highest bid keeps its funding: its authorisation, or its hold.
      const live = rows.filter((r) => r.bid_action === null);
      expect(live.map((r) => r.bid_id)).toEqual(topCard ? [top.bidId] : []);
      expect(await heldOn(a.listingId)).toBe(topCard ? 0 : top.amount);
      expect((await auction(a.listingId)).highestBid).toMatchObject({ id: top.bidId, amount: top.amount });
      let total = 0;
      for (const b of balances) total += await m.balance(b);
      expect(total + (await heldOn(a.listingId))).toBe(40_000);

      await sendDueBidActions(t.deps);
      for (const p of pending) {
        const row = rows.find((r) => r.id === p.body.pendingBid.paymentId)!;
        expect(intentStatus(p.intent)).toBe(row.bid_action === null ? 'requires_capture' : 'canceled');
      }
    }
  });
});
