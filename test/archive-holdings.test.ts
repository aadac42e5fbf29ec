/**
 * The holdings export (GET /v1/holdings/export): who may export what, what the archive holds, that
 * `npm run verify -- --archive` accepts it offline, and that a change of one byte anywhere — the
 * manifest, an event, a proof, the checkpoint, the key, a tar header, padding — is refused with the
 * file at fault named. With DATABASE_URL set, exports race real concurrent gifts on PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { verifyArchive } from '../src/features/archive/verify-archive.js';
import { generateSignerKey, verifierKeyFromSigner } from '../src/features/tlog/note.js';
import { download, flipped, layout, manifestOf, verifyCli } from './support/archive.js';
import { OPERATOR_KEY, startTestApp, type TestApp } from './support/harness.js';
import { marketWorld } from './support/market.js';

let t: TestApp;
let m: ReturnType<typeof marketWorld>;
let vkey: string;
beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '0', CASE_APPEAL_DAYS: '0' });
  m = marketWorld(t);
  vkey = t.deps.tlogSigner!.verifierKey;
});
afterAll(async () => t?.close());

/**
 * Platform p: creator (rights holder of the work) mints two units to itself, gifts unit 1 to
 * collector, sells unit 2 to buyer. Platform q: its own creator and work.
 */
async function market() {
  const { p, creator, asset, edition } = await m.work({ size: 5 });
  const [collector, buyer] = [await m.account(p), await m.account(p)];
  const [u1, u2] = (await m.mint(p, edition.id, 2, creator)).units;
  m.ok(
    await t.call('POST', `/v1/units/${u1.id}/transfers`, {
      key: p.key,
      body: { fromAccountId: creator, toAccountId: collector },
    }),
    201,
  );
  const listing = await m.list(p, { kind: 'fixed', sellerId: creator, unitId: u2.id, price: 5_000 });
  await m.topUp(buyer, 5_000);
  const trade = m.ok(await m.buy(p, listing.id, buyer), 201);
  const other = await m.work();
  return { p, creator, collector, buyer, asset, u1, u2, trade, q: other.p, qCreator: other.creator, qAsset: other.asset };
}

type World = Awaited<ReturnType<typeof market>>;
let world: World;
beforeAll(async () => {
  world = await market();
});

