import type { Trx } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import { EXTERNAL, postJournal } from '../ledger/ledger.repo.js';
import { settleTrade } from '../market/trades.service.js';
import { type PaymentRow, updatePayment } from './payments.repo.js';

/** Why a paid trade cannot settle now, or null. Checked first so that settleTrade never refuses mid-webhook. */
export async function settlementRefusal(trx: Trx, trade: Row<'trades'>, p: PaymentRow, now: Date): Promise<string | null> {
  if (trade.reserved_until <= now) return 'reservation_expired';
  if (p.amount_received !== null && p.amount_received !== trade.price) return 'amount_mismatch';
  const unit = await trx
    .selectFrom('units')
    .select(['owner_id', 'frozen'])
    .where('id', '=', trade.unit_id)
    .executeTakeFirstOrThrow();
  if (unit.owner_id !== trade.seller_id) return 'seller_no_longer_owns';
  if (unit.frozen) return 'unit_frozen';
  return null;
}

export async function collectAndSettle(trx: Trx, trade: Row<'trades'>, p: PaymentRow, now: Date): Promise<PaymentRow> {
  const paymentJournalId = await postJournal(
    trx,
    {
      kind: 'payment',
      currency: trade.currency,
      tradeId: trade.id,
      memo: `Stripe ${p.payment_intent_id}`,
      postings: [
        { holder: EXTERNAL, role: 'payment_source', amount: -trade.price },
        { holder: trade.buyer_id, role: 'payment', amount: trade.price },
      ],
    },
    now,
  );
  await settleTrade(trx, trade.id, now);
  return updatePayment(trx, p.id, { payment_journal_id: paymentJournalId }, now);
}
