import type { Trx } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import { recordEvent } from '../events/events.repo.js';
import { EXTERNAL, postJournal } from '../ledger/ledger.repo.js';
import { releaseTrade, settleTrade } from '../market/trades.service.js';
import { type PaymentRow, updatePayment } from './payments.repo.js';
import { clawBackPayouts, schedulePayouts } from './payouts.service.js';
import { requestRefund } from './refunds.service.js';

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
 *   refund    buyer → external (price)          the money goes back to the card
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
    await reconcileTopUp(trx, payment, now);
    return { refunds: [], transfers: [] };
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
  } else if (p.dispute_status === 'open' && !p.hold_journal_id) {
    transfers.push(...(await clawBackPayouts(trx, trade.id, now)));
    await holdProceeds(trx, trade, p, now);
  } else if (p.dispute_status === 'won' && p.hold_journal_id && !p.hold_release_journal_id) {
    p = await releaseHold(trx, trade, p, now);
    await setFrozen(trx, trade, false, 'dispute_won', now);
  }
  return refunds;
}

/** Why a paid trade cannot settle now, or null. Checked first so that settleTrade never refuses mid-webhook. */
async function settlementRefusal(trx: Trx, trade: Row<'trades'>, p: PaymentRow, now: Date): Promise<string | null> {
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

async function collectAndSettle(trx: Trx, trade: Row<'trades'>, p: PaymentRow, now: Date): Promise<PaymentRow> {
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

async function tradeContext(trx: Trx, trade: Row<'trades'>) {
  return trx
    .selectFrom('units')
    .innerJoin('editions', 'editions.id', 'units.edition_id')
    .select(['editions.asset_id', 'units.frozen', 'units.owner_id'])
    .where('units.id', '=', trade.unit_id)
    .executeTakeFirstOrThrow();
}

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

async function holdProceeds(trx: Trx, trade: Row<'trades'>, p: PaymentRow, now: Date) {
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

async function releaseHold(trx: Trx, trade: Row<'trades'>, p: PaymentRow, now: Date): Promise<PaymentRow> {
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

/**
 * A refund or a lost dispute: any hold goes back to the seller, the trade journal is reversed
 * posting by posting (so the buyer holds the price again) and the price leaves to the card.
 * The unit is frozen where it is: ownership stays as recorded and an official decides (DESIGN §2).
 */
async function reverseTrade(trx: Trx, trade: Row<'trades'>, p: PaymentRow, now: Date) {
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

async function setFrozen(trx: Trx, trade: Row<'trades'>, frozen: boolean, reason: string, now: Date) {
  const unit = await trx
    .selectFrom('units')
    .innerJoin('editions', 'editions.id', 'units.edition_id')
    .select(['units.frozen', 'units.owner_id', 'editions.asset_id'])
    .where('units.id', '=', trade.unit_id)
    .forNoKeyUpdate('units')
    .executeTakeFirstOrThrow();
  if (unit.frozen === frozen) return;
  await trx.updateTable('units').set({ frozen }).where('id', '=', trade.unit_id).execute();
  await recordEvent(trx, {
    type: frozen ? 'unit.frozen' : 'unit.unfrozen',
    at: now,
    assetId: unit.asset_id,
    unitId: trade.unit_id,
    platformId: trade.platform_id,
    facts: { unitId: trade.unit_id, ownerId: unit.owner_id, tradeId: trade.id, reason },
  });
}

/**
 * Top-ups credit the holder once when the payment succeeds (external → holder, the journal shape of
 * operator top-ups). A refund or lost dispute afterwards takes the credit back if the balance allows.
 */
async function reconcileTopUp(trx: Trx, p: PaymentRow, now: Date): Promise<void> {
  if (p.succeeded_at && !p.payment_journal_id && !wantsReversal(p)) {
    if (p.amount_received !== null && p.amount_received !== p.amount) return;
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
    await updatePayment(trx, p.id, { payment_journal_id: id }, now);
  } else if (wantsReversal(p) && p.payment_journal_id && !p.reversal_journal_id) {
    const id = await postJournal(
      trx,
      {
        kind: 'reversal',
        currency: p.currency,
        reverses: p.payment_journal_id,
        memo: `Stripe top-up ${p.id} ${p.refunded_at ? 'refunded' : 'lost in dispute'}`,
        postings: [
          { holder: p.holder, role: 'topup', amount: -p.amount },
          { holder: EXTERNAL, role: 'topup_source', amount: p.amount },
        ],
      },
      now,
    );
    await updatePayment(trx, p.id, { reversal_journal_id: id }, now);
  }
}