describe('holdings export', () => {
  it("a platform exports its accounts' units and works with their whole proven histories; verified offline", async () => {
    const { p, creator, collector, buyer, asset, u1, u2, trade } = world;
    const res = await download(t, '/v1/holdings/export', p.key);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-tar');
    expect(res.headers.get('content-disposition')).toMatch(new RegExp(`^attachment; filename="holdings-${p.id}-log\\d+\\.tar"$`));

    const manifest = manifestOf(res.bytes);
    const byAccount = new Map(manifest.holdings.map((h: { accountId: string }) => [h.accountId, h]));
    expect([...byAccount.keys()].sort()).toEqual([creator, collector, buyer].sort());
    expect(byAccount.get(creator)).toMatchObject({ platformId: p.id, units: [], works: [{ workId: asset.id }] });
    expect(byAccount.get(collector)).toMatchObject({ units: [{ unitId: u1.id }], works: [] });
    expect(byAccount.get(buyer)).toMatchObject({ units: [{ unitId: u2.id }], works: [] });
    // The sale was never integrated by this test (no afterWrite here): the export integrated it first.
    const types = manifest.events.map((e: { type: string }) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['asset.created', 'asset.registered', 'unit.minted', 'unit.gifted', 'trade.settled']),
    );
    expect(manifest.events.some((e: { type: string }) => e.type === 'trade.settled')).toBe(true);
    const settled = await t.deps.db
      .selectFrom('events')
      .select('id')
      .where('type', '=', 'trade.settled')
      .where('unit_id', '=', u2.id)
      .executeTakeFirstOrThrow();
    expect(byAccount.get(buyer)).toMatchObject({ units: [{ unitId: u2.id, acquiredBy: settled.id }] });
    expect(trade.buyerId).toBe(buyer);

    const verdict = await verifyArchive(res.bytes, { vkey });
    expect(verdict.failures).toEqual([]);
    const cli = await verifyCli(res.bytes, '--archive', 'FILE', '--vkey', vkey);
    expect(cli.code, cli.out).toBe(0);
    expect(cli.out).toMatch(
      /^OK: holdings export of 3 accounts \(2 units, 1 work, replayed from their proven histories\); \d+ events, each proven/,
    );
    expect(cli.out).toContain('signed by the key given');
    // Without --vkey the archive's own key is used, and the verdict says so.
    const selfKeyed = await verifyCli(res.bytes, '--archive', 'FILE');
    expect(selfKeyed.code, selfKeyed.out).toBe(0);
    expect(selfKeyed.out).toContain('the key inside the archive');
  });

  it('a work whose rights an IP case transferred is held by the new holder, as its proven history shows', async () => {
    const w = await m.work();
    const heir = await m.account(w.p);
    const opened = m.ok(
      await t.call('POST', '/v1/cases', { key: w.off.key, body: { assetId: w.asset.id, courtReference: 'Court order 9' } }),
      201,
    );
    m.ok(
      await t.call('POST', `/v1/cases/${opened.id}/decision`, {
        key: w.off.key,
        body: { determination: 'rights_transferred', reason: 'Court order', newRightsHolderId: heir },
      }),
      200,
    );
    const transferred = await t.deps.db
      .selectFrom('events')
      .select('id')
      .where('type', '=', 'asset.rights_transferred')
      .where('asset_id', '=', w.asset.id)
      .executeTakeFirstOrThrow();
    const res = await download(t, `/v1/holdings/export?accountId=${heir}`, w.p.key);
    expect(res.status).toBe(200);
    expect(manifestOf(res.bytes).holdings).toEqual([
      expect.objectContaining({ accountId: heir, works: [{ workId: w.asset.id, heldSince: transferred.id }] }),
    ]);
    expect((await verifyArchive(res.bytes, { vkey })).failures).toEqual([]);
    const former = manifestOf((await download(t, `/v1/holdings/export?accountId=${w.creator}`, w.p.key)).bytes);
    expect(former.holdings[0].works).toEqual([]);
  });

  it('one byte changed anywhere is refused, naming the part at fault', async () => {
    const { bytes } = await download(t, '/v1/holdings/export', world.p.key);
    const files = layout(bytes);
    const manifest = manifestOf(bytes);
    const event = manifest.events.find((e: { type: string }) => e.type === 'trade.settled').id;
    const failuresAfter = async (offset: number) => (await verifyArchive(flipped(bytes, offset), { vkey })).failures;
    const inside = (name: string) => files.get(name)!.start + Math.floor(files.get(name)!.size / 2);

    const cases: [string, number, RegExp][] = [
      ['manifest', inside('manifest.json'), /^manifest\.json: /],
      ['manifest signature', inside('manifest.sig'), /^manifest\.sig: /],
      ['an event', inside(`events/${event}.json`), new RegExp(`^events/${event}\\.json: its SHA-256 differs`)],
      ['a proof', inside(`proofs/${event}.tlog-proof`), new RegExp(`^proofs/${event}\\.tlog-proof: `)],
      ['the checkpoint', inside('log/checkpoint'), /^log\/checkpoint: /],
      ['the log key', inside('log/vkey'), /^log\/vkey: /],
      [
        'a tar header',
        files.get(`events/${event}.json`)!.header + 140,
        new RegExp(`^archive: tar header \\d+ \\(events/${event}\\.json\\): its checksum`),
      ],
      [
        'padding',
        files.get(`events/${event}.json`)!.start + files.get(`events/${event}.json`)!.size,
        /^archive: events\/.*: the padding after it is not zero$/,
      ],
      ['the end blocks', bytes.length - 3, /^archive: the end-of-archive blocks are not zero$/],
    ];
    for (const [part, offset, expected] of cases) {
      const failures = await failuresAfter(offset);
      expect(
        failures.some((f) => expected.test(f)),
        `${part}: ${failures.join(' | ')}`,
      ).toBe(true);
    }
    // The event changed: its hash and its proof both fail, and the command line prints each on its own line.
    const cli = await verifyCli(flipped(bytes, inside(`events/${event}.json`)), '--archive', 'FILE', '--vkey', vkey);
    expect(cli.code).toBe(1);
    expect(cli.out).toMatch(/^NOT VERIFIED: \d+ checks? failed:\n/);
    expect(cli.out).toContain(`events/${event}.json: its SHA-256 differs from the manifest's`);
    expect(cli.out).toContain(`proofs/${event}.tlog-proof: the proof does not place this entry`);

    // And a sweep: a change at every 61st byte of the archive is refused, none slips through.
    for (let offset = 0; offset < bytes.length; offset += 61) {
      expect((await failuresAfter(offset)).length, `byte ${offset}`).toBeGreaterThan(0);
    }
  });

  it('a key other than the log’s, and a manifest the log signed but the histories contradict, are refused', async () => {
    const { bytes } = await download(t, '/v1/holdings/export', world.p.key);
    const stranger = await verifierKeyFromSigner(await generateSignerKey('test.haipai.example/log'));
    const wrongKey = await verifyArchive(bytes, { vkey: stranger });
    expect(wrongKey.failures).toContain('log/vkey: differs from the log key given to the verifier');
    expect(wrongKey.failures.some((f) => f.startsWith('manifest.sig: '))).toBe(true);
    expect(wrongKey.failures.some((f) => f.startsWith('log/checkpoint: '))).toBe(true);

    // The registry itself (its key) claiming the gifted unit still belongs to the creator: the replay refuses.
    const { assembleArchive } = await import('../src/features/archive/archive-builder.js');
    const forged = await t.deps.db.transaction().execute(async (trx) =>
      assembleArchive(
        trx,
        { blobs: t.deps.blobs, signer: t.deps.tlogSigner!, now: t.clock.now() },
        {
          kind: 'holdings',
          subjects: { works: [], units: [world.u1.id], listings: [], trades: [] },
          holdings: [
            {
              accountId: world.creator,
              platformId: world.p.id,
              units: [{ unitId: world.u1.id, acquiredBy: manifestOf(bytes).events[0].id }],
              works: [],
            },
          ],
        },
      ),
    );
    const replay = await verifyArchive(forged!.bytes, { vkey });
    expect(replay.failures).toEqual([
      expect.stringMatching(
        new RegExp(
          `^holdings: unit ${world.u1.id}: its proven history ends with evt_\\w+ to ${world.collector}, not evt_\\w+ to ${world.creator}$`,
        ),
      ),
    ]);
  });

  it('each key exports only what it acts for; the operator exports every platform or one', async () => {
    const { p, q, qCreator, creator } = world;
    const accountsIn = async (path: string, key: string) => {
      const res = await download(t, path, key);
      expect(res.status, new TextDecoder().decode(res.bytes).slice(0, 300)).toBe(200);
      expect((await verifyArchive(res.bytes, { vkey })).failures).toEqual([]);
      return manifestOf(res.bytes).holdings.map((h: { accountId: string }) => h.accountId);
    };
    const all = await accountsIn('/v1/holdings/export', OPERATOR_KEY);
    expect(all).toEqual(expect.arrayContaining([creator, qCreator]));
    expect(await accountsIn(`/v1/holdings/export?platformId=${q.id}`, OPERATOR_KEY)).toEqual([qCreator]);
    expect(await accountsIn(`/v1/holdings/export?accountId=${creator}`, p.key)).toEqual([creator]);

    // An account's own key: its own holdings only, whatever it asks for.
    const own = m.ok(await t.call('POST', '/v1/api-keys', { key: p.key, body: { subjectId: world.collector } }), 201).secret;
    expect(await accountsIn('/v1/holdings/export', own)).toEqual([world.collector]);
    expect(await accountsIn(`/v1/holdings/export?accountId=${world.collector}`, own)).toEqual([world.collector]);

    const refused = async (path: string, key: string) => {
      const res = await download(t, path, key);
      return { status: res.status, code: res.json().code };
    };
    expect(await refused(`/v1/holdings/export?platformId=${q.id}`, p.key)).toEqual({ status: 404, code: 'not_found' });
    expect(await refused(`/v1/holdings/export?accountId=${qCreator}`, p.key)).toEqual({ status: 404, code: 'not_found' });
    expect(await refused(`/v1/holdings/export?accountId=${qCreator}&platformId=${p.id}`, OPERATOR_KEY)).toEqual({
      status: 404,
      code: 'not_found',
    });
    expect(await refused('/v1/holdings/export?accountId=nope', p.key)).toEqual({ status: 400, code: 'validation_failed' });
    expect(await refused(`/v1/holdings/export?accountId=${creator}`, own)).toEqual({ status: 404, code: 'not_found' });
    expect(await refused(`/v1/holdings/export?platformId=${p.id}`, own)).toEqual({ status: 404, code: 'not_found' });
    const off = await m.official();
    expect(await refused('/v1/holdings/export', off.key)).toEqual({ status: 403, code: 'wrong_role' });
    expect((await download(t, '/v1/holdings/export', '')).status).toBe(401);
    // A deployment that cannot sign can prove nothing: it says so rather than export unproven events.
    const unsigned = createApp({ ...t.deps, tlogSigner: undefined });
    const res = await unsigned.request('/v1/holdings/export', { headers: { authorization: `Bearer ${p.key}` } });
    expect(res.status).toBe(503);
    expect((await res.json()).code).toBe('no_log_key');
  });

  it('exports taken while gifts commit concurrently are each consistent and verify', async () => {
    const { p, creator, asset } = world;
    const edition = m.ok(
      await t.call('POST', `/v1/assets/${asset.id}/editions`, { key: p.key, body: { size: 20, preset: 'open_market' } }),
      201,
    );
    const units = (await m.mint(p, edition.id, 8, creator)).units as { id: string }[];
    const friends = await m.accounts(p, 8);
    const [exports] = await Promise.all([
      Promise.all([0, 1, 2].map(() => download(t, `/v1/holdings/export?accountId=${creator}`, p.key))),
      Promise.all(
        units.map((u, i) =>
          t.call('POST', `/v1/units/${u.id}/transfers`, {
            key: p.key,
            body: { fromAccountId: creator, toAccountId: friends[i] },
          }),
        ),
      ),
    ]);
    for (const e of exports) {
      expect(e.status).toBe(200);
      expect((await verifyArchive(e.bytes, { vkey })).failures).toEqual([]);
    }
    const after = await download(t, '/v1/holdings/export', p.key);
    const holdings = manifestOf(after.bytes).holdings as { accountId: string; units: { unitId: string }[] }[];
    for (const [i, u] of units.entries()) {
      expect(holdings.find((h) => h.accountId === friends[i])!.units.map((x) => x.unitId)).toEqual([u.id]);
    }
  });
});
