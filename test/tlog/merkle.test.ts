import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/crypto/bytes.js';
import { sha256Sync } from '../../src/crypto/sha256-sync.js';
import { appendLeaves, compactRangeRoot, emptyCompactRange, rangeNodes } from '../../src/features/tlog/compact-range.js';
import {
  bitLength,
  emptyRoot,
  inThreadHasher,
  leafHash,
  nodeHash,
  popCount,
  shiftRight,
  splitPoint,
  trailingZeros,
  webCryptoHasher,
} from '../../src/features/tlog/merkle.js';

const nodeSha = (b: Uint8Array) => toHex(new Uint8Array(createHash('sha256').update(b).digest()));

describe('in-thread SHA-256', () => {
  it('matches FIPS 180-4 examples', () => {
    expect(toHex(sha256Sync(new TextEncoder().encode('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(toHex(sha256Sync(new TextEncoder().encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('matches node:crypto and Web Crypto for any input, however it is split', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.nat(), async (data, cut) => {
        const at = cut % (data.length + 1);
        const expected = nodeSha(data);
        expect(toHex(sha256Sync(data.subarray(0, at), data.subarray(at)))).toBe(expected);
        expect(toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', data)))).toBe(expected);
      }),
      { numRuns: 400 },
    );
  });
});

describe('RFC 6962 §2.1 hashing', () => {
  it('hashes leaves with 0x00 and nodes with 0x01, identically in both hashers', async () => {
    const a = fromHex('aa'.repeat(32));
    const b = fromHex('bb'.repeat(32));
    for (const hasher of [webCryptoHasher, inThreadHasher]) {
      expect(toHex(await leafHash(new Uint8Array(0), hasher))).toBe(
        '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      );
      expect(toHex(await leafHash(fromHex('00'), hasher))).toBe(nodeSha(fromHex('0000')));
      expect(toHex(await nodeHash(a, b, hasher))).toBe(nodeSha(fromHex(`01${'aa'.repeat(32)}${'bb'.repeat(32)}`)));
    }
    expect(toHex(emptyRoot())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('reproduces the roots of the reference tree in transparency-dev/merkle and certificate-transparency', async () => {
    const leaves = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
    const roots = [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
      'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
      '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
      'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
      '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
    ];
    let range = emptyCompactRange;
    expect(toHex(await compactRangeRoot(range))).toBe(toHex(emptyRoot()));
    for (const [i, leaf] of leaves.entries()) {
      const result = await appendLeaves(range, [await leafHash(fromHex(leaf))]);
      range = result.range;
      expect(toHex(result.rootHash)).toBe(roots[i]);
      expect(toHex(await compactRangeRoot(range))).toBe(roots[i]);
    }
    expect(range.roots).toHaveLength(1); // 8 leaves: one complete subtree
  });
});

describe('64-bit index arithmetic on safe integers', () => {
  const safe = fc.bigInt({ min: 0n, max: BigInt(Number.MAX_SAFE_INTEGER) });
  it('agrees with BigInt bit operations', () => {
    fc.assert(
      fc.property(safe, fc.integer({ min: 0, max: 60 }), (x, n) => {
        const v = Number(x);
        expect(bitLength(v)).toBe(x.toString(2).replace(/^0+/, '').length);
        expect(popCount(v)).toBe([...x.toString(2)].filter((c) => c === '1').length);
        expect(shiftRight(v, n)).toBe(Number(x >> BigInt(n)));
        if (x > 0n) expect(trailingZeros(v)).toBe(x.toString(2).length - x.toString(2).replace(/0+$/, '').length);
        if (x >= 2n) expect(splitPoint(v)).toBe(Number(1n << BigInt((x - 1n).toString(2).length - 1)));
      }),
      { numRuns: 2000 },
    );
    expect(trailingZeros(0)).toBe(64);
    expect(bitLength(2 ** 40)).toBe(41);
    expect(popCount(2 ** 52 + 2 ** 32 + 1)).toBe(3);
  });

  it('covers a range with aligned complete subtrees', () => {
    expect(rangeNodes(0, 13)).toEqual([
      { level: 3, index: 0 },
      { level: 2, index: 2 },
      { level: 0, index: 12 },
    ]);
    expect(rangeNodes(8, 13)).toEqual([
      { level: 2, index: 2 },
      { level: 0, index: 12 },
    ]);
    expect(rangeNodes(2 ** 40, 2 ** 40 + 2 ** 33 + 1)).toEqual([
      { level: 33, index: 2 ** 7 },
      { level: 0, index: 2 ** 40 + 2 ** 33 },
    ]);
    expect(rangeNodes(5, 5)).toEqual([]);
  });
});
