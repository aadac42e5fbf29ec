/**
 * Merkle tree hashing of RFC 6962 §2.1 / RFC 9162 §2.1.1, and the index arithmetic the other
 * tlog modules share.
 *
 * Sizes and indices are JavaScript numbers restricted to safe integers (< 2^53): a log that
 * outgrows that has bigger problems. The bit helpers below avoid the 32-bit `>>`, `&` and `^`
 * operators so that trees past 2^32 entries stay correct.
 */
import { sha256 } from '../../crypto/bytes.js';
import { sha256Sync } from '../../crypto/sha256-sync.js';

export const HASH_SIZE = 32;

const LEAF_PREFIX = new Uint8Array([0x00]);
const NODE_PREFIX = new Uint8Array([0x01]);

/** How leaf and interior hashes are computed. Both implementations give identical bytes. */
export interface MerkleHasher {
  /** RFC 6962 §2.1: MTH({d}) = SHA-256(0x00 ‖ d). */
  hashLeaf(entry: Uint8Array): Promise<Uint8Array>;
  /** RFC 6962 §2.1: interior node = SHA-256(0x01 ‖ left ‖ right). */
  hashChildren(left: Uint8Array, right: Uint8Array): Promise<Uint8Array>;
}

/** The portable hasher: Web Crypto, as on every runtime. */
export const webCryptoHasher: MerkleHasher = {
  hashLeaf: (entry) => sha256(concat(LEAF_PREFIX, entry)),
  hashChildren: (left, right) => sha256(concat(NODE_PREFIX, left, right)),
};

/**
 * Same hashes computed in-thread (see sha256-sync.ts): about 20× faster per node on Node 20,
 * where every `crypto.subtle.digest` call is a thread-pool round trip. Use it for bulk work
 * such as integrating a batch or answering many proofs.
 */
export const inThreadHasher: MerkleHasher = {
  hashLeaf: async (entry) => sha256Sync(LEAF_PREFIX, entry),
  hashChildren: async (left, right) => sha256Sync(NODE_PREFIX, left, right),
};

/** RFC 6962 §2.1 leaf hash of one log entry. */
export function leafHash(entry: Uint8Array, hasher: MerkleHasher = webCryptoHasher): Promise<Uint8Array> {
  return hasher.hashLeaf(entry);
}

/** RFC 6962 §2.1 interior node hash. */
export function nodeHash(left: Uint8Array, right: Uint8Array, hasher: MerkleHasher = webCryptoHasher): Promise<Uint8Array> {
  return hasher.hashChildren(left, right);
}

/** RFC 6962 §2.1: MTH({}) = SHA-256() — the root of the empty tree. Returns a fresh copy. */
export function emptyRoot(): Uint8Array {
  return sha256Sync();
}

/** A node of the full binary tree: `level` 0 holds leaves; node (l, i) covers leaves [i·2^l, (i+1)·2^l). */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/** A node together with its hash. */
export interface NodeHash extends NodeId {
  readonly hash: Uint8Array;
}

/**
 * Reads stored hashes of complete subtrees, answering in the order asked. Batched so that a
 * database adapter can fetch a whole proof in one query. A missing node is a storage bug: throw.
 */
export type ReadHashes = (nodes: readonly NodeId[]) => Promise<Uint8Array[]>;

export function assertTreeSize(size: number, what = 'tree size'): void {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`${what} must be a safe non-negative integer, got ${size}`);
}

export function assertHash(hash: Uint8Array, what = 'hash'): void {
  if (!(hash instanceof Uint8Array) || hash.length !== HASH_SIZE) throw new TypeError(`${what} must be ${HASH_SIZE} bytes`);
}

const TWO_32 = 0x1_0000_0000;

/** floor(x / 2^n) for a safe non-negative integer x: the 64-bit `x >> n`. */
export function shiftRight(x: number, n: number): number {
  return Math.floor(x / 2 ** n);
}

/** Whether bit `n` of x is set. */
export function bitAt(x: number, n: number): boolean {
  return shiftRight(x, n) % 2 === 1;
}

/** Number of bits needed to write x (Go's bits.Len64). */
export function bitLength(x: number): number {
  const high = Math.floor(x / TWO_32);
  return high > 0 ? 64 - Math.clz32(high) : 32 - Math.clz32(x >>> 0);
}

/** Number of set bits (Go's bits.OnesCount64). */
export function popCount(x: number): number {
  return popCount32(Math.floor(x / TWO_32)) + popCount32(x % TWO_32);
}

/** Number of trailing zero bits; 0 has none set, so the answer is 64 as in Go's bits.TrailingZeros64. */
export function trailingZeros(x: number): number {
  if (x === 0) return 64;
  const low = x % TWO_32;
  return low !== 0 ? ctz32(low) : 32 + ctz32(Math.floor(x / TWO_32));
}

/** Largest power of two strictly below n, for n ≥ 2: RFC 6962 §2.1's split point k. */
export function splitPoint(n: number): number {
  return 2 ** (bitLength(n - 1) - 1);
}

function popCount32(x: number): number {
  let v = x >>> 0;
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

function ctz32(x: number): number {
  const v = x >>> 0;
  return 31 - Math.clz32(v & -v);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
