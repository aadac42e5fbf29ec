import { ulid } from 'ulid';
import type { Db, Trx } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import type { Deps } from '../../deps.js';
import type { Principal } from '../../http/env.js';
import { AppError, notFound } from '../../http/problem.js';
import { EXTERNAL, postJournal } from '../ledger/ledger.repo.js';
import { actingAccount } from '../parties/access.js';
import type { PaymentRow } from './payments.repo.js';
import { requirePayments } from './webhook.service.js';

type StripeDeps = Pick<Deps, 'db' | 'clock' | 'payments' | 'log'>;

/** Waits between attempts of a failed transfer: 1 min, 2, 4 … capped at 6 h (Stripe idempotency keeps retries safe). */
export function transferBackoffSeconds(attempts: number): number {
  return Math.min(60 * 2 ** Math.max(0, attempts - 1), 6 * 3600);
}

/** Roles of a trade journal whose credits are paid out to the holder's connected account. */
const PAID_OUT = new Set(['seller', 'royalty', 'parent_royalty']);

/**
 * After a stripe-rail trade settles, in the same transaction: for every seller or creator credit
 * whose holder has a connected account, a payout journal (holder → external) and a transfer row
 * (its own idempotency key, the trade id as transfer_group, the Charge as source_transaction).
 * Holders without a connected account keep the money on their clearing balance. Returns the
 * transfer ids to send after commit.
 */
