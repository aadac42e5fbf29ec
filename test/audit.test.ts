import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { integrateLog } from '../src/features/tlog/integrate.js';
import { verifyTlogProof } from '../src/features/tlog/tlog-proof.js';
import { OPERATOR_KEY, startTestApp, type TestApp } from './support/harness.js';
import { world } from './support/world.js';

let t: TestApp;
let w: ReturnType<typeof world>;
beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '1h' });
  w = world(t);
});
afterAll(async () => t?.close());

async function registered(p: { key: string }, off: { key: string }, holder: string, over: Record<string, unknown> = {}) {
  const asset = await w.registeredAsset(p, off, holder, over);
  t.clock.advance(3601);
  return w.ok(await t.call('GET', `/v1/assets/${asset.id}`), 200);
}

describe("officials' audit views", () => {
  it('answers who owned a unit at any time, and lists every owner in order', async () => {
    const p = await w.platform();
    const off = await w.official();
    const [a, b, c] = [await w.account(p), await w.account(p), await w.account(p)];
    const asset = await registered(p, off, a);
    const edition = await w.edition(p, asset.id, 5);
    const [unit] = (await w.mint(p, edition.id, 1)).units;
    const beforeMint = new Date(new Date(unit.acquiredAt).getTime() - 1000).toISOString();
    const times: string[] = [unit.acquiredAt];
    for (const [from, to] of [
      [a, b],
      [b, c],
    ]) {
      t.clock.advance(3600);
      const gift = w.ok(
        await t.call('POST', `/v1/units/${unit.id}/transfers`, { key: p.key, body: { fromAccountId: from, toAccountId: to } }),
        201,
      );
      times.push(gift.transfer.at);
    }
    const ownerAt = async (at: string) =>
      t.call('GET', `/v1/audit/units/${unit.id}/owner?at=${encodeURIComponent(at)}`, { key: off.key });
    expect((await ownerAt(beforeMint)).body.code).toBe('no_owner_at_time');
    expect((await ownerAt(times[0]!)).body.ownerId).toBe(a);
    const midway = new Date(new Date(times[1]!).getTime() + 1800_000).toISOString();
    const mid = w.ok(await ownerAt(midway), 200);
    expect(mid).toMatchObject({ ownerId: b, since: { fromId: a, toId: b, via: 'gift' } });
    expect((await ownerAt(new Date(t.clock.now().getTime() + 1000).toISOString())).body.ownerId).toBe(c);
    expect((await ownerAt('yesterday')).status).toBe(400);

    const all = w.ok(await t.call('GET', `/v1/audit/units/${unit.id}/ownership`, { key: off.key }), 200);
    expect(all.data.map((r: { fromId: string | null; toId: string }) => [r.fromId, r.toId])).toEqual([
      [null, a],
      [a, b],
      [b, c],
    ]);
    const perWork = w.ok(await t.call('GET', `/v1/audit/assets/${asset.id}/ownership?limit=2`, { key: off.key }), 200);
    expect(perWork.data).toHaveLength(2);
    const rest = w.ok(
      await t.call('GET', `/v1/audit/assets/${asset.id}/ownership?after=${perWork.nextCursor}`, { key: off.key }),
      200,
    );
    expect([...perWork.data, ...rest.data].map((r: { eventId: string }) => r.eventId)).toEqual(
      all.data.map((r: { eventId: string }) => r.eventId),
    );

    const platformTry = await t.call('GET', `/v1/audit/units/${unit.id}/ownership`, { key: p.key });
    expect(platformTry.status).toBe(403);
    expect(platformTry.body.code).toBe('wrong_role');
  });

  it('shows the full provenance: creators, licence, ancestors, review decisions and objections', async () => {
    const p = await w.platform();
    const off = await w.official();
    const holder = await w.account(p);
    const grandparent = await registered(p, off, holder);
    const parent = await registered(p, off, holder, { parents: [grandparent.id] });
    // The child is objected to once, then approved again.
    const child = await w.registeredAsset(p, off, holder, { parents: [parent.id] });
    w.ok(
      await t.call('POST', `/v1/assets/${child.id}/objections`, {
        key: OPERATOR_KEY,
        body: { reason: 'Looks like the parent.' },
      }),
      201,
    );
    w.ok(await t.call('POST', `/v1/assets/${child.id}/review`, { key: off.key, body: { action: 'approve' } }), 200);

    const prov = w.ok(await t.call('GET', `/v1/audit/assets/${child.id}/provenance`, { key: off.key }), 200);
    expect(prov.asset).toMatchObject({ id: child.id, rightsHolderId: holder, parents: [parent.id] });
    expect(prov.ancestors.map((a: { assetId: string; depth: number }) => [a.assetId, a.depth])).toEqual([
      [parent.id, 1],
      [grandparent.id, 2],
    ]);
    expect(prov.ancestors[1].registrationNumber).toMatch(/^HP-/);
    expect(prov.reviews.map((r: { action: string }) => r.action)).toEqual(['start', 'approve', 'approve']);
    expect(prov.objections).toEqual([
      expect.objectContaining({ by: { kind: 'operator', id: 'operator' }, reason: 'Looks like the parent.' }),
    ]);
  });

  it("records every official's read; the operator lists them", async () => {
    const off = await w.official('Auditor Li');
    const other = await w.official('Auditor Xu');
    const p = await w.platform();
    const asset = await registered(p, off, await w.account(p));
    await t.call('GET', `/v1/audit/assets/${asset.id}/provenance`, { key: off.key });
    await t.call('GET', `/v1/assets/${asset.id}?x=1`, { key: off.key });
    await t.call('GET', `/v1/assets/${asset.id}`, { key: other.key });
    await t.call('GET', `/v1/assets/${asset.id}`, { key: p.key });
    const log = w.ok(await t.call('GET', `/v1/audit/access-log?officialId=${off.id}`, { key: OPERATOR_KEY }), 200);
    const paths = log.data.map((r: { path: string }) => r.path);
    expect(paths).toEqual(expect.arrayContaining([`/v1/audit/assets/${asset.id}/provenance`, `/v1/assets/${asset.id}?x=1`]));
    expect(log.data.every((r: { officialId: string }) => r.officialId === off.id)).toBe(true);
    expect(log.data[0].requestId).toBeTruthy();
    const byOfficial = await t.call('GET', '/v1/audit/access-log', { key: off.key });
    expect(byOfficial.status).toBe(403);
  });

  it('ownership records, histories and certificates carry log proofs that verify offline', async () => {
    const p = await w.platform();
    const off = await w.official();
    const [a, b] = [await w.account(p), await w.account(p)];
    const asset = await registered(p, off, a);
    const [unit] = (await w.mint(p, (await w.edition(p, asset.id, 2)).id, 1)).units;
    w.ok(await t.call('POST', `/v1/units/${unit.id}/transfers`, { key: p.key, body: { fromAccountId: a, toAccountId: b } }), 201);

    const before = w.ok(await t.call('GET', `/v1/audit/units/${unit.id}/ownership`, { key: off.key }), 200);
    expect(before.data.every((r: { logIndex: number | null }) => r.logIndex === null)).toBe(true);

    await integrateLog(t.deps);
    const vkey = (await t.call('GET', '/log/vkey')).text.trim();
    const records = w.ok(await t.call('GET', `/v1/audit/units/${unit.id}/ownership`, { key: off.key }), 200).data;
    const history = w.ok(await t.call('GET', `/v1/units/${unit.id}/history`), 200).data;
    const cert = w.ok(await t.call('GET', `/v1/assets/${asset.id}/certificate`), 200);
    const proved = [
      ...records.map((r: { logIndex: number; tlogProof: string; eventId: string }) => ({ ...r, id: r.eventId })),
      ...history,
      cert.registrationEvent,
    ];
    expect(proved).toHaveLength(5);
    for (const item of proved) {
      expect(item.logIndex).toEqual(expect.any(Number));
      const entry = w.ok(await t.call('GET', `/v1/log/entries/${item.logIndex}`), 200).entry as string;
      expect(JSON.parse(entry).id).toBe(item.id);
      const verified = await verifyTlogProof(item.tlogProof, vkey, { entry: new TextEncoder().encode(entry) });
      expect(verified.index).toBe(item.logIndex);
      // A proof does not verify for another entry.
      await expect(verifyTlogProof(item.tlogProof, vkey, { entry: new TextEncoder().encode(`${entry} `) })).rejects.toThrow();
    }
  });
});
