import { sql } from 'kysely';
import type { Db, Queryable, Trx } from '../../db/database.js';
import type { Row } from '../../db/schema.js';

/*
 * The media job queue, in PostgreSQL (media_jobs, 0006). Lifecycle:
 *
 *   queued ──claim──▶ running ──finish──▶ done
 *     ▲                  │
 *     └──fail (backoff)──┤  (attempts < max)
 *                        └──fail──▶ dead  (attempts = max; dead_reason says why)
 *
 * A claim takes the oldest due job with FOR UPDATE SKIP LOCKED, so any number of workers share the
 * queue without ever taking the same job, and gives it a lease. A worker that dies mid-job leaves the
 * job running; once the lease is past, the job is due again and another worker takes it over (that
 * counts as a failed attempt). Finishing and failing are fenced by the lease token: a worker whose
 * lease was taken over can no longer write, so a job's result is written once.
 */

export type MediaJob = Row<'media_jobs'>;

/** The job and the facts of its upload that the worker needs. */
export interface ClaimedJob {
  uploadId: string;
  leaseToken: string;
  attempts: number;
  sha256: Uint8Array;
  mediaType: string;
  size: number;
}

/** Queue the analysis of a completed upload; in the completion's transaction. Idempotent. */
export async function enqueueMediaJob(trx: Trx, uploadId: string, now: Date): Promise<void> {
  await trx
    .insertInto('media_jobs')
    .values({ upload_id: uploadId, status: 'queued', due_at: now, created_at: now, updated_at: now })
    .onConflict((oc) => oc.column('upload_id').doNothing())
    .execute();
}

/**
 * Queue jobs for completed uploads that have none (uploads completed by code that predates the
 * queue, or restored from a backup). Returns how many were added.
 */
export async function enqueueMissingJobs(db: Queryable, uploadIds: string[], now: Date): Promise<number> {
  if (!uploadIds.length) return 0;
  const res = await db
    .insertInto('media_jobs')
    .columns(['upload_id', 'status', 'due_at', 'created_at', 'updated_at'])
    .expression((eb) =>
      eb
        .selectFrom('uploads')
        .select([
          'uploads.id',
          sql.lit('queued').as('status'),
          sql<Date>`${now}::timestamptz`.as('due_at'),
          sql<Date>`${now}::timestamptz`.as('created_at'),
          sql<Date>`${now}::timestamptz`.as('updated_at'),
        ])
        .where('uploads.id', 'in', uploadIds)
        .where('uploads.status', '=', 'completed'),
    )
    .onConflict((oc) => oc.column('upload_id').doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0);
}

export interface ClaimOptions {
  workerId: string;
  leaseToken: string;
  leaseSeconds: number;
  maxAttempts: number;
}

export type ClaimOutcome =
  | { kind: 'claimed'; job: ClaimedJob }
  /** A job whose lease expired on its last allowed attempt: dead-lettered instead of run again. */
  | { kind: 'expired'; uploadId: string }
  | { kind: 'empty' };

/**
 * Take the oldest due job (queued past its backoff, or running past its lease) for this worker.
 * FOR UPDATE SKIP LOCKED: concurrent claims pass over each other's rows instead of waiting, and a
 * row is claimed by exactly one of them.
 */
export async function claimMediaJob(db: Db, now: Date, opts: ClaimOptions): Promise<ClaimOutcome> {
  return db.transaction().execute(async (trx) => {
    const job = await trx
      .selectFrom('media_jobs')
      .innerJoin('uploads', 'uploads.id', 'media_jobs.upload_id')
      .select([
        'media_jobs.upload_id',
        'media_jobs.status',
        'media_jobs.attempts',
        'uploads.sha256',
        'uploads.media_type',
        'uploads.size',
      ])
      .where('media_jobs.status', 'in', ['queued', 'running'])
      .where('media_jobs.due_at', '<=', now)
      .orderBy('media_jobs.due_at')
      .limit(1)
      .forUpdate('media_jobs')
      .skipLocked()
      .executeTakeFirst();
    if (!job) return { kind: 'empty' } as const;

    const takenOver = job.status === 'running';
    const lastError = takenOver
      ? `attempt ${job.attempts} did not finish within its lease (the worker stopped or stalled)`
      : null;
    if (takenOver && job.attempts >= opts.maxAttempts) {
      await trx
        .updateTable('media_jobs')
        .set({
          status: 'dead',
          lease_token: null,
          locked_by: null,
          last_error: lastError,
          dead_reason: `gave up after ${job.attempts} attempts: ${lastError}`,
          updated_at: now,
          finished_at: now,
        })
        .where('upload_id', '=', job.upload_id)
        .execute();
      return { kind: 'expired', uploadId: job.upload_id } as const;
    }

    const attempts = job.attempts + 1;
    await trx
      .updateTable('media_jobs')
      .set({
        status: 'running',
        attempts,
        lease_token: opts.leaseToken,
        locked_by: opts.workerId,
        due_at: new Date(now.getTime() + opts.leaseSeconds * 1000),
        ...(lastError ? { last_error: lastError } : {}),
        updated_at: now,
      })
      .where('upload_id', '=', job.upload_id)
      .execute();
    return {
      kind: 'claimed',
      job: {
        uploadId: job.upload_id,
        leaseToken: opts.leaseToken,
        attempts,
        sha256: job.sha256,
        mediaType: job.media_type,
        size: Number(job.size),
      },
    } as const;
  });
}

