import type { Trx } from '../../db/database.js';
import { countAuthorisedBid } from '../auctions/card-bids.service.js';
import { EXTERNAL, postJournal } from '../ledger/ledger.repo.js';
import { reconcileLicencePayment } from '../licensing/card-payments.js';
import { releaseTrade } from '../market/trade-release.service.js';
import { type PaymentRow, updatePayment } from './payments.repo.js';
import { clawBackPayouts } from './payout-clawback.service.js';
import { schedulePayouts } from './payout-scheduling.service.js';
import { holdProceeds, releaseHold } from './reconcile-hold.service.js';
import { reversePartially, reverseTrade } from './reconcile-reverse.service.js';
import { collectAndSettle, settlementRefusal } from './reconcile-settle.service.js';
import { rearmDisputedRefund, requestRefund } from './refunds.service.js';
import { freezeForFacts, liftDisputeFreeze } from './unit-freeze.service.js';

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
  if (payment.purpose === 'licence') {
    // A licence's upfront fee: the grant is made, or the grant lapsed and the money goes back.
    return { refunds: await reconcileLicencePayment(trx, payment, eventId, now), transfers: [] };
  }
  if (payment.purpose === 'bid' && !payment.trade_id) {
    // A card bid that has not won: the authorisation makes it count (or not). Money can only have
    // moved if Stripe captured it without us, which is then given back.
    await countAuthorisedBid(trx, payment, now);
    const refund = refundNeeded(payment) ? await requestRefund(trx, payment, { eventId, reason: 'bid_not_won' }, now) : null;
    return { refunds: refund ? [refund] : [], transfers: [] };
  }
  // A trade's payment: a stripe-rail purchase, or the captured card bid that won an auction.
  const transfers: string[] = [];
  const refunds = await reconcileTrade(trx, payment, eventId, now, transfers);
  return { refunds, transfers };
}

/**
 * Stripe has said the charge went through: it succeeded, or it was refunded or disputed, which only
 * a charge that succeeded can be. So a refund or dispute that arrives before `succeeded` is already
 * proof of payment, and the trade is decided the same way whichever comes first.
 */
export function isPaid(p: PaymentRow): boolean {
  return p.succeeded_at !== null || p.amount_refunded > 0n || p.refunded_at !== null || p.dispute_status !== null;
}

/** All of the payment went back: refunded in full, or lost in a dispute. */
export function wantsReversal(p: PaymentRow) {
  return p.refunded_at !== null || p.dispute_status === 'lost';
}

/**
 * The exchange must send the payment back itself: paid, not all refunded at Stripe, and no dispute
 * that is returning it (open or lost; Stripe refuses to refund a disputed charge).
 */
export function refundNeeded(p: PaymentRow) {
  return (
    isPaid(p) &&
    p.refunded_at === null &&
    p.amount_refunded < p.amount &&
    p.dispute_status !== 'open' &&
    p.dispute_status !== 'lost'
  );
}

async function lockTrade(trx: Trx, id: string) {
  return trx.selectFrom('trades').selectAll().where('id', '=', id).forUpdate().executeTakeFirstOrThrow();
}

/**
 * The row of the outcome table (README.md in this folder) for the facts on the payment row, reached
 * from wherever the trade stands. Only two things are decided once and for good, each at the first
 * proof of payment: whether the trade settles (the reservation still holds, the seller still owns
 * the unit, it is not frozen) or is released. Everything after that — reversals, holds, freezes,
 * the refund request — is brought to what the facts say, so a later or repeated fact never changes
 * what another order would have produced.
 */
async function reconcileTrade(trx: Trx, p: PaymentRow, eventId: string, now: Date, transfers: string[]): Promise<string[]> {
  let trade = await lockTrade(trx, p.trade_id!);
  if (trade.status === 'reserved') {
    if (isPaid(p)) {
      const refusal = await settlementRefusal(trx, trade, p, now);
      if (refusal) {
        await releaseTrade(trx, trade.id, refusal, now);
      } else {
        p = await collectAndSettle(trx, trade, p, now);
        // Proceeds go out to Connect accounts unless Stripe is already taking the payment back
        // (a dispute, or a full refund): then they stay on the clearing balance to be held or reversed.
        if (p.dispute_status === null && !wantsReversal(p)) {
          transfers.push(...(await schedulePayouts(trx, await lockTrade(trx, trade.id), p, now)));
        }
      }
      trade = await lockTrade(trx, trade.id);
    } else if (p.canceled_at) {
      // Canceled is final at Stripe: no payment can follow, the unit is free again.
      await releaseTrade(trx, trade.id, 'payment_canceled', now);
      return [];
    } else {
      // Nothing yet, or a failed attempt: the buyer may try again while the reservation holds.
      return [];
    }
  }

  if (trade.status === 'released' || !p.payment_journal_id) {
    // Paid for a trade that did not happen on the card (released, or settled another way): the
    // money goes back to the card once, unless Stripe has already returned it.
    if (!refundNeeded(p)) return [];
    const reason = trade.status === 'released' ? (trade.release_reason ?? 'trade_released') : 'settled_from_balance';
    const id =
      (await requestRefund(trx, p, { eventId, reason }, now)) ??
      (p.dispute_status === 'won' ? await rearmDisputedRefund(trx, p.id, now) : null);
    return id ? [id] : [];
  }

  if (wantsReversal(p)) {
    if (!p.reversal_journal_id) {
      transfers.push(...(await clawBackPayouts(trx, trade.id, now)));
      p = await reverseTrade(trx, trade, p, now);
    }
    await freezeForFacts(trx, trade, p, now);
    return [];
  }
  if (p.amount_refunded > p.amount_reversed) p = await reversePartially(trx, trade, p, now);
  if (p.dispute_status === 'open' && !p.hold_placed_at) {
    transfers.push(...(await clawBackPayouts(trx, trade.id, now)));
    await holdProceeds(trx, trade, p, now);
  } else if (p.dispute_status === 'won' && p.hold_placed_at && !p.hold_released_at) {
    p = await releaseHold(trx, trade, p, now);
    await liftDisputeFreeze(trx, trade, 'dispute_won', now);
  }
  return [];
}

/**
 * Top-ups credit the holder once when the payment succeeds (external → holder, the journal shape of
 * operator top-ups). A refund (partial or full) or a lost dispute takes the credit back; the money
 * has already gone back to the card, so a holder who has spent it owes the difference.
 */
async function reconcileTopUp(trx: Trx, p: PaymentRow, eventId: string, now: Date): Promise<string[]> {
  // Credited once paid (a refund or dispute arriving first is proof of payment too), then taken back
  // as far as the facts say, so every order ends with the same balance.
  if (isPaid(p) && !p.payment_journal_id) {
    if (p.amount_received !== null && p.amount_received !== p.amount) {
      // Never credit an amount other than the one asked for: the whole payment goes back to the card,
      // unless Stripe is returning it already (refunded in full, or disputed).
      if (!refundNeeded(p)) return [];
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
