/**
 * The log end to end through the API: events made by the registry are integrated, and what
 * /log/ and /v1/log/ serve verifies with the project's own verifiers (RFC 9162, C2SP).
 */
import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBase64 } from '../../src/crypto/bytes.js';
import { openCheckpoint } from '../../src/features/tlog/checkpoint.js';
import { appendLeaves, emptyCompactRange } from '../../src/features/tlog/compact-range.js';
import { decodeEntryBundle } from '../../src/features/tlog/entry-bundle.js';
import { proofForEvent, proofsForEvents } from '../../src/features/tlog/event-proofs.js';
import { integrateLog } from '../../src/features/tlog/integrate.js';
import { integrationLoop } from '../../src/features/tlog/integration-loop.js';
import { logEntry, tlogProofAt } from '../../src/features/tlog/log.service.js';
import { inThreadHasher, leafHash } from '../../src/features/tlog/merkle.js';
import { parseTlogProof, verifyTlogProof } from '../../src/features/tlog/tlog-proof.js';
import { verifyConsistency, verifyInclusion } from '../../src/features/tlog/verify.js';
import { startTestApp, TEST_LOG_ORIGIN, type TestApp } from '../support/harness.js';
import { world } from '../support/world.js';

let t: TestApp;
let w: ReturnType<typeof world>;
let assetId: string;
let vkey: string;
const utf8 = (s: string) => new TextEncoder().encode(s);

async function fetchBytes(path: string) {
  const res = await t.app.request(path);
  return { res, bytes: new Uint8Array(await res.arrayBuffer()) };
}

async function checkpoint() {
  const res = await t.call('GET', '/log/checkpoint');
  expect(res.status).toBe(200);
  return { note: res.text, ...(await openCheckpoint(res.text, vkey, { origin: TEST_LOG_ORIGIN })) };
}

async function history() {
  return w.ok(await t.call('GET', `/v1/assets/${assetId}/history?limit=100`), 200).data as {
    id: string;
    logIndex: number | null;
  }[];
}

beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '0' });
  w = world(t);
  const p = await w.platform();
  const off = await w.official();
  const acc = await w.account(p);
  const asset = await w.registeredAsset(p, off, acc);
  assetId = asset.id;
  const edition = await w.edition(p, assetId, 10);
  await w.mint(p, edition.id, 3);
  vkey = (await t.call('GET', '/log/vkey')).text.trim();
});
afterAll(async () => t?.close());

