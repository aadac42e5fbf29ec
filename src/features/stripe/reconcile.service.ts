import type { Trx } from '../../db/database.js';
import { EXTERNAL, postJournal } from '../ledger/ledger.repo.js';
import { releaseTrade } from '../market/trades.service.js';
import { type PaymentRow, updatePayment } from './payments.repo.js';
import { clawBackPayouts } from './payout-clawback.service.js';
import { schedulePayouts } from './payout-scheduling.service.js';
import { holdProceeds, releaseHold } from './reconcile-hold.service.js';
import { reversePartially, reverseTrade } from './reconcile-reverse.service.js';
import { collectAndSettle, settlementRefusal } from './reconcile-settle.service.js';
import { requestRefund } from './refunds.service.js';
import { liftDisputeFreeze } from './unit-freeze.service.js';

/**
 * Brings the ledger, the trade and the unit in line with what Stripe has told us about a payment
 * (the facts on its `stripe_payments` row). Every webhook records its fact first and then calls
 * this, so the outcome depends on the set of facts, not on the order events arrive in, and a
 * repeat changes nothing. Runs in the webhook's transaction with the payment row locked.
 *
 * Money on the stripe rail (every journal balanced; see README.md in this folder):
 *   payment   external → buyer (price)          the card money arrives on the buyer's clearing balance
 *   trade     buyer → seller, platform, creators the same journal settleTrade writes on the balance rail
 *   hold      seller → hold:<trade> (proceeds)  while a dispute is open
 *   reversal  exact negation of the trade journal, on a refund or a lost dispute
 *   partial_reversal  a partial refund's share of each credit, back to the buyer
 *   refund    buyer → external (price)          the money goes back to the card
 *   receivable / recovery  what a holder who had spent the proceeds owes, and its repayment
 *
 *   payout    seller/creator → external         proceeds transferred to their Connect accounts
 *
 * Returns the refund requests and Connect transfers to send after commit.
 */
export async function reconcilePayment(
  trx: Trx,
  payment: PaymentRow,
  eventId: string,
  now: Date,
): Promise<{ refunds: string[]; transfers: string[] }> {
  if (payment.purpose === 'topup') {
    return { refunds: await reconcileTopUp(trx, payment, eventId, now), transfers: [] };
  }
  const transfers: string[] = [];
  const refunds = await reconcileTrade(trx, payment, eventId, now, transfers);
  return { refunds, transfers };
}

function wantsReversal(p: PaymentRow) {
  return p.refunded_at !== null || p.dispute_status === 'lost';
}

async function lockTrade(trx: Trx, id: string) {
  return trx.selectFrom('trades').selectAll().where('id', '=', id).forUpdate().executeTakeFirstOrThrow();
}

async function reconcileTrade(trx: Trx, p: PaymentRow, eventId: string, now: Date, transfers: string[]): Promise<string[]> {
  let trade = await lockTrade(trx, p.trade_id!);
  const refunds: string[] = [];
  const refund = async (reason: string) => {
    const id = await requestRefund(trx, p, { eventId, reason }, now);
    if (id) refunds.push(id);
  };

  if (trade.status === 'reserved') {
    if (p.succeeded_at && !wantsReversal(p)) {
      const refusal = await settlementRefusal(trx, trade, p, now);
      if (refusal) {
        await releaseTrade(trx, trade.id, refusal, now);
        await refund(refusal);
        return refunds;
      }
      p = await collectAndSettle(trx, trade, p, now);
      trade = await lockTrade(trx, trade.id);
      // Proceeds go out to Connect accounts, unless a dispute is already open (they stay to be held).
      if (p.dispute_status === null) transfers.push(...(await schedulePayouts(trx, trade, p, now)));
    } else if (wantsReversal(p)) {
      await releaseTrade(trx, trade.id, 'payment_refunded', now);
      return refunds;
    } else if (p.canceled_at || p.failed_at) {
      await releaseTrade(trx, trade.id, p.canceled_at ? 'payment_canceled' : 'payment_failed', now);
      return refunds;
    } else {
      return refunds;
    }
  }

  if (trade.status === 'released') {
    // Paid for a trade that can no longer happen (lapsed, failed earlier, cancelled): the money goes back.
    if (p.succeeded_at && !wantsReversal(p)) await refund(trade.release_reason ?? 'trade_released');
    return refunds;
  }

  // Settled.
  if (!p.payment_journal_id) {
    // Settled some other way (the buyer's balance) before the card payment landed: return the card money.
    if (p.succeeded_at && !wantsReversal(p)) await refund('settled_from_balance');
    return refunds;
  }
  if (wantsReversal(p)) {
    if (!p.reversal_journal_id) {
      transfers.push(...(await clawBackPayouts(trx, trade.id, now)));
      await reverseTrade(trx, trade, p, now);
    }
    return refunds;
  }
  if (p.amount_refunded > 0n) await reversePartially(trx, trade, p, now);
  if (p.dispute_status === 'open' && !p.hold_placed_at) {
    transfers.push(...(await clawBackPayouts(trx, trade.id, now)));
    await holdProceeds(trx, trade, p, now);
  } else if (p.dispute_status === 'won' && p.hold_placed_at && !p.hold_released_at) {
    p = await releaseHold(trx, trade, p, now);
    await liftDisputeFreeze(trx, trade, 'dispute_won', now);
  }
  return refunds;
}

/**
 * Top-ups credit the holder once when the payment succeeds (external → holder, the journal shape of
 * operator top-ups). A refund (partial or full) or a lost dispute takes the credit back; the money
 * has already gone back to the card, so a holder who has spent it owes the difference.
 */
async function reconcileTopUp(trx: Trx, p: PaymentRow, eventId: string, now: Date): Promise<string[]> {
  if (p.succeeded_at && !p.payment_journal_id && !wantsReversal(p)) {
    if (p.amount_received !== null && p.amount_received !== p.amount) {
      // Never credit an amount other than the one asked for: the whole payment goes back to the card.
      const refund = await requestRefund(trx, p, { eventId, reason: 'amount_mismatch' }, now);
      return refund ? [refund] : [];
    }
    const id = await postJournal(
      trx,
      {
        kind: 'topup',
        currency: p.currency,
        memo: `Stripe top-up ${p.id} (${p.payment_intent_id})`,
        postings: [
          { holder: EXTERNAL, role: 'topup_source', amount: -p.amount },
          { holder: p.holder, role: 'topup', amount: p.amount },
        ],
      },
      now,
    );
    p = await updatePayment(trx, p.id, { payment_journal_id: id }, now);
  }
  if (!p.payment_journal_id || p.reversal_journal_id) return [];
  const full = wantsReversal(p);
  const target = full ? p.amount : p.amount_refunded;
  if (target <= p.amount_reversed) return [];
  const amount = target - p.amount_reversed;
  const id = await postJournal(
    trx,
    {
      kind: full ? 'reversal' : 'partial_reversal',
      currency: p.currency,
      reverses: full ? p.payment_journal_id : undefined,
      memo: `Stripe top-up ${p.id} ${p.refunded_at ? 'refunded' : full ? 'lost in dispute' : 'partially refunded'}`,
      postings: [
        { holder: p.holder, role: 'topup', amount: -amount },
        { holder: EXTERNAL, role: 'topup_source', amount },
      ],
      shortfall: 'owe',
    },
    now,
  );
  await updatePayment(trx, p.id, { amount_reversed: target, reversal_journal_id: full ? id : null }, now);
  return [];
}