export async function schedulePayouts(trx: Trx, trade: Row<'trades'>, p: PaymentRow, now: Date): Promise<string[]> {
  const credits = await trx
    .selectFrom('postings')
    .innerJoin('stripe_connected_accounts', 'stripe_connected_accounts.holder', 'postings.holder')
    .select(['postings.holder', 'postings.role', 'postings.amount'])
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

/**
 * Sends transfers to Stripe, and reversals of transfers that were clawed back after they went out
 * (never inside a transaction). A failure is recorded with its next attempt; the schedule retries.
 */
export async function sendTransfers(deps: StripeDeps, ids: string[]): Promise<void> {
  if (!ids.length || !deps.payments) return;
  const rows = await deps.db
    .selectFrom('stripe_transfers')
    .innerJoin('stripe_connected_accounts', 'stripe_connected_accounts.holder', 'stripe_transfers.holder')
    .selectAll('stripe_transfers')
    .select('stripe_connected_accounts.stripe_account_id')
    .where('stripe_transfers.id', 'in', ids)
    .execute();
  for (const row of rows) {
    const transferDue = row.sent_at === null && row.clawed_back_at === null;
    const reversalDue = row.sent_at !== null && row.clawed_back_at !== null && row.reversal_sent_at === null;
    if (!transferDue && !reversalDue) continue;
    try {
      const metadata = { tradeId: row.trade_id, holderId: row.holder, role: row.role };
      if (transferDue) {
        const transfer = await deps.payments.createTransfer({
          amount: row.amount,
          currency: row.currency,
          destination: row.stripe_account_id,
          transferGroup: row.transfer_group,
          sourceTransaction: row.source_charge ?? undefined,
          idempotencyKey: row.idempotency_key,
          metadata,
        });
        await deps.db
          .updateTable('stripe_transfers')
          .set({ stripe_transfer_id: transfer.id, sent_at: deps.clock.now(), attempts: row.attempts + 1, last_error: null })
          .where('id', '=', row.id)
          .execute();
      } else {
        const reversal = await deps.payments.createTransferReversal({
          transferId: row.stripe_transfer_id!,
          idempotencyKey: `${row.idempotency_key}-reversal`,
          metadata,
        });
        await deps.db
          .updateTable('stripe_transfers')
          .set({
            stripe_reversal_id: reversal.id,
            reversal_sent_at: deps.clock.now(),
            attempts: row.attempts + 1,
            last_error: null,
          })
          .where('id', '=', row.id)
          .execute();
      }
    } catch (err) {
      const attempts = row.attempts + 1;
      deps.log.error('stripe transfer failed', {
        transferId: row.id,
        attempts,
        reversal: reversalDue,
        error: (err as Error).message,
      });
      await deps.db
        .updateTable('stripe_transfers')
        .set({
          attempts,
          last_error: String((err as Error).message).slice(0, 500),
          next_attempt_at: new Date(deps.clock.now().getTime() + transferBackoffSeconds(attempts) * 1000),
        })
        .where('id', '=', row.id)
        .execute();
    }
  }
}

/**
 * A refund or dispute of a trade whose proceeds were paid out: each payout journal is reversed
 * (the money is back on the clearing balance, so the hold or the trade reversal can take it), a
 * transfer not yet sent is never sent, and one already sent gets a transfer reversal after commit.
 * In the caller's transaction; returns the transfer ids to process after commit.
 */
export async function clawBackPayouts(trx: Trx, tradeId: string, now: Date): Promise<string[]> {
  const rows = await trx
    .selectFrom('stripe_transfers')
    .selectAll()
    .where('trade_id', '=', tradeId)
    .where('clawed_back_at', 'is', null)
    .orderBy('id')
    .forUpdate()
    .execute();
  for (const row of rows) {
    const journalId = await postJournal(
      trx,
      {
        kind: 'reversal',
        currency: row.currency,
        tradeId,
        reverses: row.journal_id,
        memo: 'Stripe Connect payout clawed back (refund or dispute)',
        postings: [
          { holder: EXTERNAL, role: 'payout_sink', amount: -row.amount },
          { holder: row.holder, role: 'payout', amount: row.amount },
        ],
      },
      now,
    );
    await trx
      .updateTable('stripe_transfers')
      .set({ clawback_journal_id: journalId, clawed_back_at: now, next_attempt_at: now })
      .where('id', '=', row.id)
      .execute();
  }
  return rows.map((r) => r.id);
}

/** Scheduled: every transfer that is due. Safe from several places at once: the idempotency keys dedupe. */
export async function sendDueTransfers(deps: StripeDeps): Promise<number> {
  if (!deps.payments) return 0;
  const due = await deps.db
    .selectFrom('stripe_transfers')
    .select('id')
    .where((eb) =>
      eb.or([eb('sent_at', 'is', null), eb.and([eb('clawed_back_at', 'is not', null), eb('reversal_sent_at', 'is', null)])]),
    )
    .where('next_attempt_at', '<=', deps.clock.now())
    .orderBy('next_attempt_at')
    .limit(50)
    .execute();
  await sendTransfers(
    deps,
    due.map((r) => r.id),
  );
  return due.length;
}

/**
 * Onboarding of a seller or creator: their connected account (made once; the idempotency key is
 * the account id, and the row is written after Stripe answers, never inside a transaction) and a
 * fresh onboarding link.
 */
export async function onboardAccount(
  deps: StripeDeps,
  principal: Principal,
  input: { accountId: string; refreshUrl: string; returnUrl: string },
) {
  const payments = requirePayments(deps);
  const account = await actingAccount(deps.db, principal, input.accountId);
  let connected = await deps.db
    .selectFrom('stripe_connected_accounts')
    .selectAll()
    .where('holder', '=', account.id)
    .executeTakeFirst();
  try {
    if (!connected) {
      const made = await payments.createConnectedAccount({
        idempotencyKey: `haipai-acct-${account.id}`,
        metadata: { accountId: account.id, platformId: account.platform_id },
      });
      await deps.db
        .insertInto('stripe_connected_accounts')
        .values({ holder: account.id, stripe_account_id: made.id, created_at: deps.clock.now() })
        .onConflict((oc) => oc.column('holder').doNothing())
        .execute();
      connected = await deps.db
        .selectFrom('stripe_connected_accounts')
        .selectAll()
        .where('holder', '=', account.id)
        .executeTakeFirstOrThrow();
    }
    const link = await payments.createAccountLink({
      account: connected.stripe_account_id,
      refreshUrl: input.refreshUrl,
      returnUrl: input.returnUrl,
    });
    return {
      accountId: account.id,
      stripeAccountId: connected.stripe_account_id,
      onboardingUrl: link.url,
      expiresAt: new Date(link.expiresAt * 1000).toISOString(),
    };
  } catch (err) {
    if (err instanceof AppError) throw err;
    deps.log.error('stripe connect onboarding failed', { accountId: account.id, error: (err as Error).message });
    throw new AppError(502, 'payment_provider_unavailable', 'Stripe did not answer; retry the onboarding.');
  }
}

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
    transfers: rows.map((r) => ({
      id: r.id,
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
    })),
  };
}
