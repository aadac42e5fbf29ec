import type { Trx } from '../../db/database.js';
import { EXTERNAL, postJournal } from '../ledger/ledger.repo.js';

/**
 * A refund or dispute of a trade whose proceeds were paid out: each payout journal is reversed
 * (the money is back on the clearing balance, so the hold or the trade reversal can take it), a
 * transfer not yet sent is never sent, and one already sent gets a transfer reversal after commit.
 * In the caller's transaction; returns the transfer ids to process after commit.
 */
export async function clawBackPayouts(trx: Trx, tradeId: string, now: Date): Promise<string[]> {
  const rows = await trx
    .selectFrom('stripe_transfers')
    .selectAll()
    .where('trade_id', '=', tradeId)
    .where('clawed_back_at', 'is', null)
    .orderBy('id')
    .forUpdate()
    .execute();
  for (const row of rows) {
    const journalId = await postJournal(
      trx,
      {
        kind: 'reversal',
        currency: row.currency,
        tradeId,
        reverses: row.journal_id,
        memo: 'Stripe Connect payout clawed back (refund or dispute)',
        postings: [
          { holder: EXTERNAL, role: 'payout_sink', amount: -row.amount },
          { holder: row.holder, role: 'payout', amount: row.amount },
        ],
      },
      now,
    );
    await trx
      .updateTable('stripe_transfers')
      .set({ clawback_journal_id: journalId, clawed_back_at: now, next_attempt_at: now })
      .where('id', '=', row.id)
      .execute();
  }
  return rows.map((r) => r.id);
}
