import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { startTestApp, type TestApp } from './support/harness.js';
import { marketWorld } from './support/market.js';
import { StatementRecorder } from './support/statement-recorder.js';

/*
 * No N+1: a list route runs the same number of statements for a page of 2 items as for a page of
 * 12. The app is the same app on a database handle that counts statements (test/support/statement-recorder.ts).
 */
let t: TestApp;
let m: ReturnType<typeof marketWorld>;
beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '0' });
  m = marketWorld(t);
});
afterAll(async () => t?.close());

describe('list routes', () => {
  it('use a fixed number of queries per page, however many items it holds', async () => {
    const { p, creator, edition } = await m.work({ size: 30 });
    for (let i = 0; i < 11; i++) await m.registeredAsset(p, await m.official(), creator, { title: `Work ${i}` });
    const units = m.ok(await t.call('POST', `/v1/editions/${edition.id}/mint`, { key: p.key, body: { count: 12 } }), 201)
      .units as { id: string }[];
    const buyers = await m.accounts(p, 12);
    for (const [i, unit] of units.entries()) {
      await m.topUp(buyers[i]!, 10_000);
      const listing = await m.list(p, { kind: 'fixed', sellerId: creator, unitId: unit.id, price: 1000 + i });
      m.ok(await m.buy(p, listing.id, buyers[i]!), 201);
    }
    const open = m.ok(await t.call('POST', `/v1/editions/${edition.id}/mint`, { key: p.key, body: { count: 12 } }), 201)
      .units as { id: string }[];
    for (const [i, unit] of open.entries())
      await m.list(p, { kind: 'fixed', sellerId: creator, unitId: unit.id, price: 2000 + i });

    const recorder = new StatementRecorder();
    const reader = createApp({ ...t.deps, db: t.deps.db.withPlugin(recorder) });
    const statementsFor = async (path: string, size: number) => {
      recorder.reset();
      const res = await reader.request(path);
      const body = (await res.json()) as { data: unknown[] };
      expect(res.status, path).toBe(200);
      expect(body.data, path).toHaveLength(size);
      return recorder.count;
    };
    for (const path of [
      '/v1/assets?',
      '/v1/board/trades?',
      '/v1/board/listings?',
      `/v1/editions/${edition.id}/units?`,
      `/v1/assets/${m.ok(await t.call('GET', '/v1/assets?limit=1'), 200).data[0].id}/history?`,
    ]) {
      const small = await statementsFor(`${path}limit=2`, 2);
      const large = await statementsFor(`${path}limit=12`, 12);
      expect(large, `${path}: ${small} statements for 2 items, ${large} for 12`).toBe(small);
    }
    // The public board's pages are one statement each: rows, works, pseudonymous parties' ids, log indices.
    for (const path of ['/v1/board/trades?limit=12', '/v1/board/listings?limit=12']) {
      expect(await statementsFor(path, 12), path).toBe(1);
    }
  });
});

/**
 * What a purchase (reserve and settle from the balance) may cost: every statement is a round trip
 * inside the transaction that holds the listing's and, at its end, the balance rows' locks. It was
 * 33 before issue 14's second pass (an `open_market` edition, which counts no daily transfers), then
 * 27; the IP-case work gate (one share-locked read of the work and its live case) made it 28. Then
 * 12: the buyer, the listing's kind and the work gate in one statement; the unit read whole under
 * its lock; the listing locked with everything the sale reads; the purchase's events written with
 * the unit's transfer, change of owner and settled trade in one statement; the royalty split's work
 * in one. Then 8: the listing's count written with the trade, the royalty split's work read with
 * the work gate, and the journal's start (its row, missing balance rows, lock and fold) in one
 * statement. The API key's lookup is one of them; the journal is two. A new step in the purchase
 * path raises this on purpose.
 */
const PURCHASE_STATEMENTS = 8;

describe('a purchase', () => {
  it('runs a fixed number of statements, however many creators share the royalty', async () => {
    const recorder = new StatementRecorder();
    const buyerApp = createApp({ ...t.deps, db: t.deps.db.withPlugin(recorder) });
    const p = await m.platform();
    const off = await m.official();
    const statementsFor = async (creatorCount: number) => {
      const creators = await m.accounts(p, creatorCount);
      const asset = await m.registeredAsset(p, off, creators[0]!, {
        creators: creators.map((accountId) => ({ accountId, role: 'designer', shareBps: 10000 / creatorCount })),
      });
      const edition = m.ok(
        await t.call('POST', `/v1/assets/${asset.id}/editions`, {
          key: p.key,
          body: { size: 5, preset: 'open_market', royaltyBps: 800 },
        }),
        201,
      );
      const [seller, buyer] = await m.accounts(p, 2);
      const [unit] = m.ok(
        await t.call('POST', `/v1/editions/${edition.id}/mint`, { key: p.key, body: { count: 1, toAccountId: seller } }),
        201,
      ).units as { id: string }[];
      await m.topUp(buyer!, 10_000);
      const listing = await m.list(p, { kind: 'fixed', sellerId: seller, unitId: unit!.id, price: 1000 });
      recorder.reset();
      const res = await buyerApp.request(`/v1/listings/${listing.id}/purchase`, {
        method: 'POST',
        headers: { authorization: `Bearer ${p.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ buyerId: buyer }),
      });
      expect(res.status).toBe(201);
      expect(await res.json()).toMatchObject({ status: 'settled', buyerId: buyer });
      // Every creator was paid its share of the royalty (800 bps of 1000 = 80).
      for (const c of creators) expect(await m.balance(c)).toBe(80 / creatorCount);
      return recorder.count;
    };
    const one = await statementsFor(1);
    const four = await statementsFor(4);
    expect(four, `${one} statements with one creator, ${four} with four`).toBe(one);
    expect(one).toBeLessThanOrEqual(PURCHASE_STATEMENTS);
  });
});
