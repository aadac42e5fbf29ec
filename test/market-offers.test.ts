import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScheduledWork } from '../src/scheduled.js';
import { startTestApp, type TestApp } from './support/harness.js';
import { marketWorld } from './support/market.js';

let t: TestApp;
let m: ReturnType<typeof marketWorld>;
beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '0' });
  m = marketWorld(t);
});
afterAll(async () => t?.close());

const DAY = 86400;
const later = (seconds: number) => new Date(t.clock.now().getTime() + seconds * 1000).toISOString();

async function collectorWithUnit() {
  const world = await m.work({ royaltyBps: 1000 });
  const collector = await m.account(world.p);
  const [unit] = (await m.mint(world.p, world.edition.id, 1, collector)).units;
  return { ...world, collector, unit };
}

async function offer(p: { key: string }, unitId: string, buyerId: string, amount: number, expiresIn = DAY) {
  return m.ok(
    await t.call('POST', `/v1/units/${unitId}/offers`, {
      key: p.key,
      body: { buyerId, currency: 'CNY', amount, expiresAt: later(expiresIn) },
    }),
    201,
  );
}

const accept = (p: { key: string }, offerId: string, sellerId: string) =>
  t.call('POST', `/v1/offers/${offerId}/accept`, { key: p.key, body: { sellerId } });

