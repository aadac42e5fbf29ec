/**
 * The incremental tree (compact range + stored subtree hashes) against a naive, recursive
 * transcription of RFC 6962 §2.1 that hashes with node:crypto — an independent SHA-256.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/crypto/bytes.js';
import { appendLeaves, type CompactRange, compactRangeNodes, emptyCompactRange } from '../../src/features/tlog/compact-range.js';
import { bitLength, inThreadHasher, type NodeId, webCryptoHasher } from '../../src/features/tlog/merkle.js';
import { consistencyProof, inclusionProof, treeRoot } from '../../src/features/tlog/proofs.js';
import { verifyConsistency, verifyInclusion } from '../../src/features/tlog/verify.js';

const sha = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const naiveLeaf = (entry: Uint8Array) => sha(Uint8Array.of(0), entry);
const naiveNode = (l: Uint8Array, r: Uint8Array) => sha(Uint8Array.of(1), l, r);

/** RFC 6962 §2.1, written as the RFC reads. `mth(lo, hi)` depends only on the leaves in [lo, hi). */
class NaiveTree {
  private readonly memo = new Map<string, Uint8Array>();
  constructor(
    private readonly leafHashOf: (i: number) => Uint8Array,
    private readonly memoKey = (lo: number, hi: number) => `${lo}:${hi}`,
  ) {}

  mth(lo: number, hi: number): Uint8Array {
    const n = hi - lo;
    if (n === 0) return sha();
    if (n === 1) return this.leafHashOf(lo);
    const key = this.memoKey(lo, hi);
    const hit = this.memo.get(key);
    if (hit) return hit;
    let k = 1;
    while (k * 2 < n) k *= 2;
    const hash = naiveNode(this.mth(lo, lo + k), this.mth(lo + k, hi));
    this.memo.set(key, hash);
    return hash;
  }

  /** §2.1.1 PATH(m, D[lo:hi]) */
  path(m: number, lo: number, hi: number): Uint8Array[] {
    const n = hi - lo;
    if (n === 1) return [];
    let k = 1;
    while (k * 2 < n) k *= 2;
    if (m - lo < k) return [...this.path(m, lo, lo + k), this.mth(lo + k, hi)];
    return [...this.path(m, lo + k, hi), this.mth(lo, lo + k)];
  }

  /** §2.1.2 SUBPROOF(m, D[lo:hi], b) */
  subproof(m: number, lo: number, hi: number, b: boolean): Uint8Array[] {
    const n = hi - lo;
    if (m === n) return b ? [] : [this.mth(lo, hi)];
    let k = 1;
    while (k * 2 < n) k *= 2;
    if (m <= k) return [...this.subproof(m, lo, lo + k, b), this.mth(lo + k, hi)];
    return [...this.subproof(m - k, lo + k, hi, false), this.mth(lo, lo + k)];
  }
}

const hex = (hs: readonly Uint8Array[]) => hs.map(toHex);
const entry = (i: number) => new TextEncoder().encode(`event ${i}`);

/** Grows a tree batch by batch, keeping every node hash appendLeaves reports, as a database would. */
async function grow(batches: readonly number[], hasher = inThreadHasher) {
  const stored = new Map<string, Uint8Array>();
  const reads: NodeId[][] = [];
  const read = async (nodes: readonly NodeId[]) => {
    reads.push([...nodes]);
    return nodes.map((n) => {
      const h = stored.get(`${n.level}:${n.index}`);
      if (!h) throw new Error(`node (${n.level}, ${n.index}) was never stored`);
      return h;
    });
  };
  let range: CompactRange = emptyCompactRange;
  const checkpoints: { size: number; root: Uint8Array; range: CompactRange }[] = [];
  for (const count of batches) {
    const leaves = await Promise.all(Array.from({ length: count }, (_, i) => hasher.hashLeaf(entry(range.size + i))));
    const result = await appendLeaves(range, leaves, hasher);
    for (const n of result.nodes) {
      const key = `${n.level}:${n.index}`;
      if (stored.has(key)) throw new Error(`node ${key} reported twice`);
      stored.set(key, n.hash);
    }
    range = result.range;
    checkpoints.push({ size: range.size, root: result.rootHash, range });
  }
  return { range, checkpoints, read, reads, stored };
}

const naive = new NaiveTree((i) => naiveLeaf(entry(i)));

