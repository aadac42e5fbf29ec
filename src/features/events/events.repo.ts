import type { Insertable, QueryCreator } from 'kysely';
import type { Queryable, Trx } from '../../db/database.js';
import type { Database, EventsTable } from '../../db/schema.js';
import { decodeCursor, toPage } from '../../http/pagination.js';
import { newId } from '../../ids.js';
import { proofsForEvents } from '../tlog/event-proofs.js';
import { canonicalJson } from './canonical-json.js';

export interface EventInput {
  type: string;
  at: Date;
  assetId?: string;
  unitId?: string;
  platformId?: string;
  /** Identifiers and facts only: never names, contact details or KYC evidence. */
  facts: Record<string, unknown>;
}

/** An event's row as stored, with its id: what `recordEvents` writes. */
export type EventRow = Insertable<EventsTable> & { id: string };

/** The row of an event (its id drawn now): written by `recordEvents`, or gathered to be written with others. */
export function eventRow(input: EventInput): EventRow {
  const id = newId('evt');
  const entry = canonicalJson({
    ...input.facts,
    id,
    type: input.type,
    at: input.at.toISOString(),
  });
  return {
    id,
    type: input.type,
    asset_id: input.assetId ?? null,
    unit_id: input.unitId ?? null,
    platform_id: input.platformId ?? null,
    entry,
    created_at: input.at,
  };
}

/**
 * The one event writer. Runs inside the transaction of the change it records, so the event and
 * the change commit together or not at all. The stored entry is the RFC 8785 form of
 * `{id, type, at, ...facts}`: exactly the bytes that become a transparency-log leaf.
 */
export async function recordEvent(trx: Trx, input: EventInput): Promise<string> {
  const [id] = await recordEvents(trx, [eventRow(input)]);
  return id!;
}

/**
 * Several events in one statement, in the order given (their `seq`, and so their log order,
 * follows it). A purchase gathers its events as rows (`eventRow`) and writes them together, one
 * round trip instead of three.
 */
export async function recordEvents(trx: Trx, rows: EventRow[]): Promise<string[]> {
  if (rows.length) await insertEvents(trx, rows).execute();
  return rows.map((r) => r.id);
}

/** The insert of event rows, for a statement that writes them with other changes (a `with` clause). */
export function insertEvents(db: QueryCreator<Database>, rows: EventRow[]) {
  return db.insertInto('events').values(rows);
}

export interface EventView {
  id: string;
  type: string;
  at: string;
  facts: Record<string, unknown>;
  /** Index of the event in the transparency log; null until the integrator has signed it in. */
  logIndex: number | null;
  /** C2SP tlog-proof against the latest checkpoint, where the view includes proofs. */
  tlogProof?: string | null;
}

/** Event rows with their log index (null while queued): what `presentEvent` takes. */
export function selectEventRows(db: Queryable) {
  return db
    .selectFrom('events')
    .leftJoin('log_leaves', 'log_leaves.event_seq', 'events.seq')
    .select(['events.seq', 'events.id', 'events.type', 'events.entry', 'events.created_at', 'log_leaves.index as log_index']);
}

export function presentEvent(row: {
  id: string;
  type: string;
  entry: string;
  created_at: Date;
  log_index?: bigint | null;
}): EventView {
  const { id: _id, type: _type, at: _at, ...facts } = JSON.parse(row.entry) as Record<string, unknown>;
  const logIndex = row.log_index === undefined || row.log_index === null ? null : Number(row.log_index);
  return { id: row.id, type: row.type, at: row.created_at.toISOString(), facts, logIndex };
}

/** A page of a work's or a unit's events, oldest first, behind an opaque cursor. */
export async function pageOfEvents(
  db: Queryable,
  filter: { assetId?: string; unitId?: string },
  page: { after?: string; limit: number },
) {
  const after = decodeCursor(page.after, /^\d{1,19}$/);
  let q = selectEventRows(db);
  if (filter.assetId) q = q.where('events.asset_id', '=', filter.assetId);
  if (filter.unitId) q = q.where('events.unit_id', '=', filter.unitId);
  if (after !== undefined) q = q.where('events.seq', '>', BigInt(after));
  const rows = await q
    .orderBy('events.seq')
    .limit(page.limit + 1)
    .execute();
  const events = toPage(rows, page.limit, (r) => String(r.seq), presentEvent);
  const proofs = await proofsForEvents(
    db,
    events.data.map((e) => e.id),
  );
  return { ...events, data: events.data.map((e) => ({ ...e, tlogProof: proofs.get(e.id)?.tlogProof ?? null })) };
}
