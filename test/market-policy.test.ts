import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR_KEY, startTestApp, type TestApp } from './support/harness.js';
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
const refused = (res: Awaited<ReturnType<TestApp['call']>>, rule: string) => {
  const body = m.problem(res, 422, 'transfer_refused');
  expect(body.rule).toBe(rule);
  return body;
};

describe('the mainland collectibles preset', () => {
  it('refuses every kind of auction, naming the rule', async () => {
    const { p, creator, edition } = await m.work({ preset: 'mainland_collectible' });
    const base = { sellerId: creator, editionId: edition.id, currency: 'CNY' };
    const bodies = [
      { kind: 'english', startPrice: 1_000, minIncrement: 100, endsAt: later(DAY) },
      { kind: 'dutch', startPrice: 1_000, floorPrice: 500, endsAt: later(DAY) },
      { kind: 'sealed', endsAt: later(DAY), revealEndsAt: later(2 * DAY) },
    ];
    for (const body of bodies) {
      const res = await t.call('POST', '/v1/listings', { key: p.key, body: { ...base, ...body } });
      refused(res, 'auctions_not_allowed');
    }
  });

  it('allows the primary fixed-price sale, refuses resale, allows a gift only after the holding time', async () => {
    const { p, creator, edition } = await m.work({ preset: 'mainland_collectible' });
    const listing = await m.list(p, { kind: 'fixed', sellerId: creator, editionId: edition.id, quantity: 2, price: 9_900 });
    const [buyer, friend] = await m.accounts(p, 2);
    await m.topUp(buyer!, 9_900);
    const trade = m.ok(await m.buy(p, listing.id, buyer!), 201);
    expect(await m.owner(trade.unitId)).toBe(buyer);

    refused(
      await t.call('POST', '/v1/listings', {
        key: p.key,
        body: { kind: 'fixed', sellerId: buyer, unitId: trade.unitId, price: 20_000, currency: 'CNY' },
      }),
      'resale_not_allowed',
    );
    refused(
      await t.call('POST', `/v1/units/${trade.unitId}/offers`, {
        key: p.key,
        body: { buyerId: friend, currency: 'CNY', amount: 20_000, expiresAt: later(DAY) },
      }),
      'resale_not_allowed',
    );
    const gift = () =>
      t.call('POST', `/v1/units/${trade.unitId}/transfers`, { key: p.key, body: { fromAccountId: buyer, toAccountId: friend } });
    const early = refused(await gift(), 'gift_holding_time');
    expect(Date.parse(early.allowedAt as string)).toBe(Date.parse(trade.createdAt) + 180 * DAY * 1000);
    t.clock.advance(180 * DAY);
    expect((await gift()).status).toBe(201);
  });

  it('checks real names and age: the seller when listing, the buyer when buying', async () => {
    const p = await m.platform();
    const off = await m.official();
    const anonymous = await m.account(p, { attested: false });
    const asset = await m.registeredAsset(p, off, anonymous);
    const edition = m.ok(
      await t.call('POST', `/v1/assets/${asset.id}/editions`, { key: p.key, body: { size: 5, preset: 'mainland_collectible' } }),
      201,
    );
    const seller = refused(
      await t.call('POST', '/v1/listings', {
        key: p.key,
        body: { kind: 'fixed', sellerId: anonymous, editionId: edition.id, price: 100, currency: 'CNY' },
      }),
      'real_name_required',
    );
    expect(seller.detail).toContain('seller');

    const { creator, edition: e2 } = await m.work({ preset: 'mainland_collectible', p });
    const listing = await m.list(p, { kind: 'fixed', sellerId: creator, editionId: e2.id, price: 100 });
    const minor = await m.account(p, { adult: false });
    const unknown = await m.account(p, { attested: false });
    await m.topUp(minor, 100);
    await m.topUp(unknown, 100);
    const before = await m.counts();
    const a = refused(await m.buy(p, listing.id, minor), 'adults_only');
    expect(a.detail).toContain('buyer');
    refused(await m.buy(p, listing.id, unknown), 'real_name_required');
    expect(await m.counts()).toEqual(before);
  });
});

