/**
 * The log integrator (docs/architecture.md, "Events and the transparency log"): gives committed events consecutive log indices in
 * batches, extends the RFC 6962 tree by compact range, stores every completed subtree hash, and
 * signs a C2SP checkpoint — all in one transaction per batch, under an advisory lock, so it is
 * idempotent and safe to start from any number of places at once.
 *
 * Before signing it re-derives the last signed root from storage and checks that the new tree
 * is consistent with it (RFC 9162 §2.1.4); on any disagreement it signs nothing and says so.
 */
import { bytesEqual, toBase64 } from '../../crypto/bytes.js';
import { sha256Sync } from '../../crypto/sha256-sync.js';
import type { Db, Trx } from '../../db/database.js';
import type { Logger } from '../../ports/logger.js';
import { signCheckpoint } from './checkpoint.js';
import { appendLeaves, compactRangeNodes, foldRight } from './compact-range.js';
import {
  insertCheckpoint,
  insertLeavesAndNodes,
  latestCheckpoint,
  leafCount,
  lockLog,
  nodeReader,
  queueIsEmpty,
  takeQueued,
} from './log.repo.js';
import { inThreadHasher } from './merkle.js';
import { type NoteSigner, openNote } from './note.js';
import { consistencyProof, treeRoot } from './proofs.js';
import { verifyConsistency } from './verify.js';

export interface IntegrateDeps {
  db: Db;
  tlogSigner?: NoteSigner;
  clock: { now(): Date };
  log: Logger;
}

export interface IntegrateOptions {
  /** Leaves per transaction (and per checkpoint). */
  batchSize?: number;
  /** Bound on the work of one call; what is left waits for the next call. */
  maxBatches?: number;
}

export interface IntegrateResult {
  /** Events given an index by this call. */
  integrated: number;
  /** Tree size of the latest signed checkpoint after this call. */
  size: number;
  /** Checkpoints signed by this call. */
  checkpoints: number;
}

export const DEFAULT_BATCH_SIZE = 4096;
const DEFAULT_MAX_BATCHES = 64;
const LEAF_PREFIX = new Uint8Array([0x00]);

/** Storage disagrees with what was signed: the log must stop signing until an operator looks. */
export class LogIntegrityError extends Error {
  override name = 'LogIntegrityError';
}

/**
 * Integrates queued events until the queue is empty (or maxBatches batches are done). Signs the
 * empty tree when the log has no checkpoint yet, so /log/checkpoint exists from the start.
 */
export async function integrateLog(deps: IntegrateDeps, options: IntegrateOptions = {}): Promise<IntegrateResult> {
  const signer = deps.tlogSigner;
  if (!signer) throw new Error('the transparency log has no signing key (TLOG_SIGNING_KEY)');
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const maxBatches = options.maxBatches ?? DEFAULT_MAX_BATCHES;
  const result: IntegrateResult = { integrated: 0, size: 0, checkpoints: 0 };
  for (let batch = 0; batch < maxBatches; batch++) {
    // Most calls (every write, every tick) find nothing to do: answer that without the lock.
    if (await queueIsEmpty(deps.db)) {
      const latest = await latestCheckpoint(deps.db);
      if (latest) return { ...result, size: latest.size };
    }
    let step: { integrated: number; size: number; signed: boolean };
    try {
      step = await deps.db.transaction().execute((trx) => integrateBatch(trx, signer, deps.clock.now(), batchSize));
    } catch (err) {
      if (err instanceof LogIntegrityError) {
        deps.log.error('transparency log: refusing to sign', { error: err.message });
      }
      throw err;
    }
    result.integrated += step.integrated;
    result.size = step.size;
    if (step.signed) result.checkpoints++;
    if (step.integrated < batchSize) break;
  }
  return result;
}

/**
 * The last note each signer's key verified (or signed): a batch re-checks the latest checkpoint's
 * signature only when the note differs, since the same bytes verify the same way under the same
 * key. Under load a batch runs every few purchases, and the Ed25519 check cost 2 % of the server.
 */
const verifiedNotes = new WeakMap<NoteSigner, string>();

async function checkSignedByConfiguredKey(note: string, signer: NoteSigner) {
  if (verifiedNotes.get(signer) === note) return;
  try {
    await openNote(note, signer.verifierKey); // a different key would give verifiers two logs under one name
  } catch {
    throw new LogIntegrityError(`the last checkpoint was not signed by the configured key ${signer.verifierKey}`);
  }
  verifiedNotes.set(signer, note);
}

async function integrateBatch(trx: Trx, signer: NoteSigner, now: Date, batchSize: number) {
  await lockLog(trx);
  const latest = await latestCheckpoint(trx);
  const size = latest?.size ?? 0;
  const read = nodeReader(trx);

  // Everything signed so far must still be what storage holds (checked again under the lock).
  const stored = await leafCount(trx);
  if (stored !== size) throw new LogIntegrityError(`the log holds ${stored} leaves but its last checkpoint has ${size}`);
  const roots = await read(compactRangeNodes(size));
  const range = { size, roots };
  if (latest) {
    const root = await foldRight(roots, inThreadHasher);
    if (!bytesEqual(root, latest.rootHash)) {
      throw new LogIntegrityError(`stored hashes give root ${toBase64(root)} at size ${size}, not the signed one`);
    }
    await checkSignedByConfiguredKey(latest.note, signer);
  }

  const queued = await takeQueued(trx, batchSize);
  if (queued.length === 0) {
    if (latest) return { integrated: 0, size, signed: false };
    await sign(trx, signer, { size: 0, rootHash: await foldRight([], inThreadHasher), now });
    return { integrated: 0, size: 0, signed: true };
  }

  const encoder = new TextEncoder();
  const leafHashes = queued.map((q) => sha256Sync(LEAF_PREFIX, encoder.encode(q.entry)));
  const appended = await appendLeaves(range, leafHashes, inThreadHasher);
  await insertLeavesAndNodes(
    trx,
    size,
    queued.map((q) => q.seq),
    appended.nodes,
  );

  // Read back what was just stored: the root and, from the last signed size, a consistency
  // proof that must verify against both signed roots. A storage or arithmetic slip stops here.
  const newSize = appended.range.size;
  const storedRoot = await treeRoot(read, newSize, inThreadHasher);
  if (!bytesEqual(storedRoot, appended.rootHash)) {
    throw new LogIntegrityError(`stored hashes give a different root at size ${newSize} than the one computed`);
  }
  if (latest && size > 0) {
    const proof = await consistencyProof(read, size, newSize, inThreadHasher);
    if (!(await verifyConsistency(size, newSize, proof, latest.rootHash, storedRoot, inThreadHasher))) {
      throw new LogIntegrityError(`the tree of size ${newSize} is not consistent with the signed tree of size ${size}`);
    }
  }
  await sign(trx, signer, { size: newSize, rootHash: storedRoot, now });
  return { integrated: queued.length, size: newSize, signed: true };
}

async function sign(trx: Trx, signer: NoteSigner, c: { size: number; rootHash: Uint8Array; now: Date }) {
  const note = await signCheckpoint({ origin: signer.name, size: c.size, rootHash: c.rootHash }, signer);
  await insertCheckpoint(trx, { size: c.size, rootHash: c.rootHash, note, createdAt: c.now });
  verifiedNotes.set(signer, note); // signed by this key; if the batch rolls back, the next one reads another note
}
