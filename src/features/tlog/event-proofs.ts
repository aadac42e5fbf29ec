/**
 * Offline proofs for events (C2SP tlog-proof), for certificates, histories and audit views.
 * A proof is against the latest signed checkpoint and carries the entry itself — the event's
 * canonical JSON — in its `extra` line (tlog-proof: "additional data necessary to reconstruct
 * the record hash"), so the file alone shows what was logged; verifiers hash it and never trust
 * it unproven.
 */
import { toBase64 } from '../../crypto/bytes.js';
import type { Queryable } from '../../db/database.js';
import { cosignedCheckpoint } from './cosignatures.repo.js';
import { type LeafRow, latestCheckpoint, leavesOfEvents, nodeReader, type StoredCheckpoint } from './log.repo.js';
import { inThreadHasher, type NodeId, type ReadHashes } from './merkle.js';
import { inclusionProof } from './proofs.js';
import { formatTlogProof } from './tlog-proof.js';

export interface EventProof {
  /** Leaf index of the event in the log. */
  logIndex: number;
  /** RFC 6962 leaf hash, SHA-256(0x00 ‖ entry), base64. */
  leafHash: string;
  /** C2SP tlog-proof text (serve as `<logIndex>.tlog-proof`) against the latest checkpoint. */
  tlogProof: string;
}

/** The event's log index and offline proof, or null while it waits for the integrator. */
export async function proofForEvent(db: Queryable, eventId: string): Promise<EventProof | null> {
  return (await proofsForEvents(db, [eventId])).get(eventId) ?? null;
}

/**
 * Proofs for a page of events, keyed by event id; events not yet in the log are absent. Four
 * queries whatever the page size: the checkpoint, its cosignatures, the leaves, and every proof's hashes at once.
 */
export async function proofsForEvents(db: Queryable, eventIds: readonly string[]): Promise<Map<string, EventProof>> {
  const out = new Map<string, EventProof>();
  if (eventIds.length === 0) return out;
  const [latest, leaves] = await Promise.all([latestCheckpoint(db), leavesOfEvents(db, eventIds)]);
  if (!latest) return out;
  // The proof carries the checkpoint with the witnesses' cosignatures, for verifiers with a quorum policy.
  const checkpoint = await cosignedCheckpoint(db, latest);
  const read = batchedNodeReader(db);
  // A leaf stored after this checkpoint was read is left out, as if it had not been integrated yet.
  const inTree = leaves.filter((leaf) => leaf.index < checkpoint.size);
  const texts = await Promise.all(inTree.map((leaf) => tlogProofText(read, leaf, checkpoint)));
  inTree.forEach((leaf, i) => {
    out.set(leaf.eventId, { logIndex: leaf.index, leafHash: toBase64(leaf.leafHash), tlogProof: texts[i]! });
  });
  return out;
}

/** The tlog-proof text for one leaf of the checkpointed tree. */
export async function tlogProofText(read: ReadHashes, leaf: LeafRow, checkpoint: StoredCheckpoint): Promise<string> {
  const proof = await inclusionProof(read, leaf.index, checkpoint.size, inThreadHasher);
  return formatTlogProof({
    index: leaf.index,
    proof,
    checkpoint: checkpoint.note,
    extra: new TextEncoder().encode(leaf.entry),
  });
}

/**
 * A node reader that merges every read issued in the same tick into one query, so proofs built
 * concurrently (Promise.all) cost one round trip between them.
 */
export function batchedNodeReader(db: Queryable): ReadHashes {
  const read = nodeReader(db);
  let pending: { nodes: readonly NodeId[]; resolve: (h: Uint8Array[]) => void; reject: (e: unknown) => void }[] = [];
  const flush = async () => {
    const batch = pending;
    pending = [];
    const unique = new Map<string, NodeId>();
    for (const p of batch) for (const n of p.nodes) unique.set(`${n.level}:${n.index}`, n);
    const nodes = [...unique.values()];
    try {
      const hashes = await read(nodes);
      const byKey = new Map(nodes.map((n, i) => [`${n.level}:${n.index}`, hashes[i]!]));
      for (const p of batch) p.resolve(p.nodes.map((n) => byKey.get(`${n.level}:${n.index}`)!));
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  };
  return (nodes) =>
    new Promise((resolve, reject) => {
      pending.push({ nodes, resolve, reject });
      if (pending.length === 1) queueMicrotask(flush);
    });
}
