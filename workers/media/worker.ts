import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Db } from '../../src/db/database.js';
import { type ClaimedJob, claimMediaJob, extendLease, failJob, markJobDone } from '../../src/features/media/jobs.repo.js';
import type { PreviewInfo } from '../../src/features/media/media.types.js';
import { type MediaFindings, saveFindings } from '../../src/features/media/results.repo.js';
import { verifiedObjectKey } from '../../src/features/uploads/object-keys.js';
import type { BlobStore } from '../../src/ports/blob-store.js';
import type { Clock } from '../../src/ports/clock.js';
import type { Logger } from '../../src/ports/logger.js';
import { analyseBytes } from './analyse.js';
import type { MediaWorkerConfig } from './config.js';
import { MediaRefusal } from './errors.js';
import type { RenderedPreview, SharpFactory } from './image-pipeline.js';

/** What the media worker runs on. It never sees the HTTP layer: only the database, storage and a clock. */
export interface MediaWorkerDeps {
  db: Db;
  blobs: BlobStore;
  clock: Clock;
  log: Logger;
  /** sharp itself unless a test wants to watch it. */
  sharp?: SharpFactory;
}

export type JobOutcome = 'accepted' | 'refused' | 'retry' | 'dead' | 'lost' | 'empty';

/** Previews are named by the source's SHA-256: rendering the same bytes twice writes the same objects. */
export function previewKey(sha256Hex: string, size: 'small' | 'large'): string {
  return `previews/sha256/${sha256Hex}/${size}.webp`;
}

export function newWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/**
 * Claim one due job and run it to an outcome: its findings written (accepted or refused), a retry
 * scheduled with backoff, or dead-lettered. 'lost' means another worker took the job over after
 * this one's lease ran out; nothing was written.
 */
export async function processNextJob(deps: MediaWorkerDeps, config: MediaWorkerConfig, workerId: string): Promise<JobOutcome> {
  const { db, clock, log } = deps;
  const claim = await claimMediaJob(db, clock.now(), {
    workerId,
    leaseToken: randomBytes(16).toString('hex'),
    leaseSeconds: config.MEDIA_JOB_LEASE,
    maxAttempts: config.MEDIA_MAX_ATTEMPTS,
  });
  if (claim.kind === 'empty') return 'empty';
  if (claim.kind === 'expired') {
    log.error('media job dead-lettered: its last attempt never finished', { uploadId: claim.uploadId });
    return 'dead';
  }
  const job = claim.job;
  const heartbeat = setInterval(
    () => void extendLease(db, job, clock.now(), config.MEDIA_JOB_LEASE).catch(() => {}),
    (config.MEDIA_JOB_LEASE * 1000) / 3,
  );
  try {
    const findings = await analyseJob(deps, config, job);
    const saved = await db.transaction().execute(async (trx) => {
      const now = clock.now();
      if (!(await markJobDone(trx, job, now))) return false;
      await saveFindings(trx, job.uploadId, job.sha256, findings, now);
      return true;
    });
    if (!saved) {
      log.error('media job lost its lease before finishing; another worker has it', { uploadId: job.uploadId, workerId });
      return 'lost';
    }
    log.info('media job done', {
      uploadId: job.uploadId,
      verdict: findings.verdict,
      format: findings.format,
      attempt: job.attempts,
    });
    return findings.verdict;
  } catch (err) {
    const message = (err as Error).message || String(err);
    const status = await failJob(db, job, message, clock.now(), {
      maxAttempts: config.MEDIA_MAX_ATTEMPTS,
      retryBase: config.MEDIA_RETRY_BASE,
      retryMax: config.MEDIA_RETRY_MAX,
    });
    log.error(status === 'dead' ? 'media job dead-lettered' : 'media job failed; will retry', {
      uploadId: job.uploadId,
      attempt: job.attempts,
      error: message,
    });
    return status === null ? 'lost' : status === 'dead' ? 'dead' : 'retry';
  } finally {
    clearInterval(heartbeat);
  }
}