describe('transparency log through the API', () => {
  it('gives events a log index once integrated, and signs a checkpoint the vkey verifies', async () => {
    const before = await history();
    expect(before.length).toBeGreaterThan(3);
    expect(before.every((e) => e.logIndex === null)).toBe(true);
    expect((await t.call('GET', '/log/checkpoint')).status).toBe(404);

    const result = await integrateLog(t.deps);
    const after = await history();
    expect(after.map((e) => e.logIndex).sort((a, b) => a! - b!)).toEqual(after.map((_, i) => i));
    expect(result).toMatchObject({ integrated: after.length, size: after.length, checkpoints: 1 });
    // Idempotent: nothing queued, nothing signed.
    expect(await integrateLog(t.deps)).toEqual({ integrated: 0, size: after.length, checkpoints: 0 });

    const res = await t.call('GET', '/log/checkpoint');
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('cache-control')).toMatch(/max-age=[0-5]\b|no-cache/);
    const cp = await checkpoint();
    expect(cp.size).toBe(after.length);
    expect(vkey).toMatch(new RegExp(`^${TEST_LOG_ORIGIN.replace(/\./g, '\\.')}\\+[0-9a-f]{8}\\+[A-Za-z0-9+/]+=*$`));
    await expect(openCheckpoint(res.text.replace(`\n${cp.size}\n`, `\n${cp.size + 1}\n`), vkey)).rejects.toThrow();
  });

  it('serves tiles and entry bundles that rebuild the signed root', async () => {
    const cp = await checkpoint();
    const n = cp.size;
    const tile = await fetchBytes(`/log/tile/0/000.p/${n}`);
    expect(tile.res.status).toBe(200);
    expect(tile.res.headers.get('content-type')).toBe('application/octet-stream');
    expect(tile.res.headers.get('cache-control')).not.toContain('immutable');
    expect(tile.bytes.length).toBe(n * 32);
    const bundle = await fetchBytes(`/log/tile/entries/000.p/${n}`);
    expect(bundle.res.status).toBe(200);
    const entries = decodeEntryBundle(bundle.bytes);
    expect(entries).toHaveLength(n);
    const leaves = await Promise.all(entries.map((e) => leafHash(e)));
    leaves.forEach((h, i) => {
      expect(h).toEqual(tile.bytes.subarray(i * 32, i * 32 + 32));
    });
    const { rootHash } = await appendLeaves(emptyCompactRange, leaves, inThreadHasher);
    expect(rootHash).toEqual(cp.rootHash);
    // A smaller partial tile is a prefix of the larger (each is a signed size's right edge).
    const smaller = await fetchBytes('/log/tile/0/000.p/1');
    expect(smaller.bytes).toEqual(tile.bytes.subarray(0, 32));

    for (const path of [
      `/log/tile/0/000.p/${n + 1}`,
      '/log/tile/0/000',
      '/log/tile/1/000.p/1',
      '/log/tile/entries/000',
      '/log/tile/0/0',
      '/log/tile/0/000.p/256',
      '/log/tile/0/x000/000',
      '/log/tile/64/000',
      '/log/tile/data/000',
    ]) {
      const res = await t.call('GET', path);
      expect(res.status, path).toBe(404);
      expect(res.body.code, path).toBe('tile_not_found');
    }
  });

  it('answers inclusion proofs, entries and tlog-proofs that verify', async () => {
    const cp = await checkpoint();
    const events = await history();
    for (const event of events) {
      const i = event.logIndex!;
      const entry = w.ok(await t.call('GET', `/v1/log/entries/${i}`), 200);
      expect(entry.eventId).toBe(event.id);
      expect(JSON.parse(entry.entry).id).toBe(event.id);
      expect(fromBase64(entry.leafHash)).toEqual(await leafHash(utf8(entry.entry)));

      const proof = w.ok(await t.call('GET', `/v1/log/proofs/inclusion?index=${i}&size=${cp.size}`), 200);
      expect(proof).toMatchObject({ index: i, size: cp.size, leafHash: entry.leafHash });
      expect(await verifyInclusion(i, cp.size, fromBase64(proof.leafHash), proof.proof.map(fromBase64), cp.rootHash)).toBe(true);

      const file = await t.call('GET', `/v1/log/entries/${i}/tlog-proof`);
      expect(file.status).toBe(200);
      expect(file.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(file.headers.get('content-disposition')).toBe(`attachment; filename="${i}.tlog-proof"`);
      const parsed = parseTlogProof(file.text);
      expect(new TextDecoder().decode(parsed.extra)).toBe(entry.entry);
      expect(parsed.checkpoint).toBe(cp.note);
      const ok = await verifyTlogProof(file.text, vkey, { entry: utf8(entry.entry) }, { origin: TEST_LOG_ORIGIN });
      expect(ok.index).toBe(i);
    }
    // Without a size, the proof is against the latest checkpoint.
    expect(w.ok(await t.call('GET', '/v1/log/proofs/inclusion?index=0'), 200).size).toBe(cp.size);
  });

  it('reads the signed tree before the leaf, so an entry inside the tree is never missing', async () => {
    await integrateLog(t.deps);
    // Leaves are written in the transaction that signs the checkpoint covering them. Read in
    // parallel, a leaf read before that commit and a tree read after it would make a 404 of an
    // entry the tree holds; so the tree's read must finish before the leaf's begins.
    const events: string[] = [];
    const order: KyselyPlugin = {
      transformQuery({ node }) {
        events.push('start');
        return node;
      },
      async transformResult({ result }) {
        events.push('end');
        return result;
      },
    };
    const db = t.deps.db.withPlugin(order);
    expect((await logEntry(db, 0)).index).toBe(0);
    expect(events).toEqual(['start', 'end', 'start', 'end']);
    events.length = 0;
    expect(await tlogProofAt(db, 0)).toContain('c2sp.org/tlog-proof');
    expect(events.slice(0, 4)).toEqual(['start', 'end', 'start', 'end']);
  });

  it('proves consistency between checkpoints, and lists every checkpoint', async () => {
    const first = await checkpoint();
    const p = await w.platform('Second');
    const off = await w.official('Officer Li');
    const acc = await w.account(p);
    await w.registeredAsset(p, off, acc, { title: 'Second work' });
    expect((await integrateLog(t.deps)).checkpoints).toBe(1);
    const second = await checkpoint();
    expect(second.size).toBeGreaterThan(first.size);

    const res = w.ok(await t.call('GET', `/v1/log/proofs/consistency?from=${first.size}&to=${second.size}`), 200);
    expect(res).toMatchObject({ from: first.size, to: second.size });
    const proof = res.proof.map(fromBase64);
    expect(await verifyConsistency(first.size, second.size, proof, first.rootHash, second.rootHash)).toBe(true);
    expect(await verifyConsistency(first.size, second.size, proof, second.rootHash, second.rootHash)).toBe(false);
    expect(w.ok(await t.call('GET', `/v1/log/proofs/consistency?from=${first.size}`), 200).to).toBe(second.size);

    const list = w.ok(await t.call('GET', '/v1/log/checkpoints?limit=1'), 200);
    expect(list.data[0]).toMatchObject({ size: first.size, note: first.note });
    const next = w.ok(await t.call('GET', `/v1/log/checkpoints?after=${encodeURIComponent(list.nextCursor)}`), 200);
    expect(next.data.map((c: { size: number }) => c.size)).toEqual([second.size]);
    expect(next.nextCursor).toBeNull();
  });

  it('refuses bad sizes and indices with problems', async () => {
    const { size } = await checkpoint();
    const cases: [string, number, string][] = [
      [`/v1/log/proofs/inclusion?index=0&size=${size + 1}`, 422, 'tree_size_not_signed'],
      [`/v1/log/proofs/inclusion?index=${size}&size=${size}`, 422, 'index_not_in_tree'],
      [`/v1/log/proofs/inclusion?index=${size}`, 404, 'log_entry_not_found'],
      ['/v1/log/proofs/inclusion?index=-1', 400, 'validation_failed'],
      ['/v1/log/proofs/inclusion?index=abc', 400, 'validation_failed'],
      ['/v1/log/proofs/inclusion', 400, 'validation_failed'],
      ['/v1/log/proofs/consistency?from=0&to=1', 422, 'invalid_tree_sizes'],
      [`/v1/log/proofs/consistency?from=2&to=1`, 422, 'invalid_tree_sizes'],
      [`/v1/log/proofs/consistency?from=1&to=${size + 1}`, 422, 'tree_size_not_signed'],
      [`/v1/log/entries/${size}`, 404, 'log_entry_not_found'],
      [`/v1/log/entries/${size}/tlog-proof`, 404, 'log_entry_not_found'],
      ['/v1/log/entries/1.5', 400, 'validation_failed'],
      ['/v1/log/checkpoints?after=nope', 400, 'invalid_cursor'],
    ];
    for (const [path, status, code] of cases) {
      const res = await t.call('GET', path);
      expect(res.status, path).toBe(status);
      expect(res.headers.get('content-type'), path).toBe('application/problem+json');
      expect(res.body.code, path).toBe(code);
    }
  });

  it('gives proofs for events by id, one at a time or for a page', async () => {
    const cp = await checkpoint();
    const events = await history();
    const one = await proofForEvent(t.deps.db, events[0]!.id);
    expect(one?.logIndex).toBe(events[0]!.logIndex);
    const entry = parseTlogProof(one!.tlogProof).extra!;
    expect((await verifyTlogProof(one!.tlogProof, vkey, { entry })).checkpoint.size).toBe(cp.size);
    expect(fromBase64(one!.leafHash)).toEqual(await leafHash(entry));

    const many = await proofsForEvents(
      t.deps.db,
      events.map((e) => e.id),
    );
    expect(many.size).toBe(events.length);
    for (const e of events) {
      const proof = many.get(e.id)!;
      expect(proof.logIndex).toBe(e.logIndex);
      await verifyTlogProof(proof.tlogProof, vkey, { leafHash: fromBase64(proof.leafHash) });
    }
    expect(await proofForEvent(t.deps.db, 'evt_01JABCDEFGHJKMNPQRSTVWXYZ1')).toBeNull();
  });

  it('integrates soon after a write when the entry wires afterWrite to the loop', async () => {
    const loop = integrationLoop(t.deps);
    const kicks: string[] = [];
    t.deps.afterWrite = () => {
      kicks.push('write');
      loop.kick();
    };
    try {
      const p = await w.platform('Third');
      const acc = await w.account(p);
      w.ok(await t.call('POST', '/v1/assets', { key: p.key, body: w.assetBody(acc, { title: 'Draft' }) }), 201);
      const kicked = kicks.length;
      expect(kicked).toBeGreaterThan(0);
      expect((await t.call('POST', '/v1/assets', { key: p.key, body: {} })).status).toBe(400);
      await t.call('GET', '/v1/log/checkpoints');
      expect(kicks.length).toBe(kicked); // failed writes and reads do not kick
      await loop.idle();
      const queued = await t.deps.db.selectFrom('log_queue').select('event_seq').execute();
      expect(queued).toEqual([]);
    } finally {
      t.deps.afterWrite = undefined;
    }
  });

  it('documents the JSON endpoints in the OpenAPI document', async () => {
    const doc = w.ok(await t.call('GET', '/openapi.json'), 200);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/log/proofs/inclusion',
        '/v1/log/proofs/consistency',
        '/v1/log/entries/{index}',
        '/v1/log/entries/{index}/tlog-proof',
        '/v1/log/checkpoints',
      ]),
    );
    expect(doc.components.schemas.Event.properties.logIndex).toBeDefined();
  });
});
