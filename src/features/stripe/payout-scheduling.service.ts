import { ulid } from 'ulid';
import type { Trx } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import { EXTERNAL, postJournal } from '../ledger/ledger.repo.js';
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
  for (const c of credits.filter((x) => PAID_OUT.has(x.role))) {
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
    const id = `tfq_${ulid()}`;
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
