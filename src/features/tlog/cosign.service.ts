/**
 * The log asks its witnesses to cosign its latest checkpoint (C2SP tlog-witness), after the
 * checkpoint has committed and never inside a transaction: each witness is asked in parallel,
 * with a timeout per request and a few attempts, from the size that witness last cosigned, with
 * a consistency proof from there. A 409 tells the log the witness's real latest size; the log
 * resends from it. Every cosignature is checked against the witness's configured key before it
 * is stored (schema/0018_log_cosignatures.sql). Idempotent: safe to run from several places.
 */
import type { Db } from '../../db/database.js';
import type { Logger } from '../../ports/logger.js';
import { validCosignatures } from './cosignature.js';
import { cosignaturesOf, insertCosignature, latestCosignedSizes } from './cosignatures.repo.js';
import { latestCheckpoint, nodeReader, type StoredCheckpoint } from './log.repo.js';
import { inThreadHasher } from './merkle.js';
import { consistencyProof } from './proofs.js';
import { postCheckpoint, WitnessUnavailable } from './witness-client.js';
import { type LogWitness, logWitnessesFromConfig } from './witnesses.config.js';

type WitnessSettings = Parameters<typeof logWitnessesFromConfig>[0];

export interface CosignDeps {
  db: Db;
  config: WitnessSettings;
  clock: { now(): Date };
  log: Logger;
  /** The HTTP client for witnesses; `fetch` by default. */
  witnessFetch?: typeof fetch;
}

export interface CosignResult {
  /** Size of the checkpoint the witnesses were asked about (undefined: no checkpoint yet). */
  size?: number;
  /** Configured witnesses whose cosignature the checkpoint now carries. */
  cosigned: number;
  quorum: number;
}

/** A witness's 409 may send the log round more than once (it moved meanwhile); this bounds it. */
const MAX_RESENDS = 3;

export async function collectCosignatures(deps: CosignDeps): Promise<CosignResult> {
  const settings = await logWitnessesFromConfig(deps.config);
  if (settings.witnesses.length === 0) return { cosigned: 0, quorum: 0 };
  const latest = await latestCheckpoint(deps.db);
  if (!latest) return { cosigned: 0, quorum: settings.quorum };
  const have = new Set((await cosignaturesOf(deps.db, latest.size)).map((c) => c.witnessKey));
  const missing = settings.witnesses.filter((w) => !have.has(w.verifier.verifierKey));
  const lastSizes = await latestCosignedSizes(
    deps.db,
    missing.map((w) => w.verifier.verifierKey),
  );
  const got = await Promise.all(
    missing.map((w) => askWitness(deps, settings, w, latest, lastSizes.get(w.verifier.verifierKey) ?? 0)),
  );
  return { size: latest.size, cosigned: have.size + got.filter(Boolean).length, quorum: settings.quorum };
}

async function askWitness(
  deps: CosignDeps,
  settings: { timeoutMs: number; attempts: number },
  witness: LogWitness,
  checkpoint: StoredCheckpoint,
  firstOldSize: number,
): Promise<boolean> {
  const name = witness.verifier.name;
  let oldSize = firstOldSize <= checkpoint.size ? firstOldSize : 0;
  let resends = 0;
  for (let attempt = 1; attempt <= settings.attempts; ) {
    try {
      const proof =
        oldSize === 0 || oldSize === checkpoint.size
          ? []
          : await consistencyProof(nodeReader(deps.db), oldSize, checkpoint.size, inThreadHasher);
      const answer = await postCheckpoint(
        witness.url,
        { oldSize, proof, checkpoint: checkpoint.note },
        { timeoutMs: settings.timeoutMs, fetch: deps.witnessFetch },
      );
      if (answer.kind === 'stale') {
        if (answer.size > checkpoint.size && ((await latestCheckpoint(deps.db))?.size ?? 0) >= answer.size) {
          // Another round already had a newer checkpoint of this log cosigned: nothing is wrong.
          deps.log.info('witness: already past this checkpoint', { witness: name, witnessSize: answer.size });
          return false;
        }
        if (answer.size > checkpoint.size || ++resends > MAX_RESENDS) {
          // A witness ahead of the log has cosigned a tree this log never signed: a fork, or lost storage.
          deps.log.error('witness: its latest checkpoint is not one this log can extend', {
            witness: name,
            witnessSize: answer.size,
            size: checkpoint.size,
          });
          return false;
        }
        oldSize = answer.size;
        continue;
      }
      if (answer.kind === 'refused') {
        deps.log.error('witness refused the checkpoint', {
          witness: name,
          size: checkpoint.size,
          status: answer.status,
          detail: answer.detail,
        });
        return false;
      }
      const [valid] = await validCosignatures(checkpoint.note + answer.lines, [witness.verifier]);
      if (!valid) {
        deps.log.error('witness answered without a valid cosignature by its configured key', { witness: name });
        return false;
      }
      await insertCosignature(deps.db, {
        checkpointSize: checkpoint.size,
        witnessKey: witness.verifier.verifierKey,
        line: valid.line,
        cosignedAt: new Date(valid.timestamp * 1000),
        receivedAt: deps.clock.now(),
      });
      return true;
    } catch (err) {
      if (!(err instanceof WitnessUnavailable)) throw err;
      deps.log.info('witness unavailable', { witness: name, attempt, error: err.message });
      if (attempt === settings.attempts) return false;
      await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** (attempt - 1)));
      attempt++;
    }
  }
  return false;
}
