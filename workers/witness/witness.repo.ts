/** SQL of the witness (workers/witness/schema). Raw SQL: the witness has its own tiny schema. */
import { sql } from 'kysely';
import type { Db } from '../../src/db/database.js';

export interface WitnessedCheckpoint {
  origin: string;
  size: number;
  rootHash: Uint8Array;
}

export async function latestWitnessed(db: Db, origin: string): Promise<WitnessedCheckpoint | undefined> {
  const { rows } = await sql<{ size: bigint; root_hash: Uint8Array }>`
    select size, root_hash from witness_checkpoints where origin = ${origin}`.execute(db);
  const row = rows[0];
  return row && { origin, size: Number(row.size), rootHash: asBytes(row.root_hash) };
}

/**
 * Moves the origin's record from `from` (what the request was checked against; undefined when
 * the witness had none) to the new checkpoint. One statement, conditioned on the old state: it
 * returns false when another request moved the record first, and then nothing was written.
 */
export async function advanceWitnessed(
  db: Db,
  from: WitnessedCheckpoint | undefined,
  to: WitnessedCheckpoint & { note: string; at: Date },
): Promise<boolean> {
  if (!from) {
    const { rows } = await sql`
      insert into witness_checkpoints (origin, size, root_hash, note, updated_at)
      values (${to.origin}, ${to.size}, ${to.rootHash}, ${to.note}, ${to.at})
      on conflict (origin) do nothing
      returning origin`.execute(db);
    return rows.length === 1;
  }
  const { rows } = await sql`
    update witness_checkpoints
    set size = ${to.size}, root_hash = ${to.rootHash}, note = ${to.note}, updated_at = ${to.at}
    where origin = ${to.origin} and size = ${from.size} and root_hash = ${from.rootHash}
    returning origin`.execute(db);
  return rows.length === 1;
}

export async function recordRefusal(
  db: Db,
  r: { origin: string; oldSize: number; body: string; reason: string; at: Date },
): Promise<void> {
  await sql`
    insert into witness_refusals (origin, old_size, body, reason, received_at)
    values (${r.origin}, ${r.oldSize}, ${r.body}, ${r.reason}, ${r.at})`.execute(db);
}

/** postgres.js hands back Buffers; comparisons want plain Uint8Arrays. */
function asBytes(b: Uint8Array): Uint8Array {
  return b.constructor === Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
