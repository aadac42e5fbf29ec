/**
 * Roots and proofs of RFC 6962 §2.1 (= RFC 9162 §2.1.3.1 and §2.1.4.1) computed from stored
 * hashes of complete subtrees, the way Go's `tlog.ProveRecord` / `ProveTree` work.
 *
 * Every element of a proof is MTH(D[a:b]) for a range the RFC's recursion produces. Such a range
 * is a handful of complete subtrees (`rangeNodes`), and only the first step to the left can give
 * a range that is not itself one subtree, so a proof reads O(log n) stored hashes, in one batch.
 */
import { foldRight, rangeNodes } from './compact-range.js';
import {
  assertTreeSize,
  emptyRoot,
  HASH_SIZE,
  type MerkleHasher,
  type NodeId,
  type ReadHashes,
  splitPoint,
  webCryptoHasher,
} from './merkle.js';

/** MTH(D[0:size]) for any size, not only powers of two (RFC 6962 §2.1). */
export async function treeRoot(read: ReadHashes, size: number, hasher: MerkleHasher = webCryptoHasher): Promise<Uint8Array> {
  assertTreeSize(size);
  if (size === 0) return emptyRoot();
  const [root] = await resolve(read, [rangeNodes(0, size)], hasher);
  return root!;
}

/**
 * RFC 6962 §2.1.1 PATH(index, D[0:size]): the audit path, leaf's sibling first, root's child last.
 * Requires 0 ≤ index < size.
 */
export async function inclusionProof(
  read: ReadHashes,
  index: number,
  size: number,
  hasher: MerkleHasher = webCryptoHasher,
): Promise<Uint8Array[]> {
  assertTreeSize(index, 'leaf index');
  assertTreeSize(size);
  if (index >= size) throw new RangeError(`leaf index ${index} is outside a tree of size ${size}`);
  return resolve(read, inclusionTerms(index, size), hasher);
}

/**
 * RFC 6962 §2.1.2 PROOF(size1, D[0:size2]). Empty when the sizes are equal. A proof from the
 * empty tree is refused: no verifier following transparency-dev/merkle accepts one (the
 * shared test vectors reject every size1 = 0).
 */
export async function consistencyProof(
  read: ReadHashes,
  size1: number,
  size2: number,
  hasher: MerkleHasher = webCryptoHasher,
): Promise<Uint8Array[]> {
  assertTreeSize(size1, 'size1');
  assertTreeSize(size2, 'size2');
  if (size1 > size2) throw new RangeError(`size1 ${size1} > size2 ${size2}`);
  if (size1 === 0) throw new RangeError('a consistency proof from the empty tree is meaningless');
  if (size1 === size2) return [];
  return resolve(read, consistencyTerms(size1, size2), hasher);
}

/** The ranges of PATH(m, D[0:n]), as subtree lists, in proof order. */
function inclusionTerms(index: number, size: number): NodeId[][] {
  const topDown: NodeId[][] = [];
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (index < lo + k) {
      topDown.push(rangeNodes(lo + k, hi));
      hi = lo + k;
    } else {
      topDown.push(rangeNodes(lo, lo + k));
      lo += k;
    }
  }
  return topDown.reverse();
}

/** The ranges of SUBPROOF(m, D[0:n], true), as subtree lists, in proof order. */
function consistencyTerms(size1: number, size2: number): NodeId[][] {
  const topDown: NodeId[][] = [];
  let lo = 0;
  let hi = size2;
  let m = size1;
  let whole = true; // RFC 6962's flag b: is D[lo:hi] still a prefix the verifier knows the root of?
  for (;;) {
    if (m === hi - lo) {
      if (!whole) topDown.push(rangeNodes(lo, hi));
      break;
    }
    const k = splitPoint(hi - lo);
    if (m <= k) {
      topDown.push(rangeNodes(lo + k, hi));
      hi = lo + k;
    } else {
      topDown.push(rangeNodes(lo, lo + k));
      lo += k;
      m -= k;
      whole = false;
    }
  }
  return topDown.reverse();
}

/** Reads every subtree the terms mention in one batch, then folds each term into its MTH. */
async function resolve(read: ReadHashes, terms: readonly NodeId[][], hasher: MerkleHasher): Promise<Uint8Array[]> {
  const wanted = new Map<string, NodeId>();
  for (const term of terms) for (const node of term) wanted.set(key(node), node);
  const nodes = [...wanted.values()];
  const hashes = await read(nodes);
  if (hashes.length !== nodes.length) throw new Error(`hash reader returned ${hashes.length} hashes for ${nodes.length} nodes`);
  const byKey = new Map<string, Uint8Array>();
  nodes.forEach((node, i) => {
    const hash = hashes[i]!;
    if (!(hash instanceof Uint8Array) || hash.length !== HASH_SIZE) {
      throw new Error(`hash reader returned a malformed hash for node (${node.level}, ${node.index})`);
    }
    byKey.set(key(node), hash);
  });
  const out: Uint8Array[] = [];
  for (const term of terms)
    out.push(
      await foldRight(
        term.map((n) => byKey.get(key(n))!),
        hasher,
      ),
    );
  return out;
}

function key(node: NodeId): string {
  return `${node.level}:${node.index}`;
}
