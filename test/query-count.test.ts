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
  });
});
