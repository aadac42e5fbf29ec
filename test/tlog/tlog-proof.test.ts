import { describe, expect, it } from 'vitest';
import { fromBase64, fromHex } from '../../src/crypto/bytes.js';
import { canonicalJson } from '../../src/features/events/canonical-json.js';
import { signCheckpoint } from '../../src/features/tlog/checkpoint.js';
import { appendLeaves, emptyCompactRange } from '../../src/features/tlog/compact-range.js';
import { inThreadHasher, type NodeId } from '../../src/features/tlog/merkle.js';
import { generateSignerKey, parseSignerKey } from '../../src/features/tlog/note.js';
import { inclusionProof } from '../../src/features/tlog/proofs.js';
import { TlogError, type TlogErrorCode } from '../../src/features/tlog/tlog-error.js';
import { formatTlogProof, parseTlogProof, verifyTlogProof } from '../../src/features/tlog/tlog-proof.js';

const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';

async function code(promise: Promise<unknown>): Promise<TlogErrorCode> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof TlogError) return e.code;
    throw e;
  }
  throw new Error('expected a TlogError');
}

describe('C2SP tlog-proof', () => {
  // Leaf 5 of the 8-leaf reference tree of RFC 6962 implementations (entry 0x40414243), with the
  // audit path and root of the transparency-dev vector inclusion/2/happy-path.json.
  const path = [
    'vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=',
    'yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=',
    '037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=',
  ];
  const root = fromBase64('XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=');

  it('lays out header, index, path, blank line and the checkpoint, and verifies', async () => {
    const checkpoint = await signCheckpoint(
      { origin: 'example.com/reference', size: 8, rootHash: root },
      await parseSignerKey(PETER_SKEY),
    );
    const text = formatTlogProof({ index: 5, proof: path.map(fromBase64), checkpoint });
    expect(text).toBe(`c2sp.org/tlog-proof@v1\nindex 5\n${path.join('\n')}\n\n${checkpoint}`);
    expect(
      checkpoint.startsWith('example.com/reference\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n— PeterNeumann '),
    ).toBe(true);

    const ok = await verifyTlogProof(text, PETER_VKEY, { entry: fromHex('40414243') }, { origin: 'example.com/reference' });
    expect(ok.index).toBe(5);
    expect(ok.checkpoint.size).toBe(8);
    expect(ok.extra).toBeUndefined();
    const byHash = await verifyTlogProof(text, PETER_VKEY, {
      leafHash: fromBase64('QnGia+DYqE8L1UyMMC58s6O10fpngKQLzOKHNHfatlg='),
    });
    expect(byHash.index).toBe(5);

    expect(await code(verifyTlogProof(text, PETER_VKEY, { entry: fromHex('40414244') }))).toBe('not_included');
    expect(await code(verifyTlogProof(text.replace('index 5', 'index 4'), PETER_VKEY, { entry: fromHex('40414243') }))).toBe(
      'not_included',
    );
    expect(await code(verifyTlogProof(text.replace('index 5', 'index 8'), PETER_VKEY, { entry: fromHex('40414243') }))).toBe(
      'not_included',
    );
    expect(await code(verifyTlogProof(text.replace(path[1]!, path[2]!), PETER_VKEY, { entry: fromHex('40414243') }))).toBe(
      'not_included',
    );
    expect(await code(verifyTlogProof(text.replace('\n8\n', '\n9\n'), PETER_VKEY, { entry: fromHex('40414243') }))).toBe(
      'invalid_signature',
    );
    expect(await code(verifyTlogProof(text, PETER_VKEY, { entry: fromHex('40414243') }, { origin: 'other' }))).toBe(
      'origin_mismatch',
    );
    const stranger = await parseSignerKey(await generateSignerKey('example.com/reference'));
    expect(await code(verifyTlogProof(text, stranger.verifierKey, { entry: fromHex('40414243') }))).toBe('unverified_note');
  });

  it('carries unauthenticated extra data', async () => {
    const checkpoint = 'c\n1\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n— k AAAAAAA=\n';
    const extra = new TextEncoder().encode('age-v1.2.1-darwin-arm64.tar.gz');
    const text = formatTlogProof({ index: 0, proof: [], checkpoint, extra });
    expect(text).toBe(`c2sp.org/tlog-proof@v1\nextra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6\nindex 0\n\n${checkpoint}`);
    expect(parseTlogProof(text)).toEqual({ index: 0, proof: [], checkpoint, extra });
    expect(parseTlogProof(formatTlogProof({ index: 3, proof: [root], checkpoint, extra: new Uint8Array(0) })).extra).toEqual(
      new Uint8Array(0),
    );
  });

  it('refuses malformed proofs', () => {
    const cp = 'c\n1\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n— k AAAAAAA=\n';
    const hash = path[0]!;
    for (const bad of [
      `wrong-header\nindex 0\n\n${cp}`,
      `c2sp.org/tlog-proof@v1\nextra !!notbase64!!\nindex 0\n\n${cp}`,
      `c2sp.org/tlog-proof@v1\n\n\n${cp}`, // missing index
      `c2sp.org/tlog-proof@v1\nindex notanumber\n\n${cp}`,
      `c2sp.org/tlog-proof@v1\nindex -5\n\n${cp}`,
      `c2sp.org/tlog-proof@v1\nindex 05\n\n${cp}`, // leading zero
      `c2sp.org/tlog-proof@v1\nindex 1 \n\n${cp}`,
      `c2sp.org/tlog-proof@v1\nindex 0\n!!notbase64!!\n\n${cp}`,
      `c2sp.org/tlog-proof@v1\nindex 0\n${btoa(String.fromCharCode(...new Uint8Array(64)))}\n\n${cp}`, // hash too long
      `c2sp.org/tlog-proof@v1\nindex 0\n${hash.slice(0, -1)}\n\n${cp}`, // unpadded
      `c2sp.org/tlog-proof@v1\nindex 0\n${hash}\n`, // no checkpoint
      `c2sp.org/tlog-proof@v1\nindex 0\n${hash}`,
      `c2sp.org/tlog-proof@v1\nindex 0\n${`${hash}\n`.repeat(65)}\n${cp}`,
      `c2sp.org/tlog-proof@v1\nindex 0\nextra AAAA\n\n${cp}`, // extra after index
    ]) {
      let got: string | undefined;
      try {
        parseTlogProof(bad);
      } catch (e) {
        got = e instanceof TlogError ? e.code : String(e);
      }
      expect(got, JSON.stringify(bad.slice(0, 60))).toBe('malformed_proof');
    }
    expect(() => formatTlogProof({ index: 0, proof: [new Uint8Array(31)], checkpoint: cp })).toThrow(TypeError);
    expect(() => formatTlogProof({ index: 0, proof: [], checkpoint: 'no newline' })).toThrow(TlogError);
  });

  it('proves an event of a grown log end to end', async () => {
    const events = Array.from({ length: 1000 }, (_, i) =>
      new TextEncoder().encode(canonicalJson({ id: `evt_${i}`, type: 'unit.transferred', unit: `unt_${i % 37}`, seq: i })),
    );
    const leaves = await Promise.all(events.map((e) => inThreadHasher.hashLeaf(e)));
    const { rootHash, nodes } = await appendLeaves(emptyCompactRange, leaves, inThreadHasher);
    const stored = new Map(nodes.map((n) => [`${n.level}:${n.index}`, n.hash]));
    const read = async (ids: readonly NodeId[]) => ids.map((n) => stored.get(`${n.level}:${n.index}`)!);
    const signer = await parseSignerKey(await generateSignerKey('haipai.example/log'));
    const checkpoint = await signCheckpoint({ origin: 'haipai.example/log', size: 1000, rootHash }, signer);
    for (const index of [0, 1, 511, 512, 998, 999]) {
      const text = formatTlogProof({ index, proof: await inclusionProof(read, index, 1000, inThreadHasher), checkpoint });
      const ok = await verifyTlogProof(text, signer.verifierKey, { entry: events[index]! }, { origin: 'haipai.example/log' });
      expect(ok.index).toBe(index);
      expect(await code(verifyTlogProof(text, signer.verifierKey, { entry: events[(index + 1) % 1000]! }))).toBe('not_included');
    }
  });
});
