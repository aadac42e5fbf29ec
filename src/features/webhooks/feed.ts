import { sql } from 'kysely';
import type { Queryable } from '../../db/database.js';
import { decodeCursor, encodeCursor } from '../../http/pagination.js';
import { type EventView, presentEvent } from '../events/events.repo.js';

/*
 * A platform's event feed: what its webhook endpoints receive and what GET /v1/events returns,
 * from one query, so that a replay gives back exactly what was delivered.
 *
 * Order. The feed follows the transparency log: position N is log index N. The integrator gives
 * committed events consecutive indices that never change, so "everything before N" is a fixed
 * set once N is reached: a cursor can never step past an event that commits late. (events.seq
 * cannot promise that: a transaction holding seq 10 may commit after seq 11 was read.) An event
 * joins the feed when it is integrated, within seconds of its commit.
 *
 * Visibility. A platform sees an event when
 *   - the event was written for it (events.platform_id: its works, editions, listings, trades …), or
 *   - one of its accounts is a party named in the event's facts: PARTY_FACTS below (a gift
 *     received, a purchase from another platform's listing, a bid on another platform's auction).
 * Nothing else: a platform does not see other platforms' events merely for sharing a work.
 */

/** Facts naming an account that takes part in the change the event records. */
export const PARTY_FACTS = [
  'ownerId',
  'fromId',
  'toId',
  'sellerId',
  'buyerId',
  'bidderId',
  'winnerId',
  'rightsHolderId',
  'complainantId',
];

/** Log entries one query looks through: bounds the work of finding a platform's next events. */
const WINDOW = 1000;

/** `unit.gifted`, `unit.*` or `*` (Standard Webhooks: full-stop delimited, [a-zA-Z0-9_]). */
export const EVENT_TYPE_PATTERN = /^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?)$/;

/** The Standard Webhooks payload: `{type, timestamp, data}`; `data` is the event as the API shows it. */
export interface WebhookEnvelope {
  type: string;
  timestamp: string;
  data: Omit<EventView, 'tlogProof'>;
}

export interface FeedEvent {
  index: bigint;
  eventId: string;
  envelope: WebhookEnvelope;
}

export interface FeedFilter {
  platformId: string;
  /** Event type patterns; `['*']` for all. */
  types: string[];
}

export interface FeedRead {
  events: FeedEvent[];
  /** Where the next read starts: after the last event returned, or after everything looked at. */
  next: bigint;
  /** The log has entries at or after `next` not looked at yet. */
  more: boolean;
}

/** Feed cursors are log positions, `l<index>`, so that a history cursor (an events.seq) is refused here. */
export function feedCursor(position: bigint): string {
  return encodeCursor(`l${position}`);
}

/** The position in a feed cursor; without one, the start of the log. */
export function feedPosition(cursor: string | undefined): bigint {
  const key = decodeCursor(cursor, /^l\d{1,19}$/);
  return key === undefined ? 0n : BigInt(key.slice(1));
}

/** Number of entries in the log (its next index). */
export async function logSize(db: Queryable): Promise<bigint> {
  const row = await db
    .selectFrom('log_leaves')
    .select((eb) => eb.fn.max('index').as('last'))
    .executeTakeFirst();
  return row?.last === null || row?.last === undefined ? 0n : BigInt(row.last) + 1n;
}

/**
 * Up to `limit` of the platform's events at log positions from `from` on, oldest first, looking
 * through at most `maxScan` log entries.
 */
export async function readFeed(
  db: Queryable,
  filter: FeedFilter,
  from: bigint,
  opts: { limit: number; maxScan: number },
): Promise<FeedRead> {
  const size = await logSize(db);
  const events: FeedEvent[] = [];
  let pos = from;
  while (pos < size && pos - from < BigInt(opts.maxScan)) {
    const to = pos + BigInt(WINDOW) < size ? pos + BigInt(WINDOW) : size;
    const wanted = opts.limit - events.length;
    const rows = await windowRows(db, filter, pos, to, wanted);
    events.push(...rows.map(toFeedEvent));
    if (rows.length === wanted) {
      pos = rows.at(-1)!.index + 1n;
      break;
    }
    pos = to;
  }
  return { events, next: pos, more: pos < size };
}

/** A feed event from an event row and its log index. */
function toFeedEvent(row: { index: bigint; id: string; type: string; entry: string; created_at: Date }): FeedEvent {
  const { tlogProof: _none, ...data } = presentEvent({ ...row, log_index: row.index });
  return { index: row.index, eventId: row.id, envelope: { type: row.type, timestamp: data.at, data } };
}

/** The exact bytes sent, signed and stored for retries. */
export function envelopeBody(envelope: WebhookEnvelope): string {
  return JSON.stringify(envelope);
}

async function windowRows(db: Queryable, filter: FeedFilter, from: bigint, to: bigint, limit: number) {
  const platform = filter.platformId;
  const typeCondition = filter.types.includes('*') ? sql`true` : sql`e.type like any (${likePatterns(filter.types)}::text[])`;
  const result = await sql<{ index: bigint; id: string; type: string; entry: string; created_at: Date }>`
    select l.index, e.id, e.type, e.entry, e.created_at
    from log_leaves l
    join events e on e.seq = l.event_seq
    where l.index >= ${from} and l.index < ${to}
      and ${typeCondition}
      and (e.platform_id = ${platform} or exists (
        select 1 from accounts a
        where a.platform_id = ${platform}
          and a.id = any (select e.entry::jsonb ->> k from unnest(${PARTY_FACTS}::text[]) as k)))
    order by l.index
    limit ${limit}`.execute(db);
  return result.rows.map((r) => ({ ...r, index: BigInt(r.index) }));
}

/** `unit.*` → `unit.%`; `_` is a LIKE wildcard, so it is escaped. */
function likePatterns(types: string[]): string[] {
  return types.map((t) => t.replace(/_/g, '\\_').replace(/\*$/, '%'));
}
