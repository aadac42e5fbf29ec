import { sql } from 'kysely';
import type { Db } from '../../db/database.js';

/** Changes folded per call: one short transaction; a backlog (a bulk import) goes over several runs. */
const FOLD_BATCH = 20_000;

/**
 * Scheduled: folds the changes that settled trades appended (schema/0025_board_price_counts.sql)
 * into the board's price histogram. Statistics are exact without it (a request reads the pending
 * changes too); folding keeps that list short, so each request reads only a few of them. One
 * fold runs at a time; other callers return at once.
 */
export async function foldBoardPriceChanges(db: Db): Promise<number> {
  const { rows } = await sql<{ folded: number }>`select board_fold_price_changes(${FOLD_BATCH}) as folded`.execute(db);
  return rows[0]?.folded ?? 0;
}
