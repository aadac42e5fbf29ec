import type { Trx } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import { recordEvent } from '../events/events.repo.js';
import { postJournal } from '../ledger/ledger.repo.js';
import { type PaymentRow, updatePayment } from './payments.repo.js';
import { setFrozen, tradeContext } from './unit-freeze.service.js';

const holdHolder = (tradeId: string) => `hold:${tradeId}`;

async function sellerProceeds(trx: Trx, trade: Row<'trades'>): Promise<bigint> {
  const row = await trx
    .selectFrom('postings')
    .select('amount')
    .where('journal_id', '=', trade.journal_id!)
    .where('holder', '=', trade.seller_id)
    .where('role', '=', 'seller')
    .executeTakeFirst();
  return row?.amount ?? 0n;
}

export async function holdProceeds(trx: Trx, trade: Row<'trades'>, p: PaymentRow, now: Date) {
  const amount = await sellerProceeds(trx, trade);
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
  await updatePayment(trx, p.id, { hold_journal_id: holdJournalId }, now);
  await recordEvent(trx, {
    type: 'trade.disputed',
    at: now,
    assetId: ctx.asset_id,
    unitId: trade.unit_id,
    platformId: trade.platform_id,
    facts: { tradeId: trade.id, held: Number(amount), currency: trade.currency, holdJournalId },
  });
  await setFrozen(trx, trade, true, 'payment_disputed', now);
}

export async function releaseHold(trx: Trx, trade: Row<'trades'>, p: PaymentRow, now: Date): Promise<PaymentRow> {
  const held = await trx
    .selectFrom('postings')
    .select('amount')
    .where('journal_id', '=', p.hold_journal_id!)
    .where('holder', '=', holdHolder(trade.id))
    .executeTakeFirstOrThrow();
  const releaseId = await postJournal(
    trx,
    {
      kind: 'hold_release',
      currency: trade.currency,
      tradeId: trade.id,
      memo: `Stripe dispute ${p.dispute_id} closed`,
      postings: [
        { holder: holdHolder(trade.id), role: 'hold', amount: -held.amount },
        { holder: trade.seller_id, role: 'hold', amount: held.amount },
      ],
    },
    now,
  );
  return updatePayment(trx, p.id, { hold_release_journal_id: releaseId }, now);
}