/**
 * Re-read the verified object, check its SHA-256 against the upload, analyse it and store its
 * previews. A refusal is a finding; storage and decoder failures throw and are retried.
 */
async function analyseJob(deps: MediaWorkerDeps, config: MediaWorkerConfig, job: ClaimedJob): Promise<MediaFindings> {
  const key = verifiedObjectKey(job.sha256);
  const bytes = await deps.blobs.read(key);
  if (!bytes) throw new Error(`the verified object ${key} is missing from storage`);
  const digest = createHash('sha256').update(bytes).digest();
  if (bytes.length !== job.size || !digest.equals(Buffer.from(job.sha256))) {
    return {
      verdict: 'refused',
      rule: 'hash_mismatch',
      detail: `The stored object no longer matches the upload's SHA-256 (${bytes.length} bytes, sha256 ${digest.toString('hex')}).`,
      format: null,
    };
  }
  let analysis: Awaited<ReturnType<typeof analyseBytes>>;
  try {
    analysis = await analyseBytes(bytes, job.mediaType, { maxPixels: config.MEDIA_MAX_PIXELS, sharp: deps.sharp });
  } catch (err) {
    if (err instanceof MediaRefusal) return { verdict: 'refused', rule: err.rule, detail: err.message, format: err.format };
    throw err;
  }
  if (!analysis.image) return { verdict: 'accepted', format: analysis.format, model: analysis.model };

  const hex = digest.toString('hex');
  const store = async (size: 'small' | 'large', p: RenderedPreview): Promise<PreviewInfo> => {
    const previewKeyName = previewKey(hex, size);
    await deps.blobs.put(previewKeyName, p.bytes, 'image/webp');
    return { key: previewKeyName, width: p.width, height: p.height, bytes: p.bytes.length };
  };
  const { rendered, width, height } = analysis.image;
  const [small, large] = await Promise.all([store('small', rendered.previews.small), store('large', rendered.previews.large)]);
  return {
    verdict: 'accepted',
    format: analysis.format,
    image: {
      width,
      height,
      dhash: rendered.dhash,
      phash: rendered.phash,
      lowDetail: rendered.lowDetail,
      blurhash: rendered.blurhash,
      previews: { small, large },
    },
  };
}

export interface MediaWorker {
  readonly workerId: string;
  /** Look at the queue now instead of at the next poll (e.g. right after an upload completes). */
  wake(): void;
  /** Stop taking jobs and wait for the running ones to finish. */
  stop(): Promise<void>;
}

/**
 * Runs MEDIA_CONCURRENCY loops that take jobs until the queue is empty, then poll it every
 * MEDIA_POLL_INTERVAL seconds. Any number of these (in any number of processes) share one queue.
 */
export function startMediaWorker(deps: MediaWorkerDeps, config: MediaWorkerConfig, workerId = newWorkerId()): MediaWorker {
  let stopping = false;
  let wakeUp: () => void = () => {};
  let nap: Promise<void> | null = null;
  const sleep = () => {
    nap ??= new Promise<void>((resolve) => {
      const timer = setTimeout(done, config.MEDIA_POLL_INTERVAL * 1000);
      function done() {
        clearTimeout(timer);
        nap = null;
        resolve();
      }
      wakeUp = done;
    });
    return nap;
  };
  const loop = async () => {
    while (!stopping) {
      let outcome: JobOutcome | 'error';
      try {
        outcome = await processNextJob(deps, config, workerId);
      } catch (err) {
        // The database itself failed (claim or bookkeeping); the job, if any, is retried after its lease.
        deps.log.error('media worker could not reach the queue', { error: (err as Error).message });
        outcome = 'error';
      }
      if ((outcome === 'empty' || outcome === 'error') && !stopping) await sleep();
    }
  };
  const loops = Array.from({ length: config.MEDIA_CONCURRENCY }, loop);
  return {
    workerId,
    wake: () => wakeUp(),
    stop: async () => {
      stopping = true;
      wakeUp();
      await Promise.all(loops);
    },
  };
}
