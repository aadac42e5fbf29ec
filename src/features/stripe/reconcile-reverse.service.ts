import type { Trx } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import { recordEvent } from '../events/events.repo.js';
import { EXTERNAL, owedIn, postJournal } from '../ledger/ledger.repo.js';
import { largestRemainder } from '../ledger/split.js';
import { type PaymentRow, updatePayment } from './payments.repo.js';
import { releaseHold } from './reconcile-hold.service.js';
import { tradeCredits } from './trade-credits.js';
import { freezeForPayment, tradeContext } from './unit-freeze.service.js';

/**
 * A full refund or a lost dispute: any hold goes back to the seller, every credit of the trade
 * journal that partial refunds have not already taken back is reversed (posting by posting when
 * there were none, so the reversal is the trade journal negated), and the rest of the price leaves
 * to the card. The unit is frozen where it is: ownership stays as recorded and an official decides
 * what happens to it.
 */
export async function reverseTrade(trx: Trx, trade: Row<'trades'>, p: PaymentRow, now: Date) {
  if (p.hold_placed_at && !p.hold_released_at) p = await releaseHold(trx, trade, p, now);
  const credits = await tradeCredits(trx, trade);
  const reason = p.refunded_at ? 'refunded' : 'dispute_lost';
  const taken = await takeBack(trx, trade, credits, trade.price - p.amount_reversed, { full: true, reason }, now);
  await updatePayment(
    trx,
    p.id,
    { reversal_journal_id: taken.reversalId, refund_journal_id: taken.refundId, amount_reversed: trade.price },
    now,
  );
  const ctx = await tradeContext(trx, trade);
  await recordEvent(trx, {
    type: reason === 'refunded' ? 'trade.refunded' : 'trade.chargeback',
    at: now,
    assetId: ctx.asset_id,
    unitId: trade.unit_id,
    platformId: trade.platform_id,
    facts: { tradeId: trade.id, amount: Number(taken.amount), currency: trade.currency, ...taken.facts },
  });
  await freezeForPayment(trx, trade, reason, now);
}

/**
 * A partial refund (Stripe's refunded total grew, the charge is not fully refunded): the new part
 * is taken back from the trade's credits in proportion to what is left of each, and leaves to the
 * card. The sale stands: the unit stays with the buyer and is not frozen.
 */
export async function reversePartially(trx: Trx, trade: Row<'trades'>, p: PaymentRow, now: Date) {
  const amount = p.amount_refunded - p.amount_reversed;
  if (amount <= 0n) return;
  const taken = await takeBack(
    trx,
    trade,
    await tradeCredits(trx, trade),
    amount,
    { full: false, reason: 'partially_refunded' },
    now,
  );
  await updatePayment(trx, p.id, { amount_reversed: p.amount_refunded }, now);
  const ctx = await tradeContext(trx, trade);
  await recordEvent(trx, {
    type: 'trade.partially_refunded',
    at: now,
    assetId: ctx.asset_id,
    unitId: trade.unit_id,
    platformId: trade.platform_id,
    facts: {
      tradeId: trade.id,
      amount: Number(amount),
      refundedTotal: Number(p.amount_refunded),
      currency: trade.currency,
      ...taken.facts,
    },
  });
}

/**
 * Takes `amount` back from what is left of the credits (largest remainder, so the parts sum exactly,
 * and a full reversal, whose `amount` is all that is left, takes each credit's rest) to the buyer, and from the buyer to
 * the card. The card has already been paid back, so nobody can refuse: a holder who has spent the
 * money owes the part that is missing (`shortfall: 'owe'`), recovered from their next credits.
 */
async function takeBack(
  trx: Trx,
  trade: Row<'trades'>,
  credits: Awaited<ReturnType<typeof tradeCredits>>,
  amount: bigint,
  { full, reason }: { full: boolean; reason: string },
  now: Date,
) {
  const left = credits.filter((c) => c.credited > c.reversed);
  const parts = largestRemainder(
    amount,
    left.map((c) => c.credited - c.reversed),
  );
  const reversalId = await postJournal(
    trx,
    {
      kind: full ? 'reversal' : 'partial_reversal',
      currency: trade.currency,
      tradeId: trade.id,
      // The trade journal is reversed once (UNIQUE): by the reversal that takes back all that is left.
      reverses: full ? trade.journal_id! : undefined,
      memo: `Stripe ${reason}`,
      postings: [
        { holder: trade.buyer_id, role: 'buyer', amount },
        ...left.map((c, i) => ({ holder: c.holder, role: c.role, amount: -parts[i]! })),
      ],
      shortfall: 'owe',
    },
    now,
  );
  const refundId = await postJournal(
    trx,
    {
      kind: 'refund',
      currency: trade.currency,
      tradeId: trade.id,
      memo: `Stripe ${reason}`,
      postings: [
        { holder: trade.buyer_id, role: 'refund', amount: -amount },
        { holder: EXTERNAL, role: 'refund_sink', amount },
      ],
    },
    now,
  );
  const owed = await owedIn(trx, reversalId);
  return {
    amount,
    reversalId,
    refundId,
    facts: {
      reversalJournalId: reversalId,
      refundJournalId: refundId,
      // Who came to owe what because the proceeds had already been spent.
      owed: owed.map((o) => ({ holder: o.holder, amount: Number(o.amount) })),
    },
  };
}
