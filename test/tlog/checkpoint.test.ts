import { describe, expect, it } from 'vitest';
import { fromBase64, fromHex, toHex } from '../../src/crypto/bytes.js';
import { formatCheckpoint, openCheckpoint, parseCheckpoint, signCheckpoint } from '../../src/features/tlog/checkpoint.js';
import { generateSignerKey, parseSignerKey } from '../../src/features/tlog/note.js';
import { TlogError, type TlogErrorCode } from '../../src/features/tlog/tlog-error.js';

// A checkpoint published by Go's checksum database, and its verifier key from cmd/go
// (src/cmd/go/internal/modfetch/key.go). The key's base64 contains '+'.
const SUMDB_VKEY = 'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8';
const SUMDB_CHECKPOINT =
  'go.sum database tree\n15368405\n/g9am3I6YWNKaZX/jkne1fqd9zEyjss+JXyPXG0WfkY=\n\n' +
  '— sum.golang.org Az3grqJGUaSGukG9p8nI2vKgiFn7qGHxn0W+mrwyI6Gz3F0t1J3LzmWk/p96Ybf295EjwdSwlzgijq5WA9d1Ded7owM=\n';

const ROOT = fromHex('5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328');

function codeOf(fn: () => unknown): TlogErrorCode | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof TlogError) return e.code;
    throw e;
  }
  return undefined;
}

describe('C2SP tlog-checkpoint', () => {
  it('formats origin, decimal size and base64 root, one per line', () => {
    expect(formatCheckpoint({ origin: 'haipai.example/log', size: 8, rootHash: ROOT })).toBe(
      'haipai.example/log\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n',
    );
    expect(formatCheckpoint({ origin: 'o', size: 0, rootHash: ROOT, extensions: ['ext one'] })).toBe(
      'o\n0\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\next one\n',
    );
  });

  it('parses the spec example and what it formats', () => {
    const spec = parseCheckpoint('example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n');
    expect(spec.origin).toBe('example.com/behind-the-sofa');
    expect(spec.size).toBe(20852163);
    expect(spec.rootHash).toEqual(fromBase64('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I='));
    expect(spec.extensions).toEqual([]);
    const round = parseCheckpoint(formatCheckpoint({ origin: 'a b', size: 2 ** 53 - 1, rootHash: ROOT, extensions: ['x', 'y'] }));
    expect(round).toEqual({ origin: 'a b', size: 2 ** 53 - 1, rootHash: ROOT, extensions: ['x', 'y'] });
  });

  it('refuses malformed checkpoint text', () => {
    const root = 'XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=';
    for (const bad of [
      `o\n8\n${root}`, // no final newline
      `o\n8\n`,
      `\n8\n${root}\n`, // empty origin
      `o\n08\n${root}\n`, // leading zero
      `o\n-1\n${root}\n`,
      `o\n9007199254740992\n${root}\n`, // past 2^53
      `o\n8\n${root.slice(0, -1)}\n`,
      `o\n8\nAAAA\n`, // not 32 bytes
      `o\n8\n${root}\n\n`, // empty extension line
    ]) {
      expect(
        codeOf(() => parseCheckpoint(bad)),
        JSON.stringify(bad),
      ).toBe('malformed_checkpoint');
    }
    expect(codeOf(() => formatCheckpoint({ origin: '', size: 1, rootHash: ROOT }))).toBe('malformed_checkpoint');
    expect(codeOf(() => formatCheckpoint({ origin: 'a\nb', size: 1, rootHash: ROOT }))).toBe('malformed_checkpoint');
    expect(codeOf(() => formatCheckpoint({ origin: 'o', size: 1, rootHash: ROOT, extensions: [''] }))).toBe(
      'malformed_checkpoint',
    );
    expect(() => formatCheckpoint({ origin: 'o', size: 1.5, rootHash: ROOT })).toThrow(RangeError);
    expect(() => formatCheckpoint({ origin: 'o', size: 1, rootHash: ROOT.subarray(1) })).toThrow(TypeError);
  });

  it("verifies a real checkpoint of Go's checksum database", async () => {
    const cp = await openCheckpoint(SUMDB_CHECKPOINT, SUMDB_VKEY, { origin: 'go.sum database tree' });
    expect(cp.size).toBe(15368405);
    expect(toHex(cp.rootHash)).toBe(toHex(fromBase64('/g9am3I6YWNKaZX/jkne1fqd9zEyjss+JXyPXG0WfkY=')));
    await expect(openCheckpoint(SUMDB_CHECKPOINT.replace('15368405', '15368406'), SUMDB_VKEY)).rejects.toMatchObject({
      code: 'invalid_signature',
    });
  });

  it('signs and opens, checking the origin when asked', async () => {
    const signer = await parseSignerKey(await generateSignerKey('haipai.example/log'));
    const note = await signCheckpoint({ origin: 'haipai.example/log', size: 8, rootHash: ROOT }, signer);
    expect(note.startsWith('haipai.example/log\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n— haipai.example/log ')).toBe(
      true,
    );
    const cp = await openCheckpoint(note, signer.verifierKey, { origin: 'haipai.example/log' });
    expect(cp.size).toBe(8);
    await expect(openCheckpoint(note, signer.verifierKey, { origin: 'other.example/log' })).rejects.toMatchObject({
      code: 'origin_mismatch',
    });
    await expect(openCheckpoint(note, SUMDB_VKEY)).rejects.toMatchObject({ code: 'unverified_note' });
  });
});
