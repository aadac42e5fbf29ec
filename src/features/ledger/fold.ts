import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { lockAndFold } from './ledger.repo.js';

/** How many holders one run folds; the rest wait for the next run (each fold is a short transaction). */
const HOLDERS_PER_RUN = 500;

/**
 * The scheduler's fold (schema/0027_pending_credits.sql): every holder with pending credits (a
 * platform's fees, a creator's royalties) has them folded into its balance row, oldest first, each
 * posting getting its running balance, and pays what it owes from them first. One short
 * transaction per holder and currency, so a fold holds one platform's row for a moment, not all of
 * them. Safe to run from several places at once and to repeat: the fold locks the row, and a
 * credit already folded is no longer pending. Returns how many holders it folded.
 */
export async function foldPendingCredits(db: Db, now: Date): Promise<number> {
  const { rows } = await sql<{ holder: string; currency: string }>`
    select distinct p.holder, j.currency
    from postings p join journals j on j.id = p.journal_id
    where p.deferred and p.balance_after is null
    limit ${HOLDERS_PER_RUN}`.execute(db);
  for (const r of rows) {
    await db.transaction().execute((trx) => lockAndFold(trx, [r.holder], r.currency, [r.holder], now));
  }
  return rows.length;
}
