/**
 * Verification of RFC 9162 inclusion (§2.1.3.2) and consistency (§2.1.4.2) proofs, with the
 * edge cases of transparency-dev/merkle `proof/verify.go` whose test vectors we check against.
 *
 * Both functions answer a yes/no question about untrusted input, so they return booleans and
 * never throw: a malformed size, hash or proof is simply "not proven".
 */
import { bytesEqual } from '../../crypto/bytes.js';
import { HASH_SIZE, type MerkleHasher, popCount, shiftRight, webCryptoHasher } from './merkle.js';

/** Whether `proof` shows the leaf with hash `leafHash` at `leafIndex` in the tree of `treeSize` with `root`. */
export async function verifyInclusion(
  leafIndex: number,
  treeSize: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
  hasher: MerkleHasher = webCryptoHasher,
): Promise<boolean> {
  if (!isIndex(leafIndex) || !isIndex(treeSize) || leafIndex >= treeSize) return false;
  if (!isHash(leafHash) || !isHash(root) || !proof.every(isHash)) return false;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = await hasher.hashChildren(p, r);
      // On the right border the path climbs levels that have no sibling.
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = shiftRight(fn, 1);
          sn = shiftRight(sn, 1);
        }
      }
    } else {
      r = await hasher.hashChildren(r, p);
    }
    fn = shiftRight(fn, 1);
    sn = shiftRight(sn, 1);
  }
  return sn === 0 && bytesEqual(r, root);
}

/**
 * Whether `proof` shows the tree of `size2` with `root2` extends the tree of `size1` with `root1`.
 * Equal sizes need an empty proof and equal roots. size1 = 0 is always refused, as the
 * transparency-dev vectors require: the empty tree is a prefix of everything, so a "proof" from
 * it proves nothing about the log.
 */
export async function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
  hasher: MerkleHasher = webCryptoHasher,
): Promise<boolean> {
  if (!isIndex(size1) || !isIndex(size2) || size1 === 0 || size1 > size2) return false;
  if (size1 === size2) return proof.length === 0 && bytesEqual(root1, root2);
  if (proof.length === 0 || !isHash(root1) || !isHash(root2) || !proof.every(isHash)) return false;

  // §2.1.4.2 step 2: a power-of-two size1 is itself a node on the path, known to the verifier.
  const path = popCount(size1) === 1 ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = shiftRight(fn, 1);
    sn = shiftRight(sn, 1);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = await hasher.hashChildren(c, fr);
      sr = await hasher.hashChildren(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = shiftRight(fn, 1);
          sn = shiftRight(sn, 1);
        }
      }
    } else {
      sr = await hasher.hashChildren(sr, c);
    }
    fn = shiftRight(fn, 1);
    sn = shiftRight(sn, 1);
  }
  return sn === 0 && bytesEqual(fr, root1) && bytesEqual(sr, root2);
}

function isIndex(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

function isHash(h: Uint8Array): boolean {
  return h instanceof Uint8Array && h.length === HASH_SIZE;
}
