import type { Deps } from './deps.js';
import { deliverWebhooks } from './features/webhooks/delivery.js';
import type { Logger } from './ports/logger.js';
import { runMarketWork } from './scheduled.js';

/** Work on a timer in this process. */
export interface ScheduledLoop {
  /** Run now, unless a run is under way; resolves when that run has ended. Never rejects. */
  tick(): Promise<void>;
  /** No more runs; resolves when the one under way (if any) has ended. */
  stop(): Promise<void>;
}

/**
 * Runs `work` every `intervalMs`. A tick that finds the previous run still going is skipped, so a
 * slow run is never overlapped by the next. `work` gets a signal that is aborted by `stop()`.
 */
export function scheduledLoop(
  name: string,
  work: (signal: AbortSignal) => Promise<unknown>,
  intervalMs: number,
  log: Logger,
): ScheduledLoop {
  const stopping = new AbortController();
  let running: Promise<void> | null = null;
  const run = async () => {
    try {
      await work(stopping.signal);
    } catch (err) {
      log.error(`${name} failed`, { error: (err as Error).message });
    }
  };
  const tick = () => {
    // Cleared in a callback, which always runs after the assignment, however quickly `work` ends.
    if (!running && !stopping.signal.aborted) {
      running = run().finally(() => {
        running = null;
      });
    }
    return running ?? Promise.resolve();
  };
  // unref: the HTTP server keeps the process alive, not these timers (a forgotten stop() in a test must not).
  const timer = setInterval(tick, intervalMs).unref();
  return {
    tick,
    async stop() {
      clearInterval(timer);
      stopping.abort();
      await running;
    },
  };
}

export interface NodeScheduler {
  /** Notice windows, reservations, ended listings and auctions, Stripe retries, the log (runMarketWork). */
  market: ScheduledLoop;
  /** Platform webhooks (deliverWebhooks). */
  delivery: ScheduledLoop;
  stop(): Promise<void>;
}

/**
 * Node's scheduler: two loops on one interval. Delivery waits on platforms' receivers (up to
 * WEBHOOK_ATTEMPT_TIMEOUT per attempt, a 10 s claiming budget per round), so it gets a loop of its
 * own; a receiver that hangs then delays only other deliveries, never auction closing or the
 * release of a lapsed reservation. The Workers cron runs both halves in one go (runScheduledWork).
 */
export function startNodeScheduler(deps: Deps, intervalMs: number): NodeScheduler {
  const market = scheduledLoop('scheduled work', () => runMarketWork(deps), intervalMs, deps.log);
  const delivery = scheduledLoop('webhook delivery round', (signal) => deliverWebhooks(deps, { signal }), intervalMs, deps.log);
  return {
    market,
    delivery,
    async stop() {
      await Promise.all([market.stop(), delivery.stop()]);
    },
  };
}
