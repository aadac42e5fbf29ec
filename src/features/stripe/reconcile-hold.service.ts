import type { Trx } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import { recordEvent } from '../events/events.repo.js';
import { lockAndFold, postJournal } from '../ledger/ledger.repo.js';
import { type PaymentRow, updatePayment } from './payments.repo.js';
import { tradeCredits } from './trade-credits.js';
import { freezeForPayment, tradeContext } from './unit-freeze.service.js';

export const holdHolder = (tradeId: string) => `hold:${tradeId}`;

/** What the dispute's hold of a trade has now (partial refunds may have taken some of it back). */
export async function heldFor(trx: Trx, trade: Row<'trades'>): Promise<bigint> {
  const row = await trx
    .selectFrom('balances')
    .select('amount')
    .where('holder', '=', holdHolder(trade.id))
    .where('currency', '=', trade.currency)
    .forUpdate()
    .executeTakeFirst();
  return row?.amount ?? 0n;
}

/**
 * What a dispute holds: the seller's proceeds that partial refunds have not taken back, as far as
 * they are still on the seller's balance. Money already spent is not held (a hold cannot be
 * refused mid-webhook); if the dispute is lost, the reversal makes the seller owe it.
 */
async function holdable(trx: Trx, trade: Row<'trades'>, now: Date): Promise<bigint> {
  const proceeds = (await tradeCredits(trx, trade))
    .filter((c) => c.holder === trade.seller_id && c.role === 'seller')
    .reduce((s, c) => s + c.credited - c.reversed, 0n);
  // Locked with the seller's pending credits folded in (a seller may also earn royalties).
  const balances = await lockAndFold(trx, [trade.seller_id], trade.currency, [trade.seller_id], now);
  const available = balances.get(trade.seller_id) ?? 0n;
  return proceeds < available ? proceeds : available;
}

export async function holdProceeds(trx: Trx, trade: Row<'trades'>, p: PaymentRow, now: Date) {
  const amount = await holdable(trx, trade, now);
  const ctx = await tradeContext(trx, trade);
  let holdJournalId: string | null = null;
  if (amount > 0n) {
    holdJournalId = await postJournal(
      trx,
      {
        kind: 'hold',
        currency: trade.currency,
        tradeId: trade.id,
        memo: `Stripe dispute ${p.dispute_id}`,
        postings: [
          { holder: trade.seller_id, role: 'hold', amount: -amount },
          { holder: holdHolder(trade.id), role: 'hold', amount },
        ],
      },
      now,
    );
  }
  await updatePayment(trx, p.id, { hold_journal_id: holdJournalId, hold_placed_at: now }, now);
  await recordEvent(trx, {
    type: 'trade.disputed',
    at: now,
    assetId: ctx.asset_id,
    unitId: trade.unit_id,
    platformId: trade.platform_id,
    facts: { tradeId: trade.id, held: Number(amount), currency: trade.currency, holdJournalId },
  });
  await freezeForPayment(trx, trade, 'payment_disputed', now);
}

/** Gives back what the dispute's hold still has (if anything); once, whichever way the dispute ended. */
export async function releaseHold(trx: Trx, trade: Row<'trades'>, p: PaymentRow, now: Date): Promise<PaymentRow> {
  const held = p.hold_journal_id ? await heldFor(trx, trade) : 0n;
  if (held <= 0n) return updatePayment(trx, p.id, { hold_released_at: now }, now);
  const releaseId = await postJournal(
    trx,
    {
      kind: 'hold_release',
      currency: trade.currency,
      tradeId: trade.id,
      memo: `Stripe dispute ${p.dispute_id} closed`,
      postings: [
        { holder: holdHolder(trade.id), role: 'hold', amount: -held },
        { holder: trade.seller_id, role: 'hold', amount: held },
      ],
    },
    now,
  );
  return updatePayment(trx, p.id, { hold_release_journal_id: releaseId, hold_released_at: now }, now);
}
