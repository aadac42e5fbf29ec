import { sql } from 'kysely';
import type { Db, Queryable, Trx } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import type { Principal } from '../../http/env.js';
import { notFound } from '../../http/problem.js';
import { type ConnectAccountStatus, connectAccountStatus, type PaymentEvent } from '../../ports/payments.js';
import { actingAccount } from '../parties/access.js';

/** Connect events about connected accounts that the webhook records here instead of on a payment. */
export const isConnectAccountEvent = (event: PaymentEvent) => event.type === 'account.updated';

/** How much a report enables: of two reports from the same second, the less enabled one is kept. */
const enablement = (s: Pick<ConnectAccountStatus, 'payoutsEnabled' | 'chargesEnabled' | 'detailsSubmitted'>) =>
  (s.payoutsEnabled ? 4 : 0) + (s.chargesEnabled ? 2 : 0) + (s.detailsSubmitted ? 1 : 0);

/**
 * Records what Stripe said about a connected account at `at`, unless the report held is newer:
 * Stripe may deliver an older account.updated after a newer one. Stripe's `created` has second
 * precision, so two events from the same second are ordered by what they say — the less enabled
 * one wins (when in doubt, no payouts until Stripe says more) — and then by event id, so the same
 * events give the same status in every delivery order. A retrieval (`eventId` null: our own read,
 * in our own order) and an event from the same second apply in arrival order.
 * Returns false if the Stripe account is not one of ours.
 */
export async function recordConnectStatus(
  db: Queryable,
  stripeAccountId: string,
  status: ConnectAccountStatus,
  at: Date,
  eventId: string | null = null,
): Promise<boolean> {
  const rank = enablement(status);
  const heldRank = sql<number>`(case when payouts_enabled then 4 else 0 end + case when charges_enabled then 2 else 0 end + case when details_submitted then 1 else 0 end)`;
  const updated = await db
    .updateTable('stripe_connected_accounts')
    .set({
      charges_enabled: status.chargesEnabled,
      payouts_enabled: status.payoutsEnabled,
      details_submitted: status.detailsSubmitted,
      // As text first: postgres.js would send a string typed as jsonb, i.e. a JSON string, not the array.
      requirements_due: sql<string>`cast(cast(${JSON.stringify(status.requirementsDue)} as text) as jsonb)`,
      disabled_reason: status.disabledReason,
      status_at: at,
      status_event_id: eventId,
    })
    .where('stripe_account_id', '=', stripeAccountId)
    .where((eb) =>
      eb.or([
        eb('status_at', 'is', null),
        eb('status_at', '<', at),
        eb.and([
          eb('status_at', '=', at),
          eventId === null
            ? eb.lit(true)
            : eb.or([
                eb('status_event_id', 'is', null),
                eb(heldRank, '>', rank),
                eb.and([eb(heldRank, '=', rank), eb('status_event_id', '<=', eventId)]),
              ]),
        ]),
      ]),
    )
    .returning('holder')
    .executeTakeFirst();
  if (updated) return true;
  const known = await db
    .selectFrom('stripe_connected_accounts')
    .select('holder')
    .where('stripe_account_id', '=', stripeAccountId)
    .executeTakeFirst();
  return known !== undefined;
}

/**
 * `account.updated`, inside the webhook's transaction (after its stripe_events insert, so a
 * duplicate never gets here). Returns false (the webhook answers `ignored`) for accounts not ours.
 */
export async function applyAccountUpdated(trx: Trx, event: PaymentEvent): Promise<boolean> {
  const account = event.data.object;
  if (typeof account.id !== 'string') return false;
  // Stripe's `created` is Unix seconds; truncating to the second keeps reports comparable.
  return recordConnectStatus(trx, account.id, connectAccountStatus(account), new Date(event.created * 1000), event.id);
}

/** The status as the API shows it (the onboarding answer and GET /v1/accounts/{id}/stripe-connect). */
export function presentConnectStatus(accountId: string, row: Row<'stripe_connected_accounts'> | undefined) {
  return {
    accountId,
    stripeAccountId: row?.stripe_account_id ?? null,
    chargesEnabled: row?.charges_enabled ?? false,
    payoutsEnabled: row?.payouts_enabled ?? false,
    detailsSubmitted: row?.details_submitted ?? false,
    requirementsDue: row?.requirements_due ?? [],
    disabledReason: row?.disabled_reason ?? null,
    statusAt: row?.status_at?.toISOString() ?? null,
  };
}

/** `GET /v1/accounts/{id}/stripe-connect`: the operator, the account's platform, or the account itself. */
export async function readConnectStatus(db: Db, principal: Principal, accountId: string) {
  const account =
    principal.kind === 'operator'
      ? await db.selectFrom('accounts').select(['id']).where('id', '=', accountId).executeTakeFirst()
      : await actingAccount(db, principal, accountId);
  if (!account) throw notFound('account', accountId);
  const row = await db.selectFrom('stripe_connected_accounts').selectAll().where('holder', '=', account.id).executeTakeFirst();
  return presentConnectStatus(account.id, row);
}
