/**
 * The witness's one operation, C2SP tlog-witness add-checkpoint (https://c2sp.org/tlog-witness):
 * check the log's signature, check the checkpoint extends the latest one this witness cosigned
 * for that origin, record it, and cosign it (C2SP tlog-cosignature). The checks run in the order
 * the spec lists them, each with the status it prescribes.
 */
import type { Db } from '../../src/db/database.js';
import { MalformedAddCheckpoint, parseAddCheckpoint } from '../../src/features/tlog/add-checkpoint.js';
import { parseCheckpoint } from '../../src/features/tlog/checkpoint.js';
import type { Cosigner } from '../../src/features/tlog/cosignature.js';
import { type NoteVerifier, openNote, splitNote } from '../../src/features/tlog/note.js';
import { TlogError } from '../../src/features/tlog/tlog-error.js';
import { verifyConsistency } from '../../src/features/tlog/verify.js';
import { AppError } from '../../src/http/problem.js';
import type { Logger } from '../../src/ports/logger.js';
import { advanceWitnessed, latestWitnessed, recordRefusal } from './witness.repo.js';

export interface WitnessDeps {
  db: Db;
  cosigner: Cosigner;
  /** Log origin → the keys trusted to sign its checkpoints. */
  logs: ReadonlyMap<string, readonly NoteVerifier[]>;
  clock: { now(): Date };
  log: Logger;
}

/** The client's old size is not this witness's latest: it must resend from `size` (409, text/x.tlog.size). */
export class StaleOldSize extends Error {
  constructor(readonly size: number) {
    super(`the witness's latest checkpoint for this log has size ${size}`);
  }
}

export async function addCheckpoint(deps: WitnessDeps, body: string): Promise<string> {
  let request: ReturnType<typeof parseAddCheckpoint>;
  let checkpoint: ReturnType<typeof parseCheckpoint>;
  try {
    request = parseAddCheckpoint(body);
    checkpoint = parseCheckpoint(splitNote(request.checkpoint).text);
  } catch (err) {
    if (err instanceof MalformedAddCheckpoint || err instanceof TlogError) {
      throw new AppError(400, 'malformed_request', err.message);
    }
    throw err;
  }
  const keys = deps.logs.get(checkpoint.origin);
  if (!keys) throw new AppError(404, 'unknown_log', `This witness does not witness the log ${checkpoint.origin}.`);
  try {
    await openNote(request.checkpoint, keys);
  } catch (err) {
    if (err instanceof TlogError) throw new AppError(403, 'invalid_log_signature', err.message);
    throw err;
  }
  const { oldSize, proof } = request;
  if (oldSize > checkpoint.size) {
    throw new AppError(400, 'old_size_too_large', `old size ${oldSize} exceeds the checkpoint's size ${checkpoint.size}.`);
  }

  const latest = await latestWitnessed(deps.db, checkpoint.origin);
  if ((latest?.size ?? 0) !== oldSize) throw new StaleOldSize(latest?.size ?? 0);
  const now = deps.clock.now();
  const refuse = async (code: string, reason: string) => {
    // Signed by the log yet not consistent with what this witness cosigned: keep it as evidence.
    await recordRefusal(deps.db, { origin: checkpoint.origin, oldSize, body, reason, at: now });
    deps.log.error('witness: refused a signed checkpoint', { origin: checkpoint.origin, oldSize, size: checkpoint.size, reason });
    return new AppError(code === 'root_mismatch' ? 409 : 422, code, reason);
  };
  if (oldSize === 0 || oldSize === checkpoint.size) {
    if (proof.length !== 0) throw await refuse('invalid_consistency_proof', `The proof from size ${oldSize} must be empty.`);
  }
  if (latest && oldSize === checkpoint.size) {
    if (!(await verifyConsistency(oldSize, checkpoint.size, proof, latest.rootHash, checkpoint.rootHash))) {
      throw await refuse('root_mismatch', `The witness cosigned a different root hash at size ${oldSize}.`);
    }
  } else if (latest && latest.size > 0) {
    if (!(await verifyConsistency(oldSize, checkpoint.size, proof, latest.rootHash, checkpoint.rootHash))) {
      throw await refuse(
        'invalid_consistency_proof',
        `The proof does not show the tree of size ${checkpoint.size} extends the one of size ${oldSize} this witness cosigned.`,
      );
    }
  }

  // Persisted before answering, conditioned on the state checked above: a request that lost a
  // race to another one for the same origin writes nothing and is told the new size.
  const advanced = await advanceWitnessed(deps.db, latest, {
    origin: checkpoint.origin,
    size: checkpoint.size,
    rootHash: checkpoint.rootHash,
    note: request.checkpoint,
    at: now,
  });
  if (!advanced) throw new StaleOldSize((await latestWitnessed(deps.db, checkpoint.origin))?.size ?? 0);
  return deps.cosigner.cosign(splitNote(request.checkpoint).text, Math.floor(now.getTime() / 1000));
}
