import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/harness.js';
import { world } from './support/world.js';

// Objections send a work back to review, so they are bounded (README "Quotas"). With
// DATABASE_URL set the parallel requests are real concurrent transactions on PostgreSQL.
let t: TestApp;
let w: ReturnType<typeof world>;
beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '3d', OBJECTIONS_PER_PLATFORM_PER_DAY: '3' });
  w = world(t);
});
afterAll(async () => t?.close());

const object = (key: string, assetId: string) =>
  t.call('POST', `/v1/assets/${assetId}/objections`, { key, body: { reason: 'Copies our collection.' } });

/** Works in their public notice window, registered by one creator of a platform of their own. */
async function worksInNotice(n: number) {
  const p = await w.platform('Creators');
  const off = await w.official();
  const holder = await w.account(p);
  const works: string[] = [];
  for (let i = 0; i < n; i++) works.push((await w.registeredAsset(p, off, holder)).id);
  return { p, off, works };
}

describe('objection quotas', () => {
  it('one open objection per principal: another waits until an official decides the first', async () => {
    const { off, works } = await worksInNotice(2);
    const objector = await w.platform('Objector');
    w.ok(await object(objector.key, works[0]!), 201);
    const second = await object(objector.key, works[1]!);
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ code: 'objection_open', assetId: works[0] });
    // The official decides: approved again, a new notice window opens, and the objector may object once more.
    w.ok(await t.call('POST', `/v1/assets/${works[0]}/review`, { key: off.key, body: { action: 'approve' } }), 200);
    w.ok(await object(objector.key, works[1]!), 201);
    expect((await object(objector.key, works[0]!)).body.code).toBe('objection_open');
  });

  it("a platform's accounts share a daily quota, which concurrent objections cannot pass", async () => {
    const { works } = await worksInNotice(6);
    const objector = await w.platform('Crowd');
    const accounts = await Promise.all(Array.from({ length: 6 }, () => w.account(objector)));
    const keys = await Promise.all(
      accounts.map(
        async (a) => w.ok(await t.call('POST', '/v1/api-keys', { key: objector.key, body: { subjectId: a } }), 201).secret,
      ),
    );
    const results = await Promise.all(keys.map((k, i) => object(k, works[i]!)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    for (const r of results.filter((r) => r.status !== 201)) {
      expect(r.status).toBe(429);
      expect(r.body).toMatchObject({ code: 'quota_exceeded', quota: 'objections_per_platform_per_day', limit: 3 });
    }
    // The platform's own key counts against the same quota; another platform has its own.
    const free = results.findIndex((r) => r.status !== 201);
    expect((await object(objector.key, works[free]!)).status).toBe(429);
    const neighbour = await w.platform('Neighbour');
    w.ok(await object(neighbour.key, works[free]!), 201);
    // A day later the quota is free again.
    t.clock.advance(86_401);
    const later = results.findIndex((r, i) => r.status !== 201 && i !== free);
    w.ok(await object(keys[later]!, works[later]!), 201);
  });
});
