import type { Db } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import type { Principal } from '../../http/env.js';
import { decodeCursor, toPage } from '../../http/pagination.js';
import { notFound } from '../../http/problem.js';
import { actingAccount } from '../parties/access.js';

/**
 * Payout report of one account: totals per currency over every transfer of its proceeds (summed
 * in SQL, so they hold however many there are), and the transfers themselves a page at a time,
 * oldest first (ids are ULIDs, so id order is creation order and the cursor is the last id).
 */
export async function payoutReport(db: Db, principal: Principal, accountId: string, page: { after?: string; limit: number }) {
  const cursor = decodeCursor(page.after, /^tfq_[0-9A-Z]{26}$/);
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
  // Clawed back (cancelled, or paid and taken back) counts as neither paid nor pending.
  const totals = await db
    .selectFrom('stripe_transfers')
    .select((eb) => [
      'currency',
      eb.fn
        .sum<string>(
          eb
            .case()
            .when(eb.and([eb('clawed_back_at', 'is', null), eb('sent_at', 'is not', null)]))
            .then(eb.ref('amount'))
            .else(0n)
            .end(),
        )
        .as('paid'),
      eb.fn
        .sum<string>(
          eb
            .case()
            .when(eb.and([eb('clawed_back_at', 'is', null), eb('sent_at', 'is', null)]))
            .then(eb.ref('amount'))
            .else(0n)
            .end(),
        )
        .as('pending'),
    ])
    .where('holder', '=', accountId)
    .groupBy('currency')
    .orderBy('currency')
    .execute();
  let q = db.selectFrom('stripe_transfers').selectAll().where('holder', '=', accountId);
  if (cursor) q = q.where('id', '>', cursor);
  const rows = await q
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
  const { data, nextCursor } = toPage(rows, page.limit, (r) => r.id, presentTransfer);
  return {
    accountId,
    stripeAccountId: connected?.stripe_account_id ?? null,
    totals: totals.map((t) => ({ currency: t.currency, paid: Number(t.paid), pending: Number(t.pending) })),
    transfers: data,
    nextCursor,
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
