import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boardPseudonym } from '../src/features/board/pseudonym.js';
import { integrateLog } from '../src/features/tlog/integrate.js';
import { parseTlogProof, verifyTlogProof } from '../src/features/tlog/tlog-proof.js';
import { startTestApp, type TestApp } from './support/harness.js';
import { marketWorld } from './support/market.js';

// Trades here are in GBP, so that nothing else in this file's database shows up on the board.
let t: TestApp;
let m: ReturnType<typeof marketWorld>;
let s: Awaited<ReturnType<typeof scenario>>;

/**
 * The creator sells three units of a primary listing (two to b1, one to b2); b1 resells a unit to
 * b2, who gives it to b3, who lists it again. A fifth purchase stays reserved, unsettled.
 */
async function scenario() {
  const world = await m.work({ size: 10 });
  const { p, creator, edition, asset } = world;
  const [b1, b2, b3] = await m.accounts(p, 3);
  for (const b of [b1!, b2!]) await m.topUp(b, 100_000, 'GBP');
  const primary = await m.list(p, {
    kind: 'fixed',
    currency: 'GBP',
    sellerId: creator,
    editionId: edition.id,
    quantity: 5,
    price: 1000,
  });
  const bought = async (listingId: string, buyer: string, settle = true) =>
    m.ok(await m.buy(p, listingId, buyer, { settle }), 201);
  const t1 = await bought(primary.id, b1!);
  const t2 = await bought(primary.id, b1!);
  const t3 = await bought(primary.id, b2!);
  const resale = await m.list(p, { kind: 'fixed', currency: 'GBP', sellerId: b1, unitId: t1.unitId, price: 1500 });
  const t4 = await bought(resale.id, b2!);
  m.ok(
    await t.call('POST', `/v1/units/${t1.unitId}/transfers`, { key: p.key, body: { fromAccountId: b2, toAccountId: b3 } }),
    201,
  );
  const relisted = await m.list(p, { kind: 'fixed', currency: 'GBP', sellerId: b3, unitId: t1.unitId, price: 2000 });
  const reserved = await bought(primary.id, b2!, false);
  return { ...world, b1: b1!, b2: b2!, b3: b3!, primary, resale, relisted, trades: [t1, t2, t3, t4], reserved, asset };
}

beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '0' });
  m = marketWorld(t);
  s = await scenario();
});
afterAll(async () => t?.close());

type BoardTrade = {
  id: string;
  seller: string;
  buyer: string;
  price: number;
  serial: number;
  label: string;
  market: string;
  logIndex: number | null;
  settledAt: string;
  asset: { id: string; title: string };
};

async function allTrades(query = 'currency=GBP', limit = 2): Promise<BoardTrade[]> {
  const out: BoardTrade[] = [];
  let after: string | null = null;
  let pages = 0;
  do {
    const page: { data: BoardTrade[]; nextCursor: string | null } = m.ok(
      await t.call('GET', `/v1/board/trades?${query}&limit=${limit}${after ? `&after=${encodeURIComponent(after)}` : ''}`),
      200,
    );
    expect(JSON.stringify(page)).not.toMatch(/acc_/);
    out.push(...page.data);
    after = page.nextCursor;
  } while (after && ++pages < 20);
  expect(new Set(out.map((x) => x.id)).size).toBe(out.length);
  return out;
}