describe('the open preset', () => {
  it('allows auctions of every kind and resale', async () => {
    const { p, creator, edition } = await m.work();
    for (const body of [
      { kind: 'english', startPrice: 1_000, minIncrement: 100, reservePrice: 5_000, endsAt: later(DAY), antiSnipeSeconds: 120 },
      { kind: 'dutch', startPrice: 1_000, floorPrice: 500, endsAt: later(DAY) },
      { kind: 'sealed', reservePrice: 700, endsAt: later(DAY), revealEndsAt: later(2 * DAY) },
    ]) {
      const listing = await m.list(p, { sellerId: creator, editionId: edition.id, ...body });
      expect(listing).toMatchObject({ kind: body.kind, status: 'open', quantity: 1, sold: 0, unitId: null });
      expect(m.ok(await t.call('GET', `/v1/listings/${listing.id}`), 200)).toEqual(listing);
    }
    const fixed = await m.list(p, { kind: 'fixed', sellerId: creator, editionId: edition.id, price: 1_000 });
    const [buyer] = await m.accounts(p, 1);
    await m.topUp(buyer!, 1_000);
    const trade = m.ok(await m.buy(p, fixed.id, buyer!), 201);
    const resale = await m.list(p, {
      kind: 'english',
      sellerId: buyer,
      unitId: trade.unitId,
      startPrice: 2_000,
      minIncrement: 50,
      endsAt: later(DAY),
    });
    expect(resale).toMatchObject({ unitId: trade.unitId, sellerId: buyer, status: 'open' });
  });

  it('names the resale holding time and when it passes', async () => {
    const { p, edition } = await m.work({ policy: { resaleHoldSeconds: 3600 } });
    const collector = await m.account(p);
    const [unit] = (await m.mint(p, edition.id, 1, collector)).units;
    const body = { kind: 'fixed', sellerId: collector, unitId: unit.id, price: 500, currency: 'CNY' };
    const early = refused(await t.call('POST', '/v1/listings', { key: p.key, body }), 'resale_holding_time');
    expect(Date.parse(early.allowedAt as string)).toBe(Date.parse(unit.acquiredAt) + 3600_000);
    t.clock.advance(3600);
    expect((await t.call('POST', '/v1/listings', { key: p.key, body })).status).toBe(201);
  });

  it('refuses a work whose licence is not transferable', async () => {
    const { p, creator, edition } = await m.work({
      asset: { licence: { commercialUse: 'personal', derivativesAllowed: false, transferable: false } },
    });
    refused(
      await t.call('POST', '/v1/listings', {
        key: p.key,
        body: { kind: 'fixed', sellerId: creator, editionId: edition.id, price: 100, currency: 'CNY' },
      }),
      'licence_not_transferable',
    );
  });

  it('refuses fees and royalties that together exceed the price', async () => {
    const greedy = m.ok(
      await t.call('POST', '/v1/platforms', { key: OPERATOR_KEY, body: { name: 'Greedy', feeBps: 9000 } }),
      201,
    );
    const p = { id: greedy.platform.id as string, key: greedy.apiKey.secret as string };
    const { creator, edition } = await m.work({ p, royaltyBps: 2000 });
    const res = await t.call('POST', '/v1/listings', {
      key: p.key,
      body: { kind: 'fixed', sellerId: creator, editionId: edition.id, price: 100, currency: 'CNY' },
    });
    expect(m.problem(res, 422, 'fees_exceed_price')).toMatchObject({ feeBps: 9000, royaltyBps: 2000 });
  });
});

describe('royalties', () => {
  it("a derivative's sale pays the parent's rights holder by the parent licence", async () => {
    const p = await m.platform();
    const off = await m.official();
    const parentHolder = await m.account(p);
    // The parent's licence: derivatives owe it 10% of their royalties.
    const parent = await m.registeredAsset(p, off, parentHolder, {
      licence: { commercialUse: 'corporate', derivativesAllowed: true, derivativeRoyaltyBps: 1000 },
    });
    const designer = await m.account(p);
    const modeler = await m.account(p);
    const child = await m.registeredAsset(p, off, designer, {
      title: 'Qipao of Light, remixed',
      parents: [parent.id],
      creators: [
        { accountId: designer, role: 'designer', shareBps: 7500 },
        { accountId: modeler, role: 'modeler', shareBps: 2500 },
      ],
    });
    const edition = m.ok(
      await t.call('POST', `/v1/assets/${child.id}/editions`, {
        key: p.key,
        body: { size: 10, preset: 'open_market', royaltyBps: 2000 },
      }),
      201,
    );
    expect(edition.royaltyBps).toBe(2000);
    const collector = await m.account(p);
    const [unit] = (await m.mint(p, edition.id, 1, collector)).units;
    const listing = await m.list(p, { kind: 'fixed', sellerId: collector, unitId: unit.id, price: 10_000 });
    const [buyer] = await m.accounts(p, 1);
    await m.topUp(buyer!, 10_000);
    const trade = m.ok(await m.buy(p, listing.id, buyer!), 201);
    expect(trade).toMatchObject({ feeBps: 500, royaltyBps: 2000 });

    // 10,000: fee 500; royalty 2,000, of which the parent takes 10% (200) and the creators share
    // the rest 75/25 (1,350 and 450); the seller keeps 7,500.
    expect(await m.balance(p.id)).toBe(500);
    expect(await m.balance(parentHolder)).toBe(200);
    expect(await m.balance(designer)).toBe(1_350);
    expect(await m.balance(modeler)).toBe(450);
    expect(await m.balance(collector)).toBe(7_500);
    expect(await m.balance(buyer!)).toBe(0);
    const journal = m.ok(await t.call('GET', `/v1/journals/${trade.journalId}`, { key: OPERATOR_KEY }), 200);
    expect(journal.postings.reduce((s: number, x: { amount: number }) => s + x.amount, 0)).toBe(0);
    expect(journal.postings.find((x: { role: string }) => x.role === 'parent_royalty')).toMatchObject({
      holder: parentHolder,
      amount: 200,
    });
  });
});
