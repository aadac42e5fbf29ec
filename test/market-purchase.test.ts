import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScheduledWork } from '../src/scheduled.js';
import { startTestApp, type TestApp } from './support/harness.js';
import { marketWorld } from './support/market.js';

// With DATABASE_URL set these fire real parallel transactions at PostgreSQL; on PGlite they
// still prove the rules, with the queries serialised on its single connection.
let t: TestApp;
let m: ReturnType<typeof marketWorld>;
beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '0' });
  m = marketWorld(t);
});
afterAll(async () => t?.close());

const DAY = 86400;
const trades = (unitId: string) => t.deps.db.selectFrom('trades').selectAll().where('unit_id', '=', unitId).execute();

/** A collector holding one unit of a work whose edition pays a 10% royalty. */
async function collectorWithUnit(royaltyBps = 1000) {
  const world = await m.work({ royaltyBps });
  const collector = await m.account(world.p);
  const [unit] = (await m.mint(world.p, world.edition.id, 1, collector)).units;
  return { ...world, collector, unit };
}

describe('purchase', () => {
  it('200 parallel purchases of one listing: one trade, one change of owner, exact split', async () => {
    const { p, creator, collector, unit } = await collectorWithUnit(1000);
    const listing = await m.list(p, { kind: 'fixed', sellerId: collector, unitId: unit.id, price: 10_000 });
    const buyers = await m.accounts(p, 200);
    for (let i = 0; i < buyers.length; i += 50) await Promise.all(buyers.slice(i, i + 50).map((b) => m.topUp(b, 10_000)));

    const results = await Promise.all(buyers.map((b) => m.buy(p, listing.id, b)));
    const won = results.filter((r) => r.status === 201);
    expect(won).toHaveLength(1);
    const lost = results.filter((r) => r.status !== 201);
    expect(lost.every((r) => r.status === 409 && typeof r.body.code === 'string')).toBe(true);
    expect(new Set(lost.map((r) => r.body.code))).toEqual(new Set(['listing_sold']));

    const trade = won[0]!.body;
    expect(trade).toMatchObject({ status: 'settled', price: 10_000, listingId: listing.id, sellerId: collector });
    expect(await trades(unit.id)).toHaveLength(1);
    expect(await m.owner(unit.id)).toBe(trade.buyerId);
    const history = m.ok(await t.call('GET', `/v1/units/${unit.id}/history`), 200);
    expect(history.data.filter((e: { type: string }) => e.type === 'trade.settled')).toHaveLength(1);

    // 10,000: platform fee 5% = 500, royalty 10% = 1,000 to the creator, the seller 8,500.
    expect(await m.balance(collector)).toBe(8_500);
    expect(await m.balance(p.id)).toBe(500);
    expect(await m.balance(creator)).toBe(1_000);
    expect(await m.balance(trade.buyerId)).toBe(0);
    const others = buyers.filter((b) => b !== trade.buyerId);
    expect(new Set(await Promise.all(others.slice(0, 20).map((b) => m.balance(b))))).toEqual(new Set([10_000]));
    const spent = await t.deps.db
      .selectFrom('postings')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('role', '=', 'buyer')
      .where('holder', 'in', buyers)
      .executeTakeFirstOrThrow();
    expect(Number(spent.n)).toBe(1);
    expect(m.ok(await t.call('GET', `/v1/listings/${listing.id}`), 200)).toMatchObject({ status: 'sold', sold: 1 });
  });

  it('a Dutch auction bought by 50 buyers at once sells once, at the price of that instant', async () => {
    const { p, creator, edition } = await m.work();
    const endsAt = new Date(t.clock.now().getTime() + 10 * DAY * 1000).toISOString();
    const listing = await m.list(p, {
      kind: 'dutch',
      sellerId: creator,
      editionId: edition.id,
      startPrice: 15_000,
      floorPrice: 5_000,
      endsAt,
    });
    expect(listing.currentPrice).toBe(15_000);
    const buyers = await m.accounts(p, 50);
    await Promise.all(buyers.map((b) => m.topUp(b, 20_000)));

    t.clock.advance(5 * DAY); // half way: the price has fallen by half of 10,000
    const results = await Promise.all(buyers.map((b) => m.buy(p, listing.id, b)));
    const won = results.filter((r) => r.status === 201);
    expect(won).toHaveLength(1);
    expect(results.filter((r) => r.status === 409 && r.body.code === 'listing_sold')).toHaveLength(49);

    const trade = won[0]!.body;
    // drop = floor(10,000 × elapsed / duration); it moves by 1 only every 86.4 s, so half way it is 5,000.
    expect(trade.price).toBe(10_000);
    const elapsed = BigInt(Date.parse(trade.createdAt) - Date.parse(listing.startsAt));
    const duration = BigInt(Date.parse(listing.endsAt) - Date.parse(listing.startsAt));
    expect(BigInt(trade.price)).toBe(15_000n - (10_000n * elapsed) / duration);

    expect(await m.balance(trade.buyerId)).toBe(10_000);
    expect(await m.balance(creator)).toBe(9_500); // the seller, less the 5% fee; no royalty on this edition
    expect(m.ok(await t.call('GET', `/v1/editions/${edition.id}`), 200).minted).toBe(1);
    expect(await m.owner(trade.unitId)).toBe(trade.buyerId);
  });

  it('a retried purchase with the same Idempotency-Key never buys twice', async () => {
    const { p, creator, edition } = await m.work();
    const listing = await m.list(p, { kind: 'fixed', sellerId: creator, editionId: edition.id, quantity: 5, price: 1_000 });
    const [buyer] = await m.accounts(p, 1);
    await m.topUp(buyer!, 10_000);

    const first = await m.buy(p, listing.id, buyer!, { headers: { 'idempotency-key': 'buy-1' } });
    const again = await m.buy(p, listing.id, buyer!, { headers: { 'idempotency-key': 'buy-1' } });
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');

    const parallel = await Promise.all(
      Array.from({ length: 10 }, () => m.buy(p, listing.id, buyer!, { headers: { 'idempotency-key': 'buy-2' } })),
    );
    expect(parallel.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(new Set(parallel.map((r) => r.body.id)).size).toBe(1);
    expect(parallel.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(9);

    const bought = await t.deps.db.selectFrom('trades').select('id').where('buyer_id', '=', buyer!).execute();
    expect(bought).toHaveLength(2);
    expect(await m.balance(buyer!)).toBe(8_000);
    expect(m.ok(await t.call('GET', `/v1/listings/${listing.id}`), 200)).toMatchObject({ status: 'open', sold: 2 });
  });

  it('a primary listing sells held units, then mints, never more than its quantity', async () => {
    const { p, creator, edition } = await m.work({ size: 10 });
    await m.mint(p, edition.id, 1); // serial 1, held by the rights holder
    const listing = await m.list(p, { kind: 'fixed', sellerId: creator, editionId: edition.id, quantity: 3, price: 100 });
    const buyers = await m.accounts(p, 5);
    await Promise.all(buyers.map((b) => m.topUp(b, 1_000)));
    const results = [];
    for (const b of buyers) results.push(await m.buy(p, listing.id, b));
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 409, 409]);
    expect(results[3]!.body.code).toBe('listing_sold');
    const serials = await Promise.all(
      results.slice(0, 3).map(async (r) => m.ok(await t.call('GET', `/v1/units/${r.body.unitId}`), 200).serial),
    );
    expect(serials).toEqual([1, 2, 3]);
    expect(m.ok(await t.call('GET', `/v1/editions/${edition.id}`), 200).minted).toBe(3);
    expect(m.ok(await t.call('GET', `/v1/listings/${listing.id}`), 200)).toMatchObject({ status: 'sold', sold: 3 });
  });

  it('30 parallel purchases of a primary listing of 5: five trades, five serials, nothing minted beyond', async () => {
    const { p, creator, edition } = await m.work({ size: 8 });
    await m.mint(p, edition.id, 2); // serials 1 and 2 held by the rights holder
    const listing = await m.list(p, { kind: 'fixed', sellerId: creator, editionId: edition.id, quantity: 5, price: 700 });
    const buyers = await m.accounts(p, 30);
    await Promise.all(buyers.map((b) => m.topUp(b, 700)));
    const results = await Promise.all(buyers.map((b) => m.buy(p, listing.id, b)));
    const won = results.filter((r) => r.status === 201);
    expect(won).toHaveLength(5);
    expect(results.filter((r) => r.status === 409 && r.body.code === 'listing_sold')).toHaveLength(25);
    const units = m.ok(await t.call('GET', `/v1/editions/${edition.id}/units`), 200).data;
    expect(units.map((u: { serial: number }) => u.serial)).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(won.map((r) => r.body.unitId)).size).toBe(5);
    for (const r of won) expect(await m.owner(r.body.unitId)).toBe(r.body.buyerId);
    expect(await m.balance(creator)).toBe(5 * (700 - 35));
    expect(m.ok(await t.call('GET', `/v1/listings/${listing.id}`), 200)).toMatchObject({ status: 'sold', sold: 5 });
  });

  it('a purchase the buyer cannot pay leaves nothing behind', async () => {
    const { p, creator, edition } = await m.work();
    const listing = await m.list(p, { kind: 'fixed', sellerId: creator, editionId: edition.id, price: 5_000 });
    const [buyer] = await m.accounts(p, 1);
    await m.topUp(buyer!, 4_999);
    const before = await m.counts();
    const res = await m.buy(p, listing.id, buyer!);
    const body = m.problem(res, 409, 'insufficient_funds');
    expect(body).toMatchObject({ holder: buyer, available: 4_999, required: 5_000 });
    expect(await m.counts()).toEqual(before);
    expect(m.ok(await t.call('GET', `/v1/listings/${listing.id}`), 200)).toMatchObject({ status: 'open', sold: 0 });
    expect(m.ok(await t.call('GET', `/v1/editions/${edition.id}`), 200).minted).toBe(0);
  });

  it('auctions are won by bidding, not bought', async () => {
    const { p, collector, unit } = await collectorWithUnit();
    const [buyer] = await m.accounts(p, 1);
    const endsAt = new Date(t.clock.now().getTime() + DAY * 1000).toISOString();
    const english = await m.list(p, {
      kind: 'english',
      sellerId: collector,
      unitId: unit.id,
      startPrice: 1_000,
      minIncrement: 100,
      endsAt,
    });
    expect(english).toMatchObject({ antiSnipeSeconds: 300, currentPrice: null, status: 'open' });
    m.problem(await m.buy(p, english.id, buyer!), 409, 'not_buyable');
  });
});

