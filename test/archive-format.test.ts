/**
 * The export format itself, below any route: the subjects' histories (a listing's, a trade's),
 * evidence files included or listed by hash only, a layout any
 * `tar` reads, the same bytes for the same snapshot, and stored evidence that no longer matches
 * its hash refused rather than exported.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256, toHex } from '../src/crypto/bytes.js';
import { type ArchiveInput, assembleArchive, type EvidenceInput } from '../src/features/archive/archive-builder.js';
import { exportArchive } from '../src/features/archive/export.service.js';
import { readTar, writeTar } from '../src/features/archive/tar.js';
import { verifyArchive } from '../src/features/archive/verify-archive.js';
import { download, filesOf, flipped, layout, manifestOf, verifyCli } from './support/archive.js';
import { startTestApp, type TestApp } from './support/harness.js';
import { marketWorld } from './support/market.js';

let t: TestApp;
let m: ReturnType<typeof marketWorld>;
let vkey: string;
let scene: Awaited<ReturnType<typeof sale>>;
beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '0' });
  m = marketWorld(t);
  vkey = t.deps.tlogSigner!.verifierKey;
  scene = await sale();
});
afterAll(async () => t?.close());

/** A unit listed and sold, and two evidence files in the object store. */
async function sale() {
  const { p, creator, asset, edition } = await m.work({ size: 3 });
  const buyer = await m.account(p);
  const [unit] = (await m.mint(p, edition.id, 1, creator)).units;
  const listing = await m.list(p, { kind: 'fixed', sellerId: creator, unitId: unit.id, price: 900 });
  await m.topUp(buyer, 900);
  const trade = m.ok(await m.buy(p, listing.id, buyer), 201);
  const evidence: EvidenceInput[] = [];
  for (const [i, text] of ['screenshot of the copy', 'the original sketch'].entries()) {
    const bytes = new TextEncoder().encode(text);
    const objectKey = `evidence-test/${i}`;
    await t.deps.blobs.put(objectKey, bytes, 'text/plain');
    evidence.push({ sha256: await sha256(bytes), size: bytes.length, uploadId: null, objectKey });
  }
  return { p, asset, unit, listing, trade, evidence };
}

const withEvidence = (includeEvidenceFiles: boolean): ArchiveInput => ({
  kind: 'subjects',
  subjects: { works: [scene.asset.id], units: [], listings: [scene.listing.id], trades: [scene.trade.id] },
  evidence: scene.evidence,
  includeEvidenceFiles,
});

describe('export format', () => {
  it('evidence files included: each checked against its recorded SHA-256, a changed one named', async () => {
    const archive = await exportArchive(t.deps, async () => withEvidence(true));
    const files = filesOf(archive.bytes);
    for (const e of scene.evidence) {
      expect(new TextDecoder().decode(files.get(`evidence/${toHex(e.sha256)}`)!)).toMatch(/screenshot|sketch/);
    }
    const cli = await verifyCli(archive.bytes, '--archive', 'FILE', '--vkey', vkey);
    expect(cli.code, cli.out).toBe(0);
    expect(cli.out).toMatch(/^OK: export; \d+ events, each proven .*; 2 evidence files by SHA-256 \(2 included and matching\)/);

    const hex = toHex(scene.evidence[0]!.sha256);
    const at = layout(archive.bytes);
    const evidenceFailures = (await verifyArchive(flipped(archive.bytes, at.get(`evidence/${hex}`)!.start), { vkey })).failures;
    expect(evidenceFailures).toEqual([
      `evidence/${hex}: its SHA-256 differs from the manifest's (the file was changed)`,
      `evidence/${hex}: its SHA-256 is not the evidence's recorded SHA-256 ${hex}`,
    ]);
  });

  it('evidence by hash only, without the files; --case refuses an archive that is not a case', async () => {
    const archive = await exportArchive(t.deps, async () => withEvidence(false));
    expect([...filesOf(archive.bytes).keys()].some((n) => n.startsWith('evidence/'))).toBe(false);
    expect(archive.manifest.evidence.map((e) => e.included)).toEqual([false, false]);
    expect((await verifyArchive(archive.bytes, { vkey })).failures).toEqual([]);

    const holdings = await download(t, '/v1/holdings/export', scene.p.key);
    const cli = await verifyCli(holdings.bytes, '--case', 'FILE', '--vkey', vkey);
    expect(cli.code).toBe(1);
    expect(cli.out).toContain('manifest.json: a holdings export, not a case export');
  });

  it("a listing's and a trade's whole histories, and nothing else", async () => {
    const types = async (subjects: Partial<ArchiveInput['subjects']>) => {
      const archive = await exportArchive(t.deps, async () => ({
        kind: 'subjects',
        subjects: { works: [], units: [], listings: [], trades: [], ...subjects },
      }));
      expect((await verifyArchive(archive.bytes, { vkey })).failures).toEqual([]);
      return archive.manifest.events.map((e) => e.type);
    };
    expect(await types({ listings: [scene.listing.id] })).toEqual([
      'listing.created',
      'trade.reserved',
      'listing.sold',
      'trade.settled',
    ]);
    expect(await types({ trades: [scene.trade.id] })).toEqual(['trade.reserved', 'trade.settled']);
  });

  it('the same snapshot gives the same bytes, and any tar reads it', async () => {
    const [a, b] = await t.deps.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        const deps = { blobs: t.deps.blobs, signer: t.deps.tlogSigner!, now: new Date('2026-12-01T00:00:00Z') };
        return [await assembleArchive(trx, deps, withEvidence(true)), await assembleArchive(trx, deps, withEvidence(true))];
      });
    expect(Buffer.from(a!.bytes).equals(Buffer.from(b!.bytes))).toBe(true);

    const dir = await mkdtemp(join(tmpdir(), 'haipai-tar-'));
    try {
      await writeFile(join(dir, 'export.tar'), a!.bytes);
      const { stdout } = await promisify(execFile)('tar', ['-tf', join(dir, 'export.tar')]);
      expect(stdout.trim().split('\n')).toEqual(readTar(a!.bytes).map((f) => f.name));
      expect(stdout).toMatch(/^manifest\.sig\nmanifest\.json\nlog\/vkey\nlog\/checkpoint\nevents\//);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(() => writeTar([{ name: '../escape', bytes: new Uint8Array() }], new Date())).toThrow(/relative ASCII paths/);
    expect(manifestOf(a!.bytes).files.map((f: { path: string }) => f.path)).not.toContain('manifest.json');
  });

  it('stored evidence that no longer matches its recorded hash is refused, not exported', async () => {
    const objectKey = 'evidence-test/altered';
    await t.deps.blobs.put(objectKey, new TextEncoder().encode('altered after upload'), 'text/plain');
    const claimed = await sha256('what was uploaded');
    const attempt = exportArchive(t.deps, async () => ({
      ...withEvidence(true),
      evidence: [{ sha256: claimed, size: 17, uploadId: null, objectKey }],
    }));
    await expect(attempt).rejects.toMatchObject({ status: 500, code: 'evidence_altered' });
    const missing = exportArchive(t.deps, async () => ({
      ...withEvidence(true),
      evidence: [{ sha256: claimed, size: 17, uploadId: null, objectKey: 'evidence-test/none' }],
    }));
    await expect(missing).rejects.toMatchObject({ status: 409, code: 'evidence_missing' });
  });
});
