import type { Db } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import type { Principal } from '../../http/env.js';
import { notFound } from '../../http/problem.js';
import { actingAccount } from '../parties/access.js';

/** Payout report of one account: every transfer of its proceeds, and totals per currency. */
export async function payoutReport(db: Db, principal: Principal, accountId: string) {
  const account =
    principal.kind === 'operator' || principal.kind === 'official'
      ? await db.selectFrom('accounts').select(['id']).where('id', '=', accountId).executeTakeFirst()
      : await actingAccount(db, principal, accountId);
  if (!account) throw notFound('account', accountId);
  const connected = await db
    .selectFrom('stripe_connected_accounts')
    .selectAll()
    .where('holder', '=', accountId)
    .executeTakeFirst();
  const rows = await db
    .selectFrom('stripe_transfers')
    .selectAll()
    .where('holder', '=', accountId)
    .orderBy('created_at')
    .orderBy('id')
    .limit(1000)
    .execute();
  const totals = new Map<string, { currency: string; paid: number; pending: number }>();
  for (const r of rows) {
    if (!totals.has(r.currency)) totals.set(r.currency, { currency: r.currency, paid: 0, pending: 0 });
    const t = totals.get(r.currency) ?? { currency: r.currency, paid: 0, pending: 0 };
    if (r.clawed_back_at) continue; // cancelled, or paid and taken back
    if (r.sent_at) t.paid += Number(r.amount);
    else t.pending += Number(r.amount);
    totals.set(r.currency, t);
  }
  return {
    accountId,
    stripeAccountId: connected?.stripe_account_id ?? null,
    totals: [...totals.values()],
    transfers: rows.map(presentTransfer),
  };
}

/** One transfer as the payout report and the payouts list show it. */
export function presentTransfer(r: Row<'stripe_transfers'>) {
  return {
    id: r.id,
    accountId: r.holder,
    tradeId: r.trade_id,
    role: r.role,
    currency: r.currency,
    amount: Number(r.amount),
    transferGroup: r.transfer_group,
    sourceTransaction: r.source_charge,
    status: r.clawed_back_at
      ? r.sent_at
        ? ('reversed' as const)
        : ('cancelled' as const)
      : r.sent_at
        ? ('paid' as const)
        : r.attempts > 0
          ? ('retrying' as const)
          : ('pending' as const),
    stripeReversalId: r.stripe_reversal_id,
    attempts: r.attempts,
    lastError: r.last_error,
    nextAttemptAt: r.sent_at ? null : r.next_attempt_at.toISOString(),
    stripeTransferId: r.stripe_transfer_id,
    createdAt: r.created_at.toISOString(),
    paidAt: r.sent_at?.toISOString() ?? null,
  };
}
