import type { Trx } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import { newId } from '../../ids.js';
import { EXTERNAL, lockAndFold, postJournal } from '../ledger/ledger.repo.js';
import type { PaymentRow } from './payments.repo.js';

/** Roles of a trade journal whose credits are paid out to the holder's connected account. */
const PAID_OUT = new Set(['seller', 'royalty', 'parent_royalty']);

/**
 * After a stripe-rail trade settles, in the same transaction: for every seller or creator credit
 * whose holder has a connected account with payouts enabled, a payout journal (holder → external)
 * and a transfer row (its own idempotency key, the trade id as transfer_group, the Charge as
 * source_transaction). Other holders keep the money on their clearing balance. Returns the
 * transfer ids to send after commit.
 */
export async function schedulePayouts(trx: Trx, trade: Row<'trades'>, p: PaymentRow, now: Date): Promise<string[]> {
  const credits = await trx
    .selectFrom('postings')
    .innerJoin('stripe_connected_accounts', 'stripe_connected_accounts.holder', 'postings.holder')
    .select(['postings.holder', 'postings.role', 'postings.amount'])
    // Only accounts Stripe has enabled for payouts (account.updated, schema 0010): a transfer to any
    // other would fail and retry for nothing; their proceeds stay on the clearing balance.
    .where('stripe_connected_accounts.payouts_enabled', '=', true)
    .where('postings.journal_id', '=', trade.journal_id!)
    .where('postings.amount', '>', 0n)
    .orderBy('postings.id')
    .execute();
  const ids: string[] = [];
  // Locked, with any pending credits (this trade's royalties among them) folded in: what can go out.
  const holders = [...new Set(credits.map((c) => c.holder))];
  const available = await lockAndFold(trx, holders, trade.currency, holders, now);
  for (const credit of credits.filter((x) => PAID_OUT.has(x.role))) {
    // A holder who owed the exchange (a past chargeback) has already repaid part of it from this
    // credit, in the trade's own journal: only what is left on the balance goes out.
    const left = available.get(credit.holder) ?? 0n;
    const c = { ...credit, amount: credit.amount < left ? credit.amount : left };
    if (c.amount <= 0n) continue;
    available.set(c.holder, left - c.amount);
    const journalId = await postJournal(
      trx,
      {
        kind: 'payout',
        currency: trade.currency,
        tradeId: trade.id,
        memo: `Stripe Connect transfer of ${c.role} proceeds`,
        postings: [
          { holder: c.holder, role: 'payout', amount: -c.amount },
          { holder: EXTERNAL, role: 'payout_sink', amount: c.amount },
        ],
      },
      now,
    );
    const id = newId('tfq');
    await trx
      .insertInto('stripe_transfers')
      .values({
        id,
        trade_id: trade.id,
        holder: c.holder,
        role: c.role,
        currency: trade.currency,
        amount: c.amount,
        transfer_group: trade.id,
        source_charge: p.charge_id,
        journal_id: journalId,
        idempotency_key: `haipai-tr-${trade.id}-${c.holder}-${c.role}`,
        next_attempt_at: now,
        created_at: now,
      })
      .execute();
    ids.push(id);
  }
  return ids;
}
