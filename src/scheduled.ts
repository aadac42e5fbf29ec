import type { Deps } from './deps.js';
import { registerDueNotices } from './features/assets/registration.js';

/**
 * Work that runs on a timer: the cron trigger on Workers, an interval on Node. Every step is
 * idempotent and safe to run from several places at once.
 */
export async function runScheduledWork(deps: Deps): Promise<void> {
  await registerDueNotices(deps.db, deps.config, deps.clock.now());
}
