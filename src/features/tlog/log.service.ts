/**
 * Reads of the transparency log for the JSON API: RFC 9162 §2.1.3 inclusion and §2.1.4
 * consistency proofs, entries, C2SP tlog-proofs and the list of signed checkpoints. Proofs are
 * only given for trees the log has signed, so a client can always check them against a checkpoint.
 */
import { toBase64 } from '../../crypto/bytes.js';
import type { Queryable } from '../../db/database.js';
import { decodeCursor, toPage } from '../../http/pagination.js';
import { AppError } from '../../http/problem.js';
import { cosignedCheckpoint } from './cosignatures.repo.js';
import { batchedNodeReader, tlogProofText } from './event-proofs.js';
import { checkpointsAfter, latestCheckpoint, leafAt, type StoredCheckpoint } from './log.repo.js';
import { inThreadHasher } from './merkle.js';
import { consistencyProof, inclusionProof } from './proofs.js';

const notSigned = (size: number, signed: number) =>
  new AppError(
    422,
    'tree_size_not_signed',
    `No signed checkpoint covers a tree of ${size} leaves; the latest checkpoint has ${signed}.`,
    { signedSize: signed },
  );

const entryNotFound = (index: number, signed: number) =>
  new AppError(404, 'log_entry_not_found', `The log has no entry ${index}; its latest checkpoint has ${signed} entries.`, {
    signedSize: signed,
  });

/** The latest signed tree size, and that `size` (when given) does not exceed it. */
async function signedTree(db: Queryable, size?: number): Promise<{ latest: StoredCheckpoint | undefined; size: number }> {
  const latest = await latestCheckpoint(db);
  const signed = latest?.size ?? 0;
  if (size !== undefined && size > signed) throw notSigned(size, signed);
  return { latest, size: size ?? signed };
}

/** PATH(index, D[0:size]) and the leaf's hash; `size` defaults to the latest checkpoint's. */
export async function inclusionProofAt(db: Queryable, index: number, requestedSize?: number) {
  if (requestedSize !== undefined && index >= requestedSize) {
    throw new AppError(422, 'index_not_in_tree', `Leaf ${index} is not in a tree of ${requestedSize} leaves.`);
  }
  const read = batchedNodeReader(db);
  // Both reads are issued in the same tick, so the leaf hash and the path are one query.
  const prove = (size: number) => Promise.all([read([{ level: 0, index }]), inclusionProof(read, index, size, inThreadHasher)]);
  // With the size known, the checkpoint check and the proof's hashes go to the database together;
  // the check is awaited first, so a size beyond the log is a 422, not a missing-node error.
  const early = requestedSize === undefined ? undefined : prove(requestedSize);
  early?.catch(() => {});
  const { size } = await signedTree(db, requestedSize);
  if (index >= size) throw entryNotFound(index, size);
  const [[leafHash], proof] = await (early ?? prove(size));
  return { index, size, leafHash: toBase64(leafHash!), proof: proof.map(toBase64) };
}

/** PROOF(from, D[0:to]); `to` defaults to the latest checkpoint's size. */
export async function consistencyProofBetween(db: Queryable, from: number, requestedTo?: number) {
  const { size: to } = await signedTree(db, requestedTo);
  if (from < 1 || from > to) {
    throw new AppError(
      422,
      'invalid_tree_sizes',
      `A consistency proof needs 1 ≤ from ≤ to; got from ${from}, to ${to}. (Every tree extends the empty one.)`,
    );
  }
  const proof = await consistencyProof(batchedNodeReader(db), from, to, inThreadHasher);
  return { from, to, proof: proof.map(toBase64) };
}

/**
 * The latest signed tree, then leaf `index`, one after the other. A leaf is written in the
 * transaction that signs the first checkpoint covering it, so a leaf inside the tree read first is
 * visible to the read after. Read at once (two connections, two snapshots), the leaf could be
 * read before that commit and the tree after it: a 404 for an entry the tree says exists.
 */
async function treeThenLeaf(db: Queryable, index: number) {
  const tree = await signedTree(db);
  return { ...tree, leaf: await leafAt(db, index) };
}

/** Leaf `index`: the event it is, its entry bytes (canonical JSON) and leaf hash. */
export async function logEntry(db: Queryable, index: number) {
  const { size, leaf } = await treeThenLeaf(db, index);
  if (!leaf || index >= size) throw entryNotFound(index, size);
  return { index, eventId: leaf.eventId, entry: leaf.entry, leafHash: toBase64(leaf.leafHash) };
}

/** A C2SP tlog-proof for leaf `index` against the latest checkpoint and its cosignatures, the entry in its `extra` line. */
export async function tlogProofAt(db: Queryable, index: number): Promise<string> {
  const { latest, size, leaf } = await treeThenLeaf(db, index);
  if (!leaf || !latest || index >= size) throw entryNotFound(index, size);
  return tlogProofText(batchedNodeReader(db), leaf, await cosignedCheckpoint(db, latest));
}

/** Every signed checkpoint, oldest first, behind an opaque cursor. */
export async function pageOfCheckpoints(db: Queryable, page: { after?: string; limit: number }) {
  const after = decodeCursor(page.after, /^\d{1,16}$/);
  const rows = await checkpointsAfter(db, after === undefined ? undefined : Number(after), page.limit);
  return toPage(
    rows,
    page.limit,
    (r) => String(r.size),
    (r) => ({ size: r.size, rootHash: toBase64(r.rootHash), note: r.note, createdAt: r.createdAt.toISOString() }),
  );
}