describe('offers', () => {
  it('the owner accepts one offer: settled at its amount; the other offers stay open', async () => {
    const { p, creator, collector, unit } = await collectorWithUnit();
    const [a, b] = await m.accounts(p, 2);
    await m.topUp(a!, 8_000);
    await m.topUp(b!, 8_000);
    const low = await offer(p, unit.id, a!, 5_000);
    const high = await offer(p, unit.id, b!, 6_000);
    expect(low).toMatchObject({ status: 'open', amount: 5_000, buyerId: a, currency: 'CNY' });

    const page = m.ok(await t.call('GET', `/v1/units/${unit.id}/offers`), 200);
    expect(page.data.map((o: { id: string; amount: number }) => [o.id, o.amount])).toEqual([
      [low.id, 5_000],
      [high.id, 6_000],
    ]);

    const accepted = m.ok(await accept(p, high.id, collector), 201);
    expect(accepted.offer.status).toBe('accepted');
    expect(accepted.trade).toMatchObject({ status: 'settled', price: 6_000, offerId: high.id, buyerId: b, sellerId: collector });
    expect(await m.owner(unit.id)).toBe(b);
    expect(await m.balance(b!)).toBe(2_000);
    expect(await m.balance(collector)).toBe(6_000 - 300 - 600);
    expect(await m.balance(creator)).toBe(600);

    expect(m.ok(await t.call('GET', `/v1/offers/${low.id}`), 200).status).toBe('open');
    m.problem(await accept(p, low.id, collector), 409, 'not_owner');
    // The new owner may accept the remaining offer.
    const again = m.ok(await accept(p, low.id, b!), 201);
    expect(again.trade).toMatchObject({ price: 5_000, sellerId: b, buyerId: a });
    expect(await m.owner(unit.id)).toBe(a);
    m.problem(await accept(p, high.id, a!), 409, 'offer_not_open');
    const open = m.ok(await t.call('GET', `/v1/units/${unit.id}/offers?status=open`), 200);
    expect(open.data).toEqual([]);
  });

  it('20 acceptances of different offers at once sell the unit once', async () => {
    const { p, collector, unit } = await collectorWithUnit();
    const buyers = await m.accounts(p, 20);
    await Promise.all(buyers.map((b) => m.topUp(b, 1_000)));
    const offers = await Promise.all(buyers.map((b, i) => offer(p, unit.id, b, 500 + i)));
    const results = await Promise.all(offers.map((o) => accept(p, o.id, collector)));
    const won = results.filter((r) => r.status === 201);
    expect(won).toHaveLength(1);
    expect(results.filter((r) => r.status === 409 && r.body.code === 'not_owner')).toHaveLength(19);
    expect(await m.owner(unit.id)).toBe(won[0]!.body.trade.buyerId);
    const settled = await t.deps.db.selectFrom('trades').select('id').where('unit_id', '=', unit.id).execute();
    expect(settled).toHaveLength(1);
  });

  it('an expired offer cannot be accepted; reads and the schedule mark it expired', async () => {
    const { p, collector, unit } = await collectorWithUnit();
    const [a, b] = await m.accounts(p, 2);
    await m.topUp(a!, 5_000);
    const soon = await offer(p, unit.id, a!, 1_000, 60);
    const other = await offer(p, unit.id, b!, 1_000, 60);
    t.clock.advance(61);
    expect(m.ok(await t.call('GET', `/v1/offers/${soon.id}`), 200).status).toBe('expired');
    m.problem(await accept(p, soon.id, collector), 409, 'offer_expired');
    const row = await t.deps.db.selectFrom('offers').select('status').where('id', '=', soon.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('expired');
    expect(await m.owner(unit.id)).toBe(collector);

    await runScheduledWork(t.deps);
    const swept = await t.deps.db.selectFrom('offers').select('status').where('id', '=', other.id).executeTakeFirstOrThrow();
    expect(swept.status).toBe('expired');
    const types = (await t.deps.db.selectFrom('events').select(['type', 'entry']).where('unit_id', '=', unit.id).execute())
      .filter((e) => e.type === 'offer.expired')
      .map((e) => JSON.parse(e.entry).offerId);
    expect(types.sort()).toEqual([soon.id, other.id].sort());
    const expired = m.ok(await t.call('GET', `/v1/units/${unit.id}/offers?status=expired`), 200);
    expect(expired.data).toHaveLength(2);
  });

  it('the buyer withdraws an offer; no one else can', async () => {
    const { p, collector, unit } = await collectorWithUnit();
    const [a] = await m.accounts(p, 1);
    const o = await offer(p, unit.id, a!, 1_000);
    const other = await m.platform('Other');
    m.problem(await t.call('POST', `/v1/offers/${o.id}/cancel`, { key: other.key }), 404, 'not_found');
    expect(m.ok(await t.call('POST', `/v1/offers/${o.id}/cancel`, { key: p.key }), 200).status).toBe('cancelled');
    m.problem(await t.call('POST', `/v1/offers/${o.id}/cancel`, { key: p.key }), 409, 'offer_not_open');
    m.problem(await accept(p, o.id, collector), 409, 'offer_not_open');
  });

  it('an acceptance the buyer cannot pay changes nothing', async () => {
    const { p, collector, unit } = await collectorWithUnit();
    const [a] = await m.accounts(p, 1);
    await m.topUp(a!, 999);
    const o = await offer(p, unit.id, a!, 1_000);
    const listing = await m.list(p, { kind: 'fixed', sellerId: collector, unitId: unit.id, price: 2_000 });
    const before = await m.counts();
    m.problem(await accept(p, o.id, collector), 409, 'insufficient_funds');
    expect(await m.counts()).toEqual(before);
    expect(m.ok(await t.call('GET', `/v1/offers/${o.id}`), 200).status).toBe('open');
    expect(m.ok(await t.call('GET', `/v1/listings/${listing.id}`), 200).status).toBe('open');
  });

  it("accepting an offer ends the unit's open listing; a reserved unit cannot be sold by offer", async () => {
    const { p, collector, unit } = await collectorWithUnit();
    const [a, b] = await m.accounts(p, 2);
    await m.topUp(a!, 5_000);
    await m.topUp(b!, 5_000);
    const listing = await m.list(p, { kind: 'fixed', sellerId: collector, unitId: unit.id, price: 3_000 });
    const o = await offer(p, unit.id, a!, 2_500);
    const reservation = m.ok(await m.buy(p, listing.id, b!, { settle: false }), 201);
    m.problem(await accept(p, o.id, collector), 409, 'unit_reserved');
    m.ok(await t.call('POST', `/v1/trades/${reservation.id}/cancel`, { key: p.key }), 200);

    m.ok(await accept(p, o.id, collector), 201);
    const ended = m.ok(await t.call('GET', `/v1/listings/${listing.id}`), 200);
    expect(ended.status).toBe('cancelled');
    const cancelled = await t.deps.db.selectFrom('events').select('entry').where('type', '=', 'listing.cancelled').execute();
    expect(cancelled.map((e) => JSON.parse(e.entry)).find((f) => f.listingId === listing.id)).toMatchObject({
      reason: 'unit_sold',
    });
    m.problem(await m.buy(p, listing.id, b!), 409, 'listing_cancelled');
  });

  it('refuses offers on one’s own unit, past expiries and bad amounts, writing nothing', async () => {
    const { p, collector, unit } = await collectorWithUnit();
    const [a] = await m.accounts(p, 1);
    const before = await m.counts();
    const post = (body: Record<string, unknown>) =>
      t.call('POST', `/v1/units/${unit.id}/offers`, {
        key: p.key,
        body: { buyerId: a, currency: 'CNY', amount: 1_000, expiresAt: later(DAY), ...body },
      });
    m.problem(await post({ buyerId: collector }), 422, 'buyer_is_owner');
    m.problem(await post({ expiresAt: later(-10) }), 400, 'invalid_expiry');
    m.problem(await post({ expiresAt: later(91 * DAY) }), 400, 'invalid_expiry');
    m.problem(await post({ amount: 10.5 }), 400, 'validation_failed');
    m.problem(await post({ amount: -1 }), 400, 'validation_failed');
    m.problem(await post({ currency: 'yuan' }), 400, 'validation_failed');
    const other = await m.platform('Other');
    const stranger = await m.account(other);
    m.problem(await post({ buyerId: stranger }), 404, 'not_found');
    expect(await m.counts()).toEqual(before);
  });
});

describe('gifts and orders', () => {
  it("a gift ends the unit's open listing in the same transaction", async () => {
    const { p, collector, unit } = await collectorWithUnit();
    const [friend, buyer] = await m.accounts(p, 2);
    const listing = await m.list(p, { kind: 'fixed', sellerId: collector, unitId: unit.id, price: 1_000 });
    m.ok(
      await t.call('POST', `/v1/units/${unit.id}/transfers`, {
        key: p.key,
        body: { fromAccountId: collector, toAccountId: friend },
      }),
      201,
    );
    expect(m.ok(await t.call('GET', `/v1/listings/${listing.id}`), 200).status).toBe('cancelled');
    await m.topUp(buyer!, 1_000);
    m.problem(await m.buy(p, listing.id, buyer!), 409, 'listing_cancelled');
    expect(await m.owner(unit.id)).toBe(friend);
  });

  it('a unit in an auction is not given away; the seller cancels the auction first', async () => {
    const { p, collector, unit } = await collectorWithUnit();
    const [friend] = await m.accounts(p, 1);
    const auction = await m.list(p, {
      kind: 'english',
      sellerId: collector,
      unitId: unit.id,
      startPrice: 100,
      minIncrement: 10,
      endsAt: later(DAY),
    });
    const gift = () =>
      t.call('POST', `/v1/units/${unit.id}/transfers`, { key: p.key, body: { fromAccountId: collector, toAccountId: friend } });
    m.problem(await gift(), 409, 'unit_in_auction');
    m.ok(await t.call('POST', `/v1/listings/${auction.id}/cancel`, { key: p.key }), 200);
    m.ok(await gift(), 201);
  });
});
