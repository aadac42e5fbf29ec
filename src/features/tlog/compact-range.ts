/**
 * Incremental Merkle tree by compact range (the technique of transparency-dev/merkle `compact`
 * and Go's sumdb `tlog.StoredHashes`): a tree of size n is summarised by the hashes of its
 * maximal complete subtrees — one per set bit of n, at most 64 — which is all that is needed to
 * append leaves and to compute the RFC 6962 §2.1 root, MTH(D[0:n]).
 */
import {
  assertHash,
  assertTreeSize,
  bitAt,
  bitLength,
  emptyRoot,
  type MerkleHasher,
  type NodeHash,
  type NodeId,
  popCount,
  shiftRight,
  trailingZeros,
  webCryptoHasher,
} from './merkle.js';

/** Right-edge subtree hashes of the tree of `size` leaves, biggest (leftmost) subtree first. */
export interface CompactRange {
  readonly size: number;
  readonly roots: readonly Uint8Array[];
}

export const emptyCompactRange: CompactRange = Object.freeze({ size: 0, roots: Object.freeze([]) });

export interface AppendResult {
  /** The compact range after the append; store it (or rebuild it later with `compactRangeNodes`). */
  readonly range: CompactRange;
  /** MTH(D[0:range.size]): the root a checkpoint signs. */
  readonly rootHash: Uint8Array;
  /**
   * Every node completed by this append — the new leaves (level 0) and each interior node whose
   * subtree became full — in the order they were completed. Nodes at levels 0, 8, 16, … are the
   * hashes C2SP tlog-tiles serves (see tile-path.ts `tileNodes`); storing all levels instead
   * lets proofs read one hash per subtree.
   */
  readonly nodes: NodeHash[];
}

/**
 * The complete subtrees covering leaves [begin, end), left to right, each as large as alignment
 * allows. When `begin` is a multiple of a power of two ≥ end − begin — as for [0, n) and every
 * range RFC 6962 §2.1 recursion produces — their sizes strictly decrease and folding their
 * hashes from the right gives MTH(D[begin:end]).
 */
export function rangeNodes(begin: number, end: number): NodeId[] {
  assertTreeSize(begin, 'range begin');
  assertTreeSize(end, 'range end');
  if (begin > end) throw new RangeError(`range begin ${begin} > end ${end}`);
  const nodes: NodeId[] = [];
  let at = begin;
  while (at < end) {
    const level = Math.min(trailingZeros(at), bitLength(end - at) - 1);
    nodes.push({ level, index: shiftRight(at, level) });
    at += 2 ** level;
  }
  return nodes;
}

/** Which stored nodes make up the compact range of `size`: read them to rebuild a `CompactRange`. */
export function compactRangeNodes(size: number): NodeId[] {
  return rangeNodes(0, size);
}

/** Fold subtree hashes from the right: MTH of the range they cover (empty → SHA-256 of nothing). */
export async function foldRight(hashes: readonly Uint8Array[], hasher: MerkleHasher = webCryptoHasher): Promise<Uint8Array> {
  if (hashes.length === 0) return emptyRoot();
  let acc = hashes[hashes.length - 1]!;
  for (let i = hashes.length - 2; i >= 0; i--) acc = await hasher.hashChildren(hashes[i]!, acc);
  return acc;
}

/** RFC 6962 §2.1 root of the tree the compact range summarises. */
export function compactRangeRoot(range: CompactRange, hasher: MerkleHasher = webCryptoHasher): Promise<Uint8Array> {
  assertCompactRange(range);
  return foldRight(range.roots, hasher);
}

/**
 * Appends leaf hashes (RFC 6962 §2.1 `leafHash` of each entry) to the tree the range summarises.
 * Pure: the input range is not modified.
 */
export async function appendLeaves(
  range: CompactRange,
  leafHashes: readonly Uint8Array[],
  hasher: MerkleHasher = webCryptoHasher,
): Promise<AppendResult> {
  assertCompactRange(range);
  assertTreeSize(range.size + leafHashes.length, 'new tree size');
  const roots = [...range.roots];
  const nodes: NodeHash[] = [];
  let size = range.size;
  for (const leaf of leafHashes) {
    assertHash(leaf, 'leaf hash');
    let hash = leaf;
    let level = 0;
    nodes.push({ level, index: size, hash });
    // A set bit at `level` means the rightmost root is this node's left sibling: merge, carry up.
    while (bitAt(size, level)) {
      hash = await hasher.hashChildren(roots.pop()!, hash);
      level++;
      nodes.push({ level, index: shiftRight(size, level), hash });
    }
    roots.push(hash);
    size++;
  }
  const next: CompactRange = { size, roots };
  return { range: next, rootHash: await foldRight(roots, hasher), nodes };
}

function assertCompactRange(range: CompactRange): void {
  assertTreeSize(range.size);
  if (range.roots.length !== popCount(range.size)) {
    throw new RangeError(`a compact range of size ${range.size} has ${popCount(range.size)} roots, got ${range.roots.length}`);
  }
  for (const root of range.roots) assertHash(root, 'compact range root');
}
