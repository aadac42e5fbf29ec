/** SQL of the cosignatures witnesses gave the log's checkpoints (schema/0018_log_cosignatures.sql). */
import type { Queryable } from '../../db/database.js';
import type { StoredCheckpoint } from './log.repo.js';

export interface StoredCosignature {
  checkpointSize: number;
  witnessKey: string;
  line: string;
  cosignedAt: Date;
}

/** Stores a cosignature; a second one from the same witness on the same checkpoint is dropped. */
export async function insertCosignature(db: Queryable, c: StoredCosignature & { receivedAt: Date }): Promise<void> {
  await db
    .insertInto('log_cosignatures')
    .values({
      checkpoint_size: c.checkpointSize,
      witness_key: c.witnessKey,
      line: c.line,
      cosigned_at: c.cosignedAt,
      received_at: c.receivedAt,
    })
    .onConflict((oc) => oc.columns(['checkpoint_size', 'witness_key']).doNothing())
    .execute();
}

export async function cosignaturesOf(db: Queryable, size: number): Promise<{ witnessKey: string; line: string }[]> {
  const rows = await db
    .selectFrom('log_cosignatures')
    .select(['witness_key', 'line'])
    .where('checkpoint_size', '=', BigInt(size))
    .orderBy('received_at')
    .orderBy('witness_key')
    .execute();
  return rows.map((r) => ({ witnessKey: r.witness_key, line: r.line }));
}

/** Per witness key, the largest checkpoint size it cosigned: the old size of the next request to it. */
export async function latestCosignedSizes(db: Queryable, witnessKeys: readonly string[]): Promise<Map<string, number>> {
  if (witnessKeys.length === 0) return new Map();
  const rows = await db
    .selectFrom('log_cosignatures')
    .select(['witness_key', (eb) => eb.fn.max('checkpoint_size').as('size')])
    .where('witness_key', 'in', [...witnessKeys])
    .groupBy('witness_key')
    .execute();
  return new Map(rows.map((r) => [r.witness_key, Number(r.size)]));
}

/**
 * The checkpoint note with every cosignature the log holds for it appended (a signed note may
 * carry any number of signature lines; verifiers ignore keys they do not know).
 */
export async function cosignedCheckpoint(
  db: Queryable,
  checkpoint: StoredCheckpoint,
): Promise<StoredCheckpoint & { witnessKeys: string[] }> {
  const cosignatures = await cosignaturesOf(db, checkpoint.size);
  return {
    ...checkpoint,
    note: checkpoint.note + cosignatures.map((c) => c.line).join(''),
    witnessKeys: cosignatures.map((c) => c.witnessKey),
  };
}