describe('GET /v1/board/trades', () => {
  it('lists settled trades newest first, with pseudonymous parties and no account id anywhere', async () => {
    const trades = await allTrades();
    // Newest first; the unsettled reservation is not a trade yet.
    expect(trades.map((x) => x.id)).toEqual(s.trades.map((x) => x.id).reverse());
    for (const limit of [1, 3, 100]) expect(await allTrades('currency=GBP', limit)).toEqual(trades);

    const [creator, b1, b2] = await Promise.all([s.creator, s.b1, s.b2].map(boardPseudonym));
    expect(creator).toMatch(/^p_[0-9a-f]{16}$/);
    expect(new Set([creator, b1, b2]).size).toBe(3);
    const [t4, t3, t2, t1] = trades;
    expect(t1).toMatchObject({ seller: creator, buyer: b1, price: 1000, market: 'fixed', asset: { id: s.asset.id } });
    expect(t2).toMatchObject({ seller: creator, buyer: b1 });
    expect(t3).toMatchObject({ seller: creator, buyer: b2 });
    // b1 appears under the same name as buyer and as seller.
    expect(t4).toMatchObject({ seller: b1, buyer: b2, price: 1500, label: `${t1!.serial}/10`, serial: t1!.serial });
    expect(trades.every((x) => x.logIndex === null)).toBe(true);
  });

  it('gives each trade its log index once integrated: the trade.settled event of that trade', async () => {
    await integrateLog(t.deps);
    const trades = await allTrades();
    for (const x of trades) {
      expect(x.logIndex).toEqual(expect.any(Number));
      const entry = JSON.parse(m.ok(await t.call('GET', `/v1/log/entries/${x.logIndex}`), 200).entry);
      expect(entry).toMatchObject({ type: 'trade.settled', tradeId: x.id, price: x.price, currency: 'GBP' });
    }
  });

  it('filters by currency, category and work', async () => {
    expect(await allTrades('currency=USD')).toEqual([]);
    expect(await allTrades('currency=GBP&category=data_ip')).toEqual([]);
    expect(await allTrades(`category=digital_creative&assetId=${s.asset.id}`)).toHaveLength(4);
    m.problem(await t.call('GET', '/v1/board/trades?category=shoes'), 400, 'validation_failed');
    m.problem(await t.call('GET', '/v1/board/trades?after=abc'), 400, 'invalid_cursor');
  });
});

describe('trade certificate', () => {
  it('GET /v1/trades/{id} carries the proof of its trade.settled event, which verifies against /log/vkey', async () => {
    const vkey = (await t.call('GET', '/log/vkey')).text.trim();
    const fresh = await m.list(s.p, { kind: 'fixed', currency: 'GBP', sellerId: s.b2, unitId: s.trades[2]!.unitId, price: 700 });
    const trade = m.ok(await m.buy(s.p, fresh.id, s.b1), 201);
    expect(m.ok(await t.call('GET', `/v1/trades/${trade.id}`, { key: s.p.key }), 200).certificate).toBeNull();
    m.problem(await t.call('GET', `/v1/trades/${trade.id}/certificate.tlog-proof`, { key: s.p.key }), 409, 'certificate_pending');

    await integrateLog(t.deps);
    const read = m.ok(await t.call('GET', `/v1/trades/${trade.id}`, { key: s.p.key }), 200);
    expect(read).toMatchObject({ id: trade.id, status: 'settled', price: 700 });
    const cert = read.certificate;
    expect(cert).toEqual({ logIndex: expect.any(Number), leafHash: expect.any(String), tlogProof: expect.any(String) });

    const logged = m.ok(await t.call('GET', `/v1/log/entries/${cert.logIndex}`), 200);
    expect(logged.leafHash).toBe(cert.leafHash);
    expect(JSON.parse(logged.entry)).toMatchObject({ type: 'trade.settled', tradeId: trade.id, buyerId: s.b1 });
    const entry = new TextEncoder().encode(logged.entry);
    const verified = await verifyTlogProof(cert.tlogProof, vkey, { entry });
    expect(verified.index).toBe(cert.logIndex);
    expect(new TextDecoder().decode(parseTlogProof(cert.tlogProof).extra)).toBe(logged.entry);
    await expect(
      verifyTlogProof(cert.tlogProof, vkey, { entry: new TextEncoder().encode(`${logged.entry} `) }),
    ).rejects.toThrow();

    const file = await t.call('GET', `/v1/trades/${trade.id}/certificate.tlog-proof`, { key: s.p.key });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(file.headers.get('content-disposition')).toContain(`${trade.id}.tlog-proof`);
    expect(file.text).toBe(cert.tlogProof);
    // The board shows the same index for it.
    expect((await allTrades()).find((x) => x.id === trade.id)?.logIndex).toBe(cert.logIndex);
  });

  it('has none while a trade is unsettled, and is for those who may read the trade', async () => {
    expect(m.ok(await t.call('GET', `/v1/trades/${s.reserved.id}`, { key: s.p.key }), 200).certificate).toBeNull();
    m.problem(
      await t.call('GET', `/v1/trades/${s.reserved.id}/certificate.tlog-proof`, { key: s.p.key }),
      409,
      'trade_not_settled',
    );
    const stranger = await m.platform('Elsewhere');
    m.problem(
      await t.call('GET', `/v1/trades/${s.trades[0]!.id}/certificate.tlog-proof`, { key: stranger.key }),
      404,
      'not_found',
    );
    m.problem(await t.call('GET', `/v1/trades/${s.trades[0]!.id}/certificate.tlog-proof`), 401, 'unauthenticated');
  });
});