/** Push the lease forward while a long job runs; false when the lease was lost. */
export async function extendLease(db: Db, job: ClaimedJob, now: Date, leaseSeconds: number): Promise<boolean> {
  const res = await db
    .updateTable('media_jobs')
    .set({ due_at: new Date(now.getTime() + leaseSeconds * 1000), updated_at: now })
    .where('upload_id', '=', job.uploadId)
    .where('status', '=', 'running')
    .where('lease_token', '=', job.leaseToken)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/**
 * Mark the job done if this worker still holds its lease; the caller writes the result in the same
 * transaction, and only when this returns true.
 */
export async function markJobDone(trx: Trx, job: ClaimedJob, now: Date): Promise<boolean> {
  const res = await trx
    .updateTable('media_jobs')
    .set({ status: 'done', lease_token: null, locked_by: null, updated_at: now, finished_at: now })
    .where('upload_id', '=', job.uploadId)
    .where('status', '=', 'running')
    .where('lease_token', '=', job.leaseToken)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Exponential backoff: base · 2^(attempt−1), at most `max` seconds. */
export function backoffSeconds(attempt: number, base: number, max: number): number {
  return Math.min(max, base * 2 ** Math.max(0, attempt - 1));
}

/**
 * A failed attempt: back to the queue after the backoff, or dead-lettered with the reason once the
 * attempts are used up. Fenced like markJobDone. Returns the new status, or null if the lease was lost.
 */
export async function failJob(
  db: Db,
  job: ClaimedJob,
  error: string,
  now: Date,
  opts: { maxAttempts: number; retryBase: number; retryMax: number },
): Promise<'queued' | 'dead' | null> {
  const message = error.slice(0, 2000);
  const dead = job.attempts >= opts.maxAttempts;
  const res = await db
    .updateTable('media_jobs')
    .set(
      dead
        ? {
            status: 'dead',
            lease_token: null,
            locked_by: null,
            last_error: message,
            dead_reason: `gave up after ${job.attempts} attempts: ${message}`,
            updated_at: now,
            finished_at: now,
          }
        : {
            status: 'queued',
            lease_token: null,
            locked_by: null,
            last_error: message,
            due_at: new Date(now.getTime() + backoffSeconds(job.attempts, opts.retryBase, opts.retryMax) * 1000),
            updated_at: now,
          },
    )
    .where('upload_id', '=', job.uploadId)
    .where('status', '=', 'running')
    .where('lease_token', '=', job.leaseToken)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) return null;
  return dead ? 'dead' : 'queued';
}

/** Give a dead-lettered job a fresh set of attempts (the operator, once the cause is fixed). */
export async function requeueDeadJob(trx: Trx, uploadId: string, now: Date): Promise<MediaJob | undefined> {
  return trx
    .updateTable('media_jobs')
    .set({ status: 'queued', attempts: 0, due_at: now, dead_reason: null, finished_at: null, updated_at: now })
    .where('upload_id', '=', uploadId)
    .where('status', '=', 'dead')
    .returningAll()
    .executeTakeFirst();
}

export async function jobsFor(db: Queryable, uploadIds: string[]): Promise<MediaJob[]> {
  if (!uploadIds.length) return [];
  return db.selectFrom('media_jobs').selectAll().where('upload_id', 'in', uploadIds).execute();
}

/**
 * Make every running job's lease lapse now, so the next claim takes it over (counting the broken
 * attempt as failed, as after any lease). Only for a database no other process can use — the
 * embedded PGlite — where every lease found at start belongs to a process that was killed.
 */
export async function lapseLeasesOfEarlierProcess(db: Db, now: Date): Promise<number> {
  const res = await db
    .updateTable('media_jobs')
    .set({ due_at: now })
    .where('status', '=', 'running')
    .where('due_at', '>', now)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}