describe('reservations', () => {
  it('expire after 15 minutes and release the unit to the next buyer; a late settle is refused', async () => {
    const { p, collector, unit } = await collectorWithUnit();
    const listing = await m.list(p, { kind: 'fixed', sellerId: collector, unitId: unit.id, price: 2_000 });
    const [a, b] = await m.accounts(p, 2);
    await m.topUp(a!, 5_000);
    await m.topUp(b!, 5_000);

    const reserved = m.ok(await m.buy(p, listing.id, a!, { settle: false }), 201);
    expect(reserved.status).toBe('reserved');
    expect(Date.parse(reserved.reservedUntil) - Date.parse(reserved.createdAt)).toBe(15 * 60 * 1000);
    expect(await m.owner(unit.id)).toBe(collector);
    expect(await m.balance(a!)).toBe(5_000);
    m.problem(await m.buy(p, listing.id, b!), 409, 'listing_sold');
    const gift = await t.call('POST', `/v1/units/${unit.id}/transfers`, {
      key: p.key,
      body: { fromAccountId: collector, toAccountId: b },
    });
    m.problem(gift, 409, 'unit_reserved');
    m.problem(await t.call('POST', `/v1/listings/${listing.id}/cancel`, { key: p.key }), 409, 'listing_reserved');

    t.clock.advance(15 * 60 + 1);
    await runScheduledWork(t.deps);
    const lapsed = m.ok(await t.call('GET', `/v1/trades/${reserved.id}`, { key: p.key }), 200);
    expect(lapsed).toMatchObject({ status: 'released', releaseReason: 'reservation_expired' });
    expect(m.ok(await t.call('GET', `/v1/listings/${listing.id}`), 200)).toMatchObject({ status: 'open', sold: 0 });

    m.problem(await t.call('POST', `/v1/trades/${reserved.id}/settle`, { key: p.key }), 409, 'reservation_expired');
    const bought = m.ok(await m.buy(p, listing.id, b!), 201);
    expect(bought.status).toBe('settled');
    expect(await m.owner(unit.id)).toBe(b);
    expect(await m.balance(a!)).toBe(5_000);
    expect(await m.balance(b!)).toBe(3_000);
  });

  it('a settle after the reservation lapsed is refused even before the schedule runs, and releases it', async () => {
    const { p, collector, unit } = await collectorWithUnit();
    const listing = await m.list(p, { kind: 'fixed', sellerId: collector, unitId: unit.id, price: 2_000 });
    const [a] = await m.accounts(p, 1);
    await m.topUp(a!, 5_000);
    const reserved = m.ok(await m.buy(p, listing.id, a!, { settle: false }), 201);
    t.clock.advance(15 * 60);
    m.problem(await t.call('POST', `/v1/trades/${reserved.id}/settle`, { key: p.key }), 409, 'reservation_expired');
    expect(m.ok(await t.call('GET', `/v1/trades/${reserved.id}`, { key: p.key }), 200).status).toBe('released');
    expect(m.ok(await t.call('GET', `/v1/listings/${listing.id}`), 200)).toMatchObject({ status: 'open', sold: 0 });
    expect(await m.balance(a!)).toBe(5_000);
  });

  it('settle within the window pays and hands over; an unpaid settle keeps the reservation; the buyer may cancel', async () => {
    const { p, collector, unit, creator } = await collectorWithUnit(1000);
    const listing = await m.list(p, { kind: 'fixed', sellerId: collector, unitId: unit.id, price: 3_000 });
    const [a, b] = await m.accounts(p, 2);
    await m.topUp(a!, 1_000);

    const first = m.ok(await m.buy(p, listing.id, a!, { settle: false }), 201);
    m.problem(await t.call('POST', `/v1/trades/${first.id}/settle`, { key: p.key }), 409, 'insufficient_funds');
    expect(m.ok(await t.call('GET', `/v1/trades/${first.id}`, { key: p.key }), 200).status).toBe('reserved');
    const cancelled = m.ok(await t.call('POST', `/v1/trades/${first.id}/cancel`, { key: p.key }), 200);
    expect(cancelled).toMatchObject({ status: 'released', releaseReason: 'cancelled_by_buyer' });
    m.problem(await t.call('POST', `/v1/trades/${first.id}/cancel`, { key: p.key }), 409, 'trade_released');

    await m.topUp(b!, 3_000);
    const second = m.ok(await m.buy(p, listing.id, b!, { settle: false }), 201);
    // Another platform cannot see or settle it.
    const other = await m.platform('Other');
    m.problem(await t.call('GET', `/v1/trades/${second.id}`, { key: other.key }), 404, 'not_found');
    m.problem(await t.call('POST', `/v1/trades/${second.id}/settle`, { key: other.key }), 404, 'not_found');
    const settled = m.ok(await t.call('POST', `/v1/trades/${second.id}/settle`, { key: p.key }), 200);
    expect(settled).toMatchObject({ status: 'settled' });
    expect(settled.journalId).toMatch(/^jnl_/);
    expect(m.ok(await t.call('POST', `/v1/trades/${second.id}/settle`, { key: p.key }), 200).journalId).toBe(settled.journalId);
    m.problem(await t.call('POST', `/v1/trades/${second.id}/cancel`, { key: p.key }), 409, 'trade_settled');
    expect(await m.owner(unit.id)).toBe(b);
    expect(await m.balance(creator)).toBe(300);
    expect(await m.balance(collector)).toBe(3_000 - 150 - 300);
  });
});

