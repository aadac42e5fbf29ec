import type { Deps } from './deps.js';
import { registerDueNotices } from './features/assets/registration.js';
import { closeDueAuctions } from './features/auctions/closing.service.js';
import { expireMarketOrders } from './features/market/expiry.js';
import { releaseExpiredReservations } from './features/market/trades.service.js';
import { sendDueTransfers } from './features/stripe/payouts.service.js';
import { sendDueRefunds } from './features/stripe/refunds.service.js';
import { integrateLog } from './features/tlog/integrate.js';
import { deliverWebhooks } from './features/webhooks/delivery.js';

/**
 * Work that runs on a timer: the cron trigger on Workers, an interval on Node. Every step is
 * idempotent and safe to run from several places at once.
 */
export async function runScheduledWork(deps: Deps): Promise<void> {
  await registerDueNotices(deps.db, deps.config, deps.clock.now());
  await releaseExpiredReservations(deps.db, deps.clock.now());
  await expireMarketOrders(deps.db, deps.clock.now());
  await closeDueAuctions(deps.db, deps.clock.now());
  // Refunds decided by webhooks whose request to Stripe failed: retried with their own keys.
  await sendDueRefunds(deps);
  // Connect transfers of trade proceeds that failed: retried with backoff, each with its own key.
  await sendDueTransfers(deps);
  // Last, so that events written by the steps above are in this run's checkpoint.
  if (deps.tlogSigner) await integrateLog(deps);
  // After the log: webhooks carry events in log order, so this run delivers what it integrated.
  await deliverWebhooks(deps);
}
