/**
 * SQL of the transparency log (schema/0002_tlog.sql). Batches travel as one array or one bytea
 * parameter each, so a batch of any size is a fixed number of round trips on either driver.
 */
import { sql } from 'kysely';
import type { Queryable, Trx } from '../../db/database.js';
import { HASH_SIZE, type NodeHash, type NodeId, type ReadHashes } from './merkle.js';

/** pg_advisory_xact_lock key of the integrator (the migrator uses 7242001). */
const LOG_LOCK = 7242002;

export interface StoredCheckpoint {
  size: number;
  rootHash: Uint8Array;
  note: string;
  createdAt: Date;
}

/** Serialises integrators across every process sharing the database, until the transaction ends. */
export async function lockLog(trx: Trx): Promise<void> {
  await sql`select pg_advisory_xact_lock(${LOG_LOCK})`.execute(trx);
}

export async function latestCheckpoint(db: Queryable): Promise<StoredCheckpoint | undefined> {
  const row = await db
    .selectFrom('log_checkpoints')
    .select(['size', 'root_hash', 'note', 'created_at'])
    .orderBy('size', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && toCheckpoint(row);
}

/** Checkpoints with size > `after`, oldest first: `limit` + 1 rows so the caller can page. */
export async function checkpointsAfter(db: Queryable, after: number | undefined, limit: number): Promise<StoredCheckpoint[]> {
  let q = db.selectFrom('log_checkpoints').select(['size', 'root_hash', 'note', 'created_at']);
  if (after !== undefined) q = q.where('size', '>', BigInt(after));
  const rows = await q
    .orderBy('size')
    .limit(limit + 1)
    .execute();
  return rows.map(toCheckpoint);
}

/** Number of leaves stored: indices are 0…n−1 (the schema refuses gaps). */
export async function leafCount(db: Queryable): Promise<number> {
  const row = await db.selectFrom('log_leaves').select('index').orderBy('index', 'desc').limit(1).executeTakeFirst();
  return row ? Number(row.index) + 1 : 0;
}

/** Whether any committed event waits for the log: a cheap test before taking the lock. */
export async function queueIsEmpty(db: Queryable): Promise<boolean> {
  return !(await db.selectFrom('log_queue').select('event_seq').limit(1).executeTakeFirst());
}

/**
 * Removes up to `limit` queued events and returns their entries in seq order. Only the lock
 * holder calls it, so no two integrators can take the same event. Rows are picked in heap order
 * (by ctid), not by an `order by seq` index scan: that scan must step over every index entry of
 * rows already integrated but not yet vacuumed, and slowed integration 2–3× as the queue churned.
 * Heap order is roughly arrival order, and the integrator drains the queue, so nothing waits long.
 */
export async function takeQueued(trx: Trx, limit: number): Promise<{ seq: bigint; entry: string }[]> {
  const { rows } = await sql<{ seq: bigint; entry: string }>`
    with taken as (
      delete from log_queue
      where ctid = any(array(select ctid from log_queue limit ${limit}))
      returning event_seq
    )
    select e.seq, e.entry from events e join taken t on t.event_seq = e.seq order by e.seq`.execute(trx);
  return rows;
}

/** Stores leaves firstIndex… for the events `seqs`, and the hashes of every node the batch completed. */
export async function insertLeavesAndNodes(trx: Trx, firstIndex: number, seqs: readonly bigint[], nodes: readonly NodeHash[]) {
  const indices = seqs.map((_, i) => firstIndex + i);
  await sql`
    insert into log_leaves (index, event_seq)
    select * from unnest(${intArray(indices)}::bigint[], ${intArray(seqs)}::bigint[])`.execute(trx);
  const blob = new Uint8Array(nodes.length * HASH_SIZE);
  nodes.forEach((n, i) => {
    blob.set(n.hash, i * HASH_SIZE);
  });
  await sql`
    insert into log_nodes (level, index, hash)
    select t.level, t.index, substring(${blob}::bytea from ((t.n - 1) * ${HASH_SIZE} + 1)::int for ${HASH_SIZE})
    from unnest(${intArray(nodes.map((n) => n.level))}::smallint[], ${intArray(nodes.map((n) => n.index))}::bigint[])
      with ordinality as t(level, index, n)`.execute(trx);
}

export async function insertCheckpoint(trx: Trx, checkpoint: StoredCheckpoint): Promise<void> {
  await trx
    .insertInto('log_checkpoints')
    .values({
      size: checkpoint.size,
      root_hash: checkpoint.rootHash,
      note: checkpoint.note,
      created_at: checkpoint.createdAt,
    })
    .execute();
}

/**
 * The stored-hash reader proofs.ts needs, answering a whole proof in one indexed query. A missing
 * node means the caller asked beyond the stored tree (or storage is broken): it throws.
 */
export function nodeReader(db: Queryable): ReadHashes {
  return async (nodes: readonly NodeId[]) => {
    if (nodes.length === 0) return [];
    const { rows } = await sql<{ level: number; index: bigint; hash: Uint8Array }>`
      select n.level, n.index, n.hash from log_nodes n
      join unnest(${intArray(nodes.map((n) => n.level))}::smallint[], ${intArray(nodes.map((n) => n.index))}::bigint[])
        as w(level, index) on n.level = w.level and n.index = w.index`.execute(db);
    const found = new Map(rows.map((r) => [`${r.level}:${r.index}`, r.hash]));
    return nodes.map((n) => {
      const hash = found.get(`${n.level}:${n.index}`);
      if (!hash) throw new Error(`log node (${n.level}, ${n.index}) is not stored`);
      return asBytes(hash);
    });
  };
}

/** `count` consecutive hashes of one tree level from `first`, concatenated (a tlog-tiles tile body). */
export async function readLevelHashes(db: Queryable, level: number, first: number, count: number): Promise<Uint8Array | null> {
  const rows = await db
    .selectFrom('log_nodes')
    .select('hash')
    .where('level', '=', level)
    .where('index', '>=', BigInt(first))
    .where('index', '<', BigInt(first + count))
    .orderBy('index')
    .execute();
  if (rows.length !== count) return null;
  const out = new Uint8Array(count * HASH_SIZE);
  rows.forEach((r, i) => {
    out.set(r.hash, i * HASH_SIZE);
  });
  return out;
}

/** Entry texts of leaves [first, first + count), in index order; null unless all are stored. */
export async function readEntries(db: Queryable, first: number, count: number): Promise<string[] | null> {
  const rows = await db
    .selectFrom('log_leaves as l')
    .innerJoin('events as e', 'e.seq', 'l.event_seq')
    .select('e.entry')
    .where('l.index', '>=', BigInt(first))
    .where('l.index', '<', BigInt(first + count))
    .orderBy('l.index')
    .execute();
  return rows.length === count ? rows.map((r) => r.entry) : null;
}

export interface LeafRow {
  index: number;
  eventId: string;
  entry: string;
  leafHash: Uint8Array;
}

const leafRows = (db: Queryable) =>
  db
    .selectFrom('log_leaves as l')
    .innerJoin('events as e', 'e.seq', 'l.event_seq')
    .innerJoin('log_nodes as n', (j) => j.on('n.level', '=', 0).onRef('n.index', '=', 'l.index'))
    .select(['l.index', 'e.id', 'e.entry', 'n.hash']);

export async function leafAt(db: Queryable, index: number): Promise<LeafRow | undefined> {
  const row = await leafRows(db).where('l.index', '=', BigInt(index)).executeTakeFirst();
  return row && toLeaf(row);
}

/** The leaves of those events that are in the log (in any order). */
export async function leavesOfEvents(db: Queryable, eventIds: readonly string[]): Promise<LeafRow[]> {
  if (eventIds.length === 0) return [];
  const rows = await leafRows(db)
    .where('e.id', 'in', [...eventIds])
    .execute();
  return rows.map(toLeaf);
}

function toLeaf(row: { index: bigint; id: string; entry: string; hash: Uint8Array }): LeafRow {
  return { index: Number(row.index), eventId: row.id, entry: row.entry, leafHash: asBytes(row.hash) };
}

function toCheckpoint(row: { size: bigint; root_hash: Uint8Array; note: string; created_at: Date }): StoredCheckpoint {
  return { size: Number(row.size), rootHash: asBytes(row.root_hash), note: row.note, createdAt: row.created_at };
}

/** A PostgreSQL array literal of integers: one text parameter, cast in SQL, on either driver. */
function intArray(values: readonly (number | bigint)[]): string {
  return `{${values.join(',')}}`;
}

/** postgres.js hands back Buffers; callers compare and re-encode plain Uint8Arrays. */
function asBytes(b: Uint8Array): Uint8Array {
  return b.constructor === Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
