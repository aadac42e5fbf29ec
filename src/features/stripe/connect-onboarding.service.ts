import type { Deps } from '../../deps.js';
import type { Principal } from '../../http/env.js';
import { AppError } from '../../http/problem.js';
import { commitRequestWrites } from '../../http/request-transaction.js';
import { actingAccount } from '../parties/access.js';
import { presentConnectStatus, recordConnectStatus } from './connect-status.service.js';
import type { StripeDeps } from './payouts.service.js';
import { requirePayments } from './webhook.service.js';

/**
 * Onboarding of a seller or creator: their connected account (made once; the idempotency key is
 * the account id, and the row is written after Stripe answers, never inside a transaction) and a
 * fresh onboarding link. The account's status is refreshed from Stripe on the way (so a missed
 * account.updated heals when the holder comes back to onboarding) and returned with the link.
 */
export async function onboardAccount(
  deps: StripeDeps & Pick<Deps, 'requestTransaction'>,
  principal: Principal,
  input: { accountId: string; refreshUrl: string; returnUrl: string },
) {
  const payments = requirePayments(deps);
  const account = await actingAccount(deps.db, principal, input.accountId);
  await commitRequestWrites(deps); // Stripe is asked below; every write here is idempotent
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
    const refreshed = await refreshConnectStatus(deps, account.id, connected.stripe_account_id);
    return {
      ...presentConnectStatus(account.id, refreshed ?? connected),
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

/**
 * Best effort: the link is what the caller needs, so a failed retrieval is logged and the last
 * recorded status returned. Stamped with our clock truncated to the second, like Stripe's event
 * `created`, so an account.updated from the same second still applies after it.
 */
async function refreshConnectStatus(deps: StripeDeps, holder: string, stripeAccountId: string) {
  try {
    const status = await requirePayments(deps).retrieveConnectedAccount(stripeAccountId);
    const at = new Date(Math.floor(deps.clock.now().getTime() / 1000) * 1000);
    await recordConnectStatus(deps.db, stripeAccountId, status, at);
    return await deps.db.selectFrom('stripe_connected_accounts').selectAll().where('holder', '=', holder).executeTakeFirst();
  } catch (err) {
    deps.log.error('stripe connect status refresh failed', { accountId: holder, error: (err as Error).message });
    return undefined;
  }
}
