import type { Deps } from './deps.js';
import { registerDueNotices } from './features/assets/registration.js';
import { closeDueAuctions } from './features/auctions/closing.service.js';
import { foldBoardPriceChanges } from './features/board/price-rollup.js';
import { applyDueDeterminations } from './features/cases/determination.service.js';
import { foldPendingCredits } from './features/ledger/fold.js';
import { lapseUnpaidGrants } from './features/licensing/card-payments.js';
import { expireDueGrants } from './features/licensing/expiry.js';
import { refreshDutchBoardKeys } from './features/market/dutch-board-keys.js';
import { expireMarketOrders } from './features/market/expiry.js';
import { releaseExpiredReservations } from './features/market/trade-release.service.js';
import { sendDueBidActions } from './features/stripe/bid-authorisations.service.js';
import { sendDueTransfers } from './features/stripe/payouts.service.js';
import { sendDueRefunds } from './features/stripe/refunds.service.js';
import { collectCosignatures } from './features/tlog/cosign.service.js';
import { integrateLog } from './features/tlog/integrate.js';
import { deliverWebhooks } from './features/webhooks/delivery.js';
import { sealWebhookSecrets } from './features/webhooks/secret-sealing.js';
import { sweepExpiredIdempotencyKeys } from './http/idempotency-sweep.js';

/**
 * The steps that come due with time — notice windows, lapsed reservations, ended listings and
 * auctions, Stripe retries, Dutch listings' board sort keys — then the log. Each is a few short transactions or one request to
 * Stripe, so this finishes quickly; on Node it has a loop of its own (node-scheduler.ts) that a
 * slow webhook receiver cannot hold up. Every step is idempotent and safe to run from several
 * places at once.
 */
export async function runMarketWork(deps: Deps): Promise<void> {
  await registerDueNotices(deps.db, deps.config, deps.clock.now());
  await releaseExpiredReservations(deps.db, deps.clock.now());
  // Sales' fees and royalties written as pending credits are folded into their holders' balances.
  await foldPendingCredits(deps.db, deps.clock.now());
  // Licence grants accepted by card and not paid within the same window lapse, freeing their rights.
  await lapseUnpaidGrants(deps.db, deps.clock.now());
  await expireMarketOrders(deps.db, deps.clock.now());
  await closeDueAuctions(deps.db, deps.clock.now());
  // Dutch listings' places in the board's price sorts follow their falling prices (within 0.5 %, or a minute).
  await refreshDutchBoardKeys(deps.db, deps.clock.now());
  // Licence grants past their term: renewed (where the licensee asked) or expired.
  await expireDueGrants(deps.db, deps.clock.now());
  // IP case determinations whose appeal window has passed take effect.
  await applyDueDeterminations(deps.db, deps.clock.now());
  // Refunds decided by webhooks whose request to Stripe failed: retried with their own keys.
  await sendDueRefunds(deps);
  // Card bids: captures of winning authorisations, cancels of beaten or losing ones.
  await sendDueBidActions(deps);
  // Connect transfers of trade proceeds that failed: retried with backoff, each with its own key.
  await sendDueTransfers(deps);
  // Housekeeping: expired Idempotency-Key records go; webhook secrets get sealed (or re-sealed after a key rotation).
  await sweepExpiredIdempotencyKeys(deps.db, deps.clock.now());
  // The board's price histogram takes in the trades settled since the last run.
  await foldBoardPriceChanges(deps.db);
  await sealWebhookSecrets(deps);
  // Last, so that events written by the steps above are in this run's checkpoint.
  if (deps.tlogSigner) await integrateLog(deps);
  // Witnesses missing from the latest checkpoint are asked again (a no-op when all have cosigned).
  await collectCosignatures(deps);
}

/**
 * One whole tick: the Workers cron trigger runs this. On Node the two halves run on separate
 * loops instead (node-scheduler.ts), because a delivery round waits on platforms' receivers.
 */
export async function runScheduledWork(deps: Deps): Promise<void> {
  await runMarketWork(deps);
  // After the log: webhooks carry events in log order, so this run delivers what it integrated.
  await deliverWebhooks(deps);
}
