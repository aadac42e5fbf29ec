/**
 * The case export (GET /v1/cases/{id}/export): an official gets the record, the related histories
 * with their proofs and the evidence files; a party gets the record it may read and the evidence by
 * hash; `npm run verify -- --case` accepts it offline and names whatever one changed byte breaks,
 * and refuses a record or evidence the log does not vouch for even under the log's signature.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleArchive } from '../src/features/archive/archive-builder.js';
import { gatherCase } from '../src/features/archive/case-export.js';
import { verifyArchive } from '../src/features/archive/verify-archive.js';
import { download, filesOf, flipped, layout, manifestOf, verifyCli } from './support/archive.js';
import { startTestApp, type TestApp } from './support/harness.js';
import { marketWorld } from './support/market.js';

let t: TestApp;
let m: ReturnType<typeof marketWorld>;
let vkey: string;
let c: Awaited<ReturnType<typeof caseWithEvidence>>;
beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '0' });
  m = marketWorld(t);
  vkey = t.deps.tlogSigner!.verifierKey;
  c = await caseWithEvidence();
});
afterAll(async () => t?.close());

const sha256 = (s: string | Uint8Array) => createHash('sha256').update(s).digest('hex');
const COMPLAINT = 'My qipao, copied line for line.';
const RESPONSE = 'Drawn independently; sketches attached.';

async function upload(key: string, accountId: string, bytes: Uint8Array) {
  const created = m.ok(
    await t.call('POST', '/v1/uploads', {
      key,
      body: { accountId, mediaType: 'application/pdf', size: bytes.length, sha256: sha256(bytes) },
    }),
    201,
  );
  const put = await fetch(created.uploadUrl, { method: 'PUT', headers: created.headers, body: bytes as BodyInit });
  expect(put.status).toBe(200);
  m.ok(await t.call('POST', `/v1/uploads/${created.id}/complete`, { key }), 200);
  return created.id as string;
}

/**
 * A work sold once (a unit, a listing, a trade), a complaint against it with evidence from another
 * platform's rights holder, a case opened on it, and the respondent's answer with its own evidence.
 */
async function caseWithEvidence() {
  const w = await m.work();
  const buyer = await m.account(w.p);
  const [unit] = (await m.mint(w.p, w.edition.id, 1, w.creator)).units;
  const listing = await m.list(w.p, { kind: 'fixed', sellerId: w.creator, unitId: unit.id, price: 700 });
  await m.topUp(buyer, 700);
  const trade = m.ok(await m.buy(w.p, listing.id, buyer), 201);

  const p2 = await m.platform('Originals');
  const holder = await m.account(p2);
  const earlier = await m.registeredAsset(p2, w.off, holder, { title: 'Original Qipao', claimedCreatedOn: '2025-11-01' });
  const scan = new TextEncoder().encode('%PDF-1.4 sketchbook scan, dated 2025-10-20');
  const complaint = m.ok(
    await t.call('POST', '/v1/complaints', {
      key: p2.key,
      body: {
        assetId: w.asset.id,
        complainantId: holder,
        earlierAssetId: earlier.id,
        statement: COMPLAINT,
        claimedCreatedOn: '2025-11-01',
        copiedElements: ['silhouette'],
        evidenceUploadIds: [await upload(p2.key, holder, scan)],
      },
    }),
    201,
  );
  const opened = m.ok(
    await t.call('POST', '/v1/cases', { key: w.off.key, body: { assetId: w.asset.id, complaintIds: [complaint.id] } }),
    201,
  );
  const dueAt = new Date(t.clock.now().getTime() + 7 * 86400_000).toISOString();
  m.ok(await t.call('POST', `/v1/cases/${opened.id}/request-responses`, { key: w.off.key, body: { dueAt } }), 200);
  const sketches = new TextEncoder().encode('%PDF-1.4 the respondent’s own sketches');
  const response = m.ok(
    await t.call('POST', `/v1/cases/${opened.id}/responses`, {
      key: w.p.key,
      body: { partyId: w.creator, statement: RESPONSE, evidenceUploadIds: [await upload(w.p.key, w.creator, sketches)] },
    }),
    201,
  );
  return { ...w, p2, holder, unit, listing, trade, complaint, caseId: opened.id as string, response, scan, sketches };
}

