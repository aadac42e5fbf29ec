import type { Updateable } from 'kysely';
import type { Db, Queryable } from '../../db/database.js';
import type { Database } from '../../db/schema.js';
import type { EndpointRow } from './endpoints.repo.js';

/*
 * An endpoint's delivery state lives on its row (0007). A runner claims an enabled endpoint that
 * has something to do with FOR UPDATE SKIP LOCKED and gives it a lease, in one short transaction;
 * the attempts then run with no transaction open, and every later write is fenced by the lease
 * token (`where lease_token = …`): a runner that stalled past its lease and was taken over can no
 * longer move the endpoint. So two runners never send to one endpoint at once, while its lease
 * lasts, and a crashed runner delays the endpoint by one lease at most.
 */

export interface Lease {
  token: string;
  seconds: number;
}

const leaseEnd = (now: Date, lease: Lease) => new Date(now.getTime() + lease.seconds * 1000);

/**
 * Leases the enabled endpoint that has waited longest among those with something to do: a pending
 * message that is due, or log entries past its position not yet looked at.
 */
export async function claimEndpoint(
  db: Db,
  now: Date,
  logEnd: bigint,
  lease: Lease,
  skip: string[],
): Promise<EndpointRow | undefined> {
  return db.transaction().execute(async (trx) => {
    let q = trx
      .selectFrom('webhook_endpoints')
      .select('id')
      .where('status', '=', 'enabled')
      .where((eb) => eb.or([eb('leased_until', 'is', null), eb('leased_until', '<=', now)]))
      .where((eb) =>
        eb.or([
          eb.and([eb('pending_index', 'is not', null), eb('next_attempt_at', '<=', now)]),
          eb.and([eb('pending_index', 'is', null), eb('position', '<', logEnd)]),
        ]),
      );
    if (skip.length) q = q.where('id', 'not in', skip);
    const due = await q.orderBy('next_attempt_at').orderBy('id').limit(1).forUpdate().skipLocked().executeTakeFirst();
    if (!due) return undefined;
    return trx
      .updateTable('webhook_endpoints')
      .set({ lease_token: lease.token, leased_until: leaseEnd(now, lease) })
      .where('id', '=', due.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

/** Nothing for the endpoint before `position`; returns the row, or undefined if the lease was lost. */
export async function advancePosition(db: Db, ep: EndpointRow, position: bigint, now: Date, lease: Lease) {
  return fenced(db, ep, lease, { position, updated_at: now, leased_until: leaseEnd(now, lease) });
}

/** The next message, whose body is stored so every attempt sends the same bytes. */
export async function setPending(
  db: Db,
  ep: EndpointRow,
  msg: { index: bigint; eventId: string; body: string },
  now: Date,
  lease: Lease,
) {
  return fenced(db, ep, lease, {
    position: msg.index,
    pending_index: msg.index,
    pending_event_id: msg.eventId,
    pending_body: msg.body,
    attempts: 0,
    next_attempt_at: now,
    leased_until: leaseEnd(now, lease),
  });
}

export interface AttemptRecord {
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
}

export type AttemptOutcome =
  | { kind: 'delivered' }
  | { kind: 'retry'; at: Date }
  | { kind: 'disable'; reason: 'gone' | 'failing' };

/**
 * Records an attempt at the pending message and moves the endpoint on: past the message when it
 * was delivered, to its next try when not, or to disabled. The attempt is recorded even when the
 * lease was lost meanwhile: it did happen.
 */
export async function recordAttempt(
  db: Db,
  ep: EndpointRow,
  attempt: AttemptRecord,
  outcome: AttemptOutcome,
  now: Date,
  lease: Lease,
): Promise<EndpointRow | undefined> {
  return db.transaction().execute(async (trx) => {
    await trx
      .insertInto('webhook_attempts')
      .values({
        endpoint_id: ep.id,
        event_id: ep.pending_event_id!,
        log_index: ep.pending_index!,
        attempt: ep.attempts + 1,
        started_at: attempt.startedAt,
        duration_ms: attempt.durationMs,
        status_code: attempt.statusCode,
        succeeded: outcome.kind === 'delivered',
        error: attempt.error?.slice(0, 1000) ?? null,
        next_attempt_at: outcome.kind === 'retry' ? outcome.at : null,
      })
      .execute();
    const renewed = { updated_at: now, leased_until: leaseEnd(now, lease) };
    if (outcome.kind === 'delivered') {
      return fenced(trx, ep, lease, {
        ...renewed,
        position: ep.pending_index! + 1n,
        pending_index: null,
        pending_event_id: null,
        pending_body: null,
        attempts: 0,
        failing_since: null,
        next_attempt_at: now,
      });
    }
    const failed = { ...renewed, attempts: ep.attempts + 1, failing_since: ep.failing_since ?? now };
    if (outcome.kind === 'retry') return fenced(trx, ep, lease, { ...failed, next_attempt_at: outcome.at });
    return fenced(trx, ep, lease, { ...failed, status: 'disabled', disabled_reason: outcome.reason });
  });
}

/** Gives the endpoint up for others (end of this runner's turn). */
export async function releaseEndpoint(db: Db, ep: EndpointRow, lease: Lease): Promise<void> {
  await db
    .updateTable('webhook_endpoints')
    .set({ lease_token: null, leased_until: null })
    .where('id', '=', ep.id)
    .where('lease_token', '=', lease.token)
    .execute();
}

async function fenced(db: Queryable, ep: EndpointRow, lease: Lease, change: Updateable<Database['webhook_endpoints']>) {
  return db
    .updateTable('webhook_endpoints')
    .set(change)
    .where('id', '=', ep.id)
    .where('lease_token', '=', lease.token)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Release every endpoint lease: its message is sent again (at least once, same bytes). Only for a
 * database no other process can use — the embedded PGlite — where every lease found at start
 * belongs to a process that was killed.
 */
export async function releaseLeasesOfEarlierProcess(db: Db): Promise<number> {
  const res = await db
    .updateTable('webhook_endpoints')
    .set({ lease_token: null, leased_until: null })
    .where('lease_token', 'is not', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}
