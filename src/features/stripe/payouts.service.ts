import type { Deps } from '../../deps.js';

export type StripeDeps = Pick<Deps, 'db' | 'clock' | 'payments' | 'log'>;

/** Waits between attempts of a failed transfer: 1 min, 2, 4 … capped at 6 h (Stripe idempotency keeps retries safe). */
export function transferBackoffSeconds(attempts: number): number {
  return Math.min(60 * 2 ** Math.max(0, attempts - 1), 6 * 3600);
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
