import type { Trx } from '../../db/database.js';
import type { PostingsTable, Row } from '../../db/schema.js';

export interface TradeCredit {
  holder: string;
  role: PostingsTable['role'];
  /** What the trade journal credited (summed over its postings with this holder and role). */
  credited: bigint;
  /** What partial refunds have taken back of it so far. */
  reversed: bigint;
}

/**
 * The credits of a settled trade (seller, platform fee, royalties), in the trade journal's order,
 * with what `partial_reversal` journals have already taken back of each (from the dispute's hold too): a refund takes back what
 * is left, so a series of partial refunds followed by a full one reverses each credit exactly once.
 */
export async function tradeCredits(trx: Trx, trade: Row<'trades'>): Promise<TradeCredit[]> {
  const credits = await trx
    .selectFrom('postings')
    .select(['holder', 'role', 'amount'])
    .where('journal_id', '=', trade.journal_id!)
    .where('amount', '>', 0n)
    .orderBy('id')
    .execute();
  const reversed = await trx
    .selectFrom('postings')
    .innerJoin('journals', 'journals.id', 'postings.journal_id')
    .select(['postings.holder', 'postings.role', 'postings.amount'])
    .where('journals.trade_id', '=', trade.id)
    .where('journals.kind', '=', 'partial_reversal')
    .where('postings.amount', '<', 0n)
    .where('postings.role', '!=', 'receivable')
    .execute();
  const byKey = new Map<string, TradeCredit>();
  for (const c of credits) {
    const key = `${c.holder}/${c.role}`;
    const entry = byKey.get(key) ?? { holder: c.holder, role: c.role, credited: 0n, reversed: 0n };
    entry.credited += c.amount;
    byKey.set(key, entry);
  }
  for (const r of reversed) {
    // What a partial refund took from the dispute's hold was the seller's proceeds.
    const key = r.holder === `hold:${trade.id}` ? `${trade.seller_id}/seller` : `${r.holder}/${r.role}`;
    const entry = byKey.get(key);
    if (entry) entry.reversed -= r.amount;
  }
  return [...byKey.values()];
}
