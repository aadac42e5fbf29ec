import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/harness.js';
import { world } from './support/world.js';

// Run with DATABASE_URL set, these fire real parallel transactions at PostgreSQL; on PGlite
// they still prove the rules, with the queries serialised on its single connection.
let t: TestApp;
let w: ReturnType<typeof world>;
beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '0' });
  w = world(t);
});
afterAll(async () => t?.close());

async function registered(size: number) {
  const p = await w.platform();
  const off = await w.official();
  const holder = await w.account(p);
  const asset = await w.registeredAsset(p, off, holder);
  const edition = await w.edition(p, asset.id, size);
  return { p, holder, edition };
}

describe('concurrency', () => {
  it('50 parallel mints into an edition of 10 give exactly 10 units', async () => {
    const { p, edition } = await registered(10);
    const results = await Promise.all(
      Array.from({ length: 50 }, () => t.call('POST', `/v1/editions/${edition.id}/mint`, { key: p.key, body: { count: 1 } })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(40);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'edition_exhausted')).toBe(true);
    const units = w.ok(await t.call('GET', `/v1/editions/${edition.id}/units?limit=100`), 200);
    expect(units.data.map((u: { serial: number }) => u.serial)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(w.ok(await t.call('GET', `/v1/editions/${edition.id}`), 200).minted).toBe(10);
  });

  it('20 parallel gifts of one unit give exactly one change of owner', async () => {
    const { p, holder, edition } = await registered(1);
    const [unit] = (await w.mint(p, edition.id, 1)).units;
    const recipients = await Promise.all(Array.from({ length: 20 }, () => w.account(p)));
    const results = await Promise.all(
      recipients.map((to) =>
        t.call('POST', `/v1/units/${unit.id}/transfers`, { key: p.key, body: { fromAccountId: holder, toAccountId: to } }),
      ),
    );
    const won = results.filter((r) => r.status === 201);
    expect(won).toHaveLength(1);
    expect(results.filter((r) => r.status === 409 && r.body.code === 'not_owner')).toHaveLength(19);
    const now = w.ok(await t.call('GET', `/v1/units/${unit.id}`), 200);
    expect(now.ownerId).toBe(won[0]!.body.transfer.toId);
    const history = w.ok(await t.call('GET', `/v1/units/${unit.id}/history`), 200);
    expect(history.data.filter((e: { type: string }) => e.type === 'unit.gifted')).toHaveLength(1);
  });

  it('the same idempotent mint sent 10 times in parallel mints once', async () => {
    const { p, edition } = await registered(100);
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        t.call('POST', `/v1/editions/${edition.id}/mint`, {
          key: p.key,
          headers: { 'idempotency-key': 'mint-once' },
          body: { count: 3 },
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(new Set(results.map((r) => r.body.units.map((u: { id: string }) => u.id).join())).size).toBe(1);
    expect(results.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(9);
    expect(w.ok(await t.call('GET', `/v1/editions/${edition.id}`), 200).minted).toBe(3);
  });
});