describe('case export', () => {
  it("an official's export: record, histories with proofs, evidence files; verified offline by --case", async () => {
    const res = await download(t, `/v1/cases/${c.caseId}/export`, c.off.key);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-tar');
    expect(res.headers.get('content-disposition')).toMatch(new RegExp(`^attachment; filename="case-${c.caseId}-log\\d+\\.tar"$`));
    const manifest = manifestOf(res.bytes);
    expect(manifest).toMatchObject({ kind: 'case', case: { id: c.caseId } });
    expect(manifest.subjects).toMatchObject({ units: [c.unit.id], listings: [c.listing.id], trades: [c.trade.id] });
    expect(manifest.subjects.works).toContain(c.asset.id);
    const types = manifest.events.map((e: { type: string }) => e.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'asset.created',
        'unit.minted',
        'listing.created',
        'trade.settled',
        'complaint.filed',
        'case.opened',
        'case.response_filed',
      ]),
    );
    const files = filesOf(res.bytes);
    const record = JSON.parse(new TextDecoder().decode(files.get('case.json')!));
    expect(record).toMatchObject({
      id: c.caseId,
      complaints: [{ id: c.complaint.id, statement: COMPLAINT }],
      responses: [{ statement: RESPONSE }],
    });
    expect(new TextDecoder().decode(files.get(`evidence/${sha256(c.scan)}`)!)).toContain('sketchbook scan');
    expect(new TextDecoder().decode(files.get(`evidence/${sha256(c.sketches)}`)!)).toContain('own sketches');

    const cli = await verifyCli(res.bytes, '--case', 'FILE', '--vkey', vkey);
    expect(cli.code, cli.out).toBe(0);
    expect(cli.out).toMatch(
      new RegExp(
        `^OK: case export of ${c.caseId}; \\d+ events, each proven .*; 2 evidence files by SHA-256 \\(2 included and matching\\)`,
      ),
    );
  });

  it('one byte changed in the record, an evidence file, the manifest, an event, a proof or the checkpoint is named', async () => {
    const { bytes } = await download(t, `/v1/cases/${c.caseId}/export`, c.off.key);
    const at = layout(bytes);
    const opened = manifestOf(bytes).events.find((e: { type: string }) => e.type === 'case.opened').id;
    const inside = (name: string) => at.get(name)!.start + Math.floor(at.get(name)!.size / 2);
    const cases: [string, RegExp][] = [
      ['case.json', /^case\.json: its SHA-256 differs from the manifest's/],
      [`evidence/${sha256(c.scan)}`, new RegExp(`^evidence/${sha256(c.scan)}: its SHA-256`)],
      ['manifest.json', /^manifest\.json: /],
      [`events/${opened}.json`, new RegExp(`^events/${opened}\\.json: its SHA-256 differs`)],
      [`proofs/${opened}.tlog-proof`, new RegExp(`^proofs/${opened}\\.tlog-proof: `)],
      ['log/checkpoint', /^log\/checkpoint: /],
    ];
    for (const [name, expected] of cases) {
      const tampered = flipped(bytes, inside(name));
      const failures = (await verifyArchive(tampered, { vkey, expectKind: 'case' })).failures;
      expect(
        failures.some((f) => expected.test(f)),
        `${name}: ${failures.join(' | ')}`,
      ).toBe(true);
    }
    const cli = await verifyCli(flipped(bytes, inside('case.json')), '--case', 'FILE', '--vkey', vkey);
    expect(cli.code).toBe(1);
    expect(cli.out).toContain("case.json: its SHA-256 differs from the manifest's (the file was changed)");
  });

  it('a record or evidence the log does not vouch for is refused, even signed by the log key', async () => {
    const deps = { blobs: t.deps.blobs, signer: t.deps.tlogSigner!, now: t.clock.now() };
    const forged = await t.deps.db.transaction().execute(async (trx) => {
      const input = await gatherCase(trx, { kind: 'official', id: c.off.id, keyId: null, scopes: ['read'] }, c.caseId);
      const record = input.caseRecord!.record as { complaints: { statement: string }[] };
      record.complaints[0]!.statement = 'A statement the complainant never made.';
      const planted = new TextEncoder().encode('a document nobody filed');
      await t.deps.blobs.put('planted/doc', planted, 'application/pdf');
      const extra = {
        sha256: new Uint8Array(createHash('sha256').update(planted).digest()),
        size: planted.length,
        uploadId: null,
        objectKey: 'planted/doc',
      };
      return assembleArchive(trx, deps, { ...input, evidence: [...input.evidence!, extra] });
    });
    const failures = (await verifyArchive(forged!.bytes, { vkey, expectKind: 'case' })).failures;
    expect(failures).toEqual([
      `evidence/${sha256('a document nobody filed')}: no proven event of the case names this evidence`,
      `case.json: the statement of complaint ${c.complaint.id} is not the one whose SHA-256 the log holds`,
    ]);
  });

  it("a party's export: what the party may read, the evidence by hash only; strangers get 404", async () => {
    for (const key of [c.p2.key, c.p.key]) {
      const res = await download(t, `/v1/cases/${c.caseId}/export`, key);
      expect(res.status).toBe(200);
      const files = filesOf(res.bytes);
      expect([...files.keys()].filter((n) => n.startsWith('evidence/'))).toEqual([]);
      const manifest = manifestOf(res.bytes);
      expect(manifest.evidence.map((e: { sha256: string; included: boolean }) => [e.sha256, e.included]).sort()).toEqual(
        [
          [sha256(c.scan), false],
          [sha256(c.sketches), false],
        ].sort(),
      );
      const record = JSON.parse(new TextDecoder().decode(files.get('case.json')!));
      expect(record.complaints).toBeUndefined();
      expect(record.responses).toMatchObject([{ statement: RESPONSE }]);
      expect((await verifyArchive(res.bytes, { vkey, expectKind: 'case' })).failures).toEqual([]);
    }
    const stranger = await m.platform('Elsewhere');
    const refused = await download(t, `/v1/cases/${c.caseId}/export`, stranger.key);
    expect([refused.status, refused.json().code]).toEqual([404, 'not_found']);
    const unknown = await download(t, '/v1/cases/cas_01JABCDEFGHJKMNPQRSTVWXYZ1/export', c.off.key);
    expect([unknown.status, unknown.json().code]).toEqual([404, 'not_found']);
    expect((await download(t, '/v1/cases/nope/export', c.off.key)).status).toBe(400);
  });
});
