import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('bad input changes nothing', () => {
  it('refuses malformed listings with a problem and a code', async () => {
    const { p, creator, edition } = await m.work();
    const collector = await m.account(p);
    const [unit] = (await m.mint(p, edition.id, 1, collector)).units;
    const before = await m.counts();
    const post = (body: Record<string, unknown>) =>
      t.call('POST', '/v1/listings', {
        key: p.key,
        body: { kind: 'fixed', sellerId: collector, unitId: unit.id, price: 1_000, currency: 'CNY', ...body },
      });
    const invalid = [
      { kind: 'barter' },
      { kind: undefined },
      { price: 10.5 },
      { price: -100 },
      { price: 0 },
      { price: '1000' },
      { price: 2 ** 60 },
      { currency: 'cny' },
      { currency: 'CNYX' },
      { currency: 'XQZ' }, // well-formed, but no such ISO 4217 currency
      { sellerId: 'someone' },
      { unitId: undefined }, // neither unit nor edition
      { editionId: edition.id }, // both
      { quantity: 2 },
      { kind: 'dutch', price: undefined, startPrice: 100, floorPrice: 200, endsAt: later(DAY) },
      { kind: 'dutch', price: undefined, startPrice: 200, floorPrice: 100 }, // no end
      { kind: 'english', price: undefined, startPrice: 100, endsAt: later(DAY) }, // no increment
      { kind: 'english', price: undefined, startPrice: 100, minIncrement: 10, endsAt: later(DAY), antiSnipeSeconds: 7200 },
      { kind: 'sealed', price: undefined, endsAt: later(2 * DAY), revealEndsAt: later(DAY) },
      { endsAt: 'tomorrow' },
      { extra: true },
    ];
    for (const body of invalid) m.problem(await post(body), 400, 'validation_failed');
    m.problem(await post({ endsAt: later(-60) }), 400, 'invalid_schedule');
    m.problem(await post({ startsAt: later(-3600) }), 400, 'invalid_schedule');
    m.problem(await post({ endsAt: later(400 * DAY) }), 400, 'invalid_schedule');
    m.problem(
      await post({
        unitId: undefined,
        editionId: edition.id,
        sellerId: creator,
        kind: 'english',
        price: undefined,
        startPrice: 1,
        minIncrement: 1,
        endsAt: later(DAY),
        quantity: 2,
      }),
      400,
      'validation_failed',
    );
    m.problem(
      await t.call('POST', '/v1/listings', { key: p.key, rawBody: '{"kind":', headers: { 'content-type': 'application/json' } }),
      400,
      'malformed_json',
    );
    expect(await m.counts()).toEqual(before);
  });

  it("refuses other platforms' accounts, units one does not own, and primary sales by anyone but the rights holder", async () => {
    const { p, creator, edition } = await m.work({ size: 3 });
    const collector = await m.account(p);
    const [unit] = (await m.mint(p, edition.id, 1, collector)).units;
    const other = await m.platform('Other');
    const stranger = await m.account(other);
    const before = await m.counts();

    const fixed = { kind: 'fixed', price: 1_000, currency: 'CNY' };
    // Another platform cannot act for this platform's seller, nor list its units for its own account.
    m.problem(
      await t.call('POST', '/v1/listings', { key: other.key, body: { ...fixed, sellerId: collector, unitId: unit.id } }),
      404,
      'not_found',
    );
    m.problem(
      await t.call('POST', '/v1/listings', { key: other.key, body: { ...fixed, sellerId: stranger, unitId: unit.id } }),
      409,
      'not_owner',
    );
    m.problem(
      await t.call('POST', '/v1/listings', { key: p.key, body: { ...fixed, sellerId: creator, unitId: unit.id } }),
      409,
      'not_owner',
    );
    m.problem(
      await t.call('POST', '/v1/listings', { key: p.key, body: { ...fixed, sellerId: collector, editionId: edition.id } }),
      422,
      'not_rights_holder',
    );
    m.problem(
      await t.call('POST', '/v1/listings', {
        key: p.key,
        body: { ...fixed, sellerId: creator, editionId: edition.id, quantity: 3 },
      }),
      409,
      'insufficient_supply',
    );
    m.problem(
      await t.call('POST', '/v1/listings', {
        key: p.key,
        body: { ...fixed, sellerId: collector, unitId: 'unt_01JABCDEFGHJKMNPQRSTVWXYZ1' },
      }),
      404,
      'not_found',
    );
    m.problem(
      await t.call('POST', '/v1/listings', { body: { ...fixed, sellerId: collector, unitId: unit.id } }),
      401,
      'unauthenticated',
    );
    expect(await m.counts()).toEqual(before);

    // An account's own key lists for itself only.
    const ownKey = m.ok(await t.call('POST', '/v1/api-keys', { key: p.key, body: { subjectId: collector } }), 201)
      .secret as string;
    m.problem(
      await t.call('POST', '/v1/listings', { key: ownKey, body: { ...fixed, sellerId: creator, editionId: edition.id } }),
      404,
      'not_found',
    );
    const own = m.ok(
      await t.call('POST', '/v1/listings', { key: ownKey, body: { ...fixed, sellerId: collector, unitId: unit.id } }),
      201,
    );
    m.problem(
      await t.call('POST', '/v1/listings', { key: ownKey, body: { ...fixed, sellerId: collector, unitId: unit.id } }),
      409,
      'unit_listed',
    );
    expect(own.sellerId).toBe(collector);
  });

  it('refuses frozen units, and purchases of them', async () => {
    const { p, edition } = await m.work();
    const collector = await m.account(p);
    const [u1, u2] = (await m.mint(p, edition.id, 2, collector)).units;
    const listing = await m.list(p, { kind: 'fixed', sellerId: collector, unitId: u2.id, price: 100 });
    await t.deps.db.updateTable('units').set({ frozen: true }).where('id', 'in', [u1.id, u2.id]).execute();
    const [buyer] = await m.accounts(p, 1);
    await m.topUp(buyer!, 100);
    const before = await m.counts();
    m.problem(
      await t.call('POST', '/v1/listings', {
        key: p.key,
        body: { kind: 'fixed', sellerId: collector, unitId: u1.id, price: 100, currency: 'CNY' },
      }),
      409,
      'unit_frozen',
    );
    m.problem(await m.buy(p, listing.id, buyer!), 409, 'unit_frozen');
    expect(await m.counts()).toEqual(before);
  });

  it('refuses malformed purchases', async () => {
    const { p, creator, edition } = await m.work();
    const listing = await m.list(p, { kind: 'fixed', sellerId: creator, editionId: edition.id, price: 100 });
    const [buyer] = await m.accounts(p, 1);
    const other = await m.platform('Other');
    const stranger = await m.account(other);
    await m.topUp(buyer!, 100);
    const before = await m.counts();
    const post = (body: unknown, key = p.key, id = listing.id) => t.call('POST', `/v1/listings/${id}/purchase`, { key, body });
    m.problem(await post({}), 400, 'validation_failed');
    m.problem(await post({ buyerId: buyer, settle: 'yes' }), 400, 'validation_failed');
    m.problem(await post({ buyerId: buyer, price: 1 }), 400, 'validation_failed');
    m.problem(await post({ buyerId: stranger }), 404, 'not_found'); // not this platform's account
    m.problem(await post({ buyerId: buyer }, p.key, 'lst_01JABCDEFGHJKMNPQRSTVWXYZ1'), 404, 'not_found');
    m.problem(await post({ buyerId: buyer }, p.key, 'nope'), 400, 'validation_failed');
    m.problem(await post({ buyerId: buyer }, 'wrong-key'), 401, 'unauthenticated');
    expect(await m.counts()).toEqual(before);
  });
});