describe('GET /v1/board/listings/{id}/spec', () => {
  it('shows the work, rights, edition and serial, previous owners, policy and log proofs that verify', async () => {
    await integrateLog(t.deps);
    const vkey = (await t.call('GET', '/log/vkey')).text.trim();
    const spec = m.ok(await t.call('GET', `/v1/board/listings/${s.relisted.id}/spec`), 200);
    const { serial } = m.ok(await t.call('GET', `/v1/units/${s.trades[0]!.unitId}`), 200);
    expect(spec).toMatchObject({
      listing: { id: s.relisted.id, kind: 'fixed', status: 'open', currency: 'GBP', price: 2000, priceBasis: 'fixed' },
      work: {
        id: s.asset.id,
        title: 'Qipao of Light',
        kind: 'garment',
        category: 'digital_creative',
        registrationNumber: s.asset.registrationNumber,
        status: 'registered',
        parents: [],
      },
      creators: [{ accountId: s.creator, role: 'designer', shareBps: 10000 }],
      rightsHolderId: s.creator,
      licence: { commercialUse: 'personal', derivativesAllowed: true, derivativeRoyaltyBps: 1000 },
      edition: { id: s.edition.id, size: 10, serial, label: `${serial}/10` },
      unit: { id: s.trades[0]!.unitId, frozen: false },
      // Sold by the creator, resold by b1, given away by b2: three owners before b3, three changes.
      previousOwners: 3,
      ownerChanges: 3,
      transferPolicy: { preset: 'open_market', policy: { resaleAllowed: true, auctionsAllowed: true } },
    });
    expect(spec.logProof.registration.type).toBe('asset.registered');
    expect(spec.logProof.ownership.type).toBe('unit.gifted');
    for (const proof of [spec.logProof.registration, spec.logProof.ownership]) {
      const logged = m.ok(await t.call('GET', `/v1/log/entries/${proof.logIndex}`), 200);
      expect(JSON.parse(logged.entry).id).toBe(proof.eventId);
      expect(logged.leafHash).toBe(proof.leafHash);
      const verified = await verifyTlogProof(proof.tlogProof, vkey, { entry: new TextEncoder().encode(logged.entry) });
      expect(verified.index).toBe(proof.logIndex);
    }
  });

  it('for a primary listing: no unit, no previous owners, units left; proofs null until integrated', async () => {
    const fresh = await m.work({ size: 4, preset: 'mainland_collectible', asset: { kind: 'collectible', category: 'data_ip' } });
    const listing = await m.list(fresh.p, {
      kind: 'fixed',
      currency: 'GBP',
      sellerId: fresh.creator,
      editionId: fresh.edition.id,
      quantity: 3,
      price: 100,
    });
    const spec = m.ok(await t.call('GET', `/v1/board/listings/${listing.id}/spec`), 200);
    expect(spec).toMatchObject({
      work: { kind: 'collectible', category: 'data_ip' },
      edition: { size: 4, minted: 0, serial: null, label: '3 left' },
      unit: null,
      previousOwners: 0,
      ownerChanges: 0,
      transferPolicy: { preset: 'mainland_collectible', policy: { resaleAllowed: false, auctionsAllowed: false } },
      logProof: { registration: { type: 'asset.registered', logIndex: null, tlogProof: null }, ownership: null },
    });
  });

  it('answers an unknown listing with 404 and a malformed id with 400', async () => {
    m.problem(await t.call('GET', '/v1/board/listings/lst_01JABCDEFGHJKMNPQRSTVWXYZ1/spec'), 404, 'not_found');
    m.problem(await t.call('GET', '/v1/board/listings/nope/spec'), 400, 'validation_failed');
  });
});
