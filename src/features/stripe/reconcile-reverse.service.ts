import type { Trx } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import { recordEvent } from '../events/events.repo.js';
import { EXTERNAL, postJournal } from '../ledger/ledger.repo.js';
import { type PaymentRow, updatePayment } from './payments.repo.js';
import { releaseHold } from './reconcile-hold.service.js';
import { setFrozen, tradeContext } from './unit-freeze.service.js';

/**
 * A refund or a lost dispute: any hold goes back to the seller, the trade journal is reversed
 * posting by posting (so the buyer holds the price again) and the price leaves to the card.
 * The unit is frozen where it is: ownership stays as recorded and an official decides (DESIGN §2).
 */
export async function reverseTrade(trx: Trx, trade: Row<'trades'>, p: PaymentRow, now: Date) {
  if (p.hold_journal_id && !p.hold_release_journal_id) p = await releaseHold(trx, trade, p, now);
  const original = await trx
    .selectFrom('postings')
    .select(['holder', 'role', 'amount'])
    .where('journal_id', '=', trade.journal_id!)
    .orderBy('id')
    .execute();
  const reason = p.refunded_at ? 'refunded' : 'dispute_lost';
  const reversalId = await postJournal(
    trx,
    {
      kind: 'reversal',
      currency: trade.currency,
      tradeId: trade.id,
      reverses: trade.journal_id!,
      memo: `Stripe ${reason}`,
      postings: original.map((x) => ({ holder: x.holder, role: x.role, amount: -x.amount })),
    },
    now,
  );
  const refundId = await postJournal(
    trx,
    {
      kind: 'refund',
      currency: trade.currency,
      tradeId: trade.id,
      memo: `Stripe ${reason} ${p.payment_intent_id}`,
      postings: [
        { holder: trade.buyer_id, role: 'refund', amount: -trade.price },
        { holder: EXTERNAL, role: 'refund_sink', amount: trade.price },
      ],
    },
    now,
  );
  await updatePayment(trx, p.id, { reversal_journal_id: reversalId, refund_journal_id: refundId }, now);
  const ctx = await tradeContext(trx, trade);
  await recordEvent(trx, {
    type: reason === 'refunded' ? 'trade.refunded' : 'trade.chargeback',
    at: now,
    assetId: ctx.asset_id,
    unitId: trade.unit_id,
    platformId: trade.platform_id,
    facts: {
      tradeId: trade.id,
      amount: Number(trade.price),
      currency: trade.currency,
      reversalJournalId: reversalId,
      refundJournalId: refundId,
    },
  });
  await setFrozen(trx, trade, true, reason, now);
}