describe('compact range and stored-hash proofs match RFC 6962 §2.1', () => {
  it('roots after every batch, and the compact range can be rebuilt from stored nodes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 10 }), async (batches) => {
        const { checkpoints, read } = await grow(batches);
        for (const { size, root, range } of checkpoints) {
          expect(toHex(root)).toBe(toHex(naive.mth(0, size)));
          expect(toHex(await treeRoot(read, size, inThreadHasher))).toBe(toHex(root));
          expect(hex(await read(compactRangeNodes(size)))).toEqual(hex(range.roots));
        }
      }),
      { numRuns: 40 },
    );
  });

  it('inclusion and consistency proofs for random sizes up to ~3000 equal the naive ones and verify', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 600 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 12 }),
        async (batches, queries) => {
          const { range, read, reads } = await grow(batches);
          const total = range.size;
          for (const [a, b] of queries) {
            // Any size up to the stored one works: stored nodes are complete subtrees of every later tree.
            const size = 1 + (a % total);
            const index = b % size;
            const root = naive.mth(0, size);
            reads.length = 0;
            const path = await inclusionProof(read, index, size, inThreadHasher);
            expect(hex(path)).toEqual(hex(naive.path(index, 0, size)));
            expect(reads.length).toBe(1); // one batch
            expect(reads[0]!.length).toBeLessThanOrEqual(2 * bitLength(size));
            expect(await verifyInclusion(index, size, naiveLeaf(entry(index)), path, root)).toBe(true);
            expect(await verifyInclusion(index, size, naiveLeaf(entry(index + 1)), path, root)).toBe(false);

            const size1 = 1 + (b % size);
            reads.length = 0;
            const proof = await consistencyProof(read, size1, size, inThreadHasher);
            expect(hex(proof)).toEqual(size1 === size ? [] : hex(naive.subproof(size1, 0, size, true)));
            expect(reads.length).toBeLessThanOrEqual(1);
            expect(reads[0]?.length ?? 0).toBeLessThanOrEqual(2 * bitLength(size));
            const root1 = naive.mth(0, size1);
            expect(await verifyConsistency(size1, size, proof, root1, root, inThreadHasher)).toBe(true);
            if (proof.length > 0) {
              const tampered = proof.map((h, i) =>
                i === proof.length - 1 ? Uint8Array.from(h, (x, j) => (j === 0 ? x ^ 1 : x)) : h,
              );
              expect(await verifyConsistency(size1, size, tampered, root1, root)).toBe(false);
            }
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it('gives the same bytes with the Web Crypto hasher', async () => {
    const a = await grow([5, 17, 100, 1], webCryptoHasher);
    const b = await grow([5, 17, 100, 1], inThreadHasher);
    expect(hex(a.checkpoints.map((c) => c.root))).toEqual(hex(b.checkpoints.map((c) => c.root)));
    expect(hex(await inclusionProof(a.read, 77, 123))).toEqual(hex(await inclusionProof(b.read, 77, 123, inThreadHasher)));
    expect(hex(await consistencyProof(a.read, 22, 123))).toEqual(hex(naive.subproof(22, 0, 123, true)));
  });

  it('refuses impossible requests', async () => {
    const { read } = await grow([10]);
    await expect(inclusionProof(read, 10, 10)).rejects.toThrow(RangeError);
    await expect(consistencyProof(read, 0, 10)).rejects.toThrow(RangeError);
    await expect(consistencyProof(read, 11, 10)).rejects.toThrow(RangeError);
    expect(await consistencyProof(read, 10, 10)).toEqual([]);
    expect(toHex(await treeRoot(read, 0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    await expect(appendLeaves({ size: 3, roots: [] }, [])).rejects.toThrow(RangeError);
    await expect(appendLeaves(emptyCompactRange, [new Uint8Array(31)])).rejects.toThrow(TypeError);
  });
});

describe('trees past 2^32 leaves', () => {
  // With every leaf equal, a subtree's hash depends only on its height, so a tree of 2^50 leaves
  // can be "stored" without being built, and the naive MTH memoises on range length alone.
  const leaf = naiveLeaf(new Uint8Array([42]));
  const byHeight = [leaf];
  for (let l = 1; l <= 53; l++) byHeight.push(naiveNode(byHeight[l - 1]!, byHeight[l - 1]!));
  const read = async (nodes: readonly NodeId[]) => nodes.map((n) => byHeight[n.level]!);
  const uniform = new NaiveTree(
    () => leaf,
    (lo, hi) => String(hi - lo),
  );

  it('proofs match the naive ones and verify', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2 ** 32, max: 2 ** 52 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (size, f) => {
          const index = Math.min(size - 1, Math.floor(f * size));
          const root = uniform.mth(0, size);
          expect(toHex(await treeRoot(read, size, inThreadHasher))).toBe(toHex(root));
          const path = await inclusionProof(read, index, size, inThreadHasher);
          expect(hex(path)).toEqual(hex(uniform.path(index, 0, size)));
          expect(await verifyInclusion(index, size, leaf, path, root, inThreadHasher)).toBe(true);
          const size1 = Math.max(1, index);
          const proof = await consistencyProof(read, size1, size, inThreadHasher);
          expect(hex(proof)).toEqual(hex(uniform.subproof(size1, 0, size, true)));
          expect(await verifyConsistency(size1, size, proof, uniform.mth(0, size1), root, inThreadHasher)).toBe(true);
          const wrongRoot1 = Uint8Array.from(uniform.mth(0, size1), (x, j) => (j === 31 ? x ^ 0x80 : x));
          expect(await verifyConsistency(size1, size, proof, wrongRoot1, root, inThreadHasher)).toBe(false);
        },
      ),
      { numRuns: 50 },
    );
  });
});