describe('listing lifecycle', () => {
  it('a fixed listing past its end refuses purchases and reads as expired', async () => {
    const { p, collector, unit } = await collectorWithUnit();
    const endsAt = new Date(t.clock.now().getTime() + 3600_000).toISOString();
    const listing = await m.list(p, { kind: 'fixed', sellerId: collector, unitId: unit.id, price: 1_000, endsAt });
    const [buyer] = await m.accounts(p, 1);
    await m.topUp(buyer!, 1_000);
    t.clock.advance(3601);
    expect(m.ok(await t.call('GET', `/v1/listings/${listing.id}`), 200).status).toBe('expired');
    m.problem(await m.buy(p, listing.id, buyer!), 409, 'listing_expired');
    const row = await t.deps.db.selectFrom('listings').select('status').where('id', '=', listing.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('expired');
    // The unit can be listed again.
    const again = await m.list(p, { kind: 'fixed', sellerId: collector, unitId: unit.id, price: 900 });
    expect(again.status).toBe('open');
    expect(await m.owner(unit.id)).toBe(collector);
  });

  it('the schedule marks ended listings expired, with an event', async () => {
    const { p, creator, edition } = await m.work();
    const endsAt = new Date(t.clock.now().getTime() + 60_000).toISOString();
    const listing = await m.list(p, { kind: 'fixed', sellerId: creator, editionId: edition.id, price: 1_000, endsAt });
    t.clock.advance(61);
    await runScheduledWork(t.deps);
    const row = await t.deps.db.selectFrom('listings').select('status').where('id', '=', listing.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('expired');
    const events = await t.deps.db.selectFrom('events').select(['type', 'entry']).where('type', '=', 'listing.expired').execute();
    expect(events.some((e) => JSON.parse(e.entry).listingId === listing.id)).toBe(true);
  });

  it('the seller cancels an open listing; a cancelled listing sells nothing', async () => {
    const { p, collector, unit } = await collectorWithUnit();
    const listing = await m.list(p, { kind: 'fixed', sellerId: collector, unitId: unit.id, price: 1_000 });
    const other = await m.platform('Elsewhere');
    m.problem(await t.call('POST', `/v1/listings/${listing.id}/cancel`, { key: other.key }), 404, 'not_found');
    const cancelled = m.ok(await t.call('POST', `/v1/listings/${listing.id}/cancel`, { key: p.key }), 200);
    expect(cancelled.status).toBe('cancelled');
    m.problem(await t.call('POST', `/v1/listings/${listing.id}/cancel`, { key: p.key }), 409, 'listing_cancelled');
    const [buyer] = await m.accounts(p, 1);
    m.problem(await m.buy(p, listing.id, buyer!), 409, 'listing_cancelled');
    m.problem(await m.buy(p, listing.id, collector), 409, 'listing_cancelled');
  });

  it('a listing that starts later takes no buyers until then', async () => {
    const { p, creator, edition } = await m.work();
    const listing = await m.list(p, {
      kind: 'fixed',
      sellerId: creator,
      editionId: edition.id,
      price: 500,
      startsAt: new Date(t.clock.now().getTime() + 3600_000).toISOString(),
    });
    const [buyer] = await m.accounts(p, 1);
    await m.topUp(buyer!, 500);
    const early = m.problem(await m.buy(p, listing.id, buyer!), 409, 'listing_not_started');
    expect(early.startsAt).toBe(listing.startsAt);
    t.clock.advance(3600);
    expect(m.ok(await m.buy(p, listing.id, buyer!), 201).price).toBe(500);
  });

  it('a seller cannot buy its own listing', async () => {
    const { p, collector, unit } = await collectorWithUnit();
    const listing = await m.list(p, { kind: 'fixed', sellerId: collector, unitId: unit.id, price: 1_000 });
    await m.topUp(collector, 1_000);
    m.problem(await m.buy(p, listing.id, collector), 422, 'buyer_is_seller');
  });
});
