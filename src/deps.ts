import type { Context } from 'hono';
import type { AppConfig } from './config.js';
import type { Db } from './db/database.js';
import type { NoteSigner } from './features/tlog/note.js';
import type { WebhookTransport } from './features/webhooks/transport.js';
import type { BlobStore } from './ports/blob-store.js';
import type { Clock } from './ports/clock.js';
import type { Logger } from './ports/logger.js';
import type { Payments } from './ports/payments.js';
import type { RateLimitBindings } from './ports/rate-limit-binding.js';

/** Everything the app needs from its runtime; entries (node.ts, worker.ts) and tests build it. */
export interface Deps {
  db: Db;
  blobs: BlobStore;
  clock: Clock;
  config: AppConfig;
  log: Logger;
  /**
   * Signs transparency-log checkpoints (C2SP signed note, Ed25519); build it with
   * `tlogSignerFromConfig`. Without it the log is served but the integrator refuses to run.
   */
  tlogSigner?: NoteSigner;
  /**
   * Called after every successful write request, once its transaction has committed: the entry
   * schedules log integration (Node: an in-process loop; Workers: ctx.waitUntil). Must not throw.
   */
  afterWrite?: () => void;
  /**
   * Stripe (the stripe rail, Stripe top-ups, POST /v1/stripe/webhook); build it with
   * `paymentsFromConfig`. Without it those answer 422 `stripe_not_configured`.
   */
  payments?: Payments;
  /** Outgoing webhook HTTP client; `fetch` when absent (Workers). Node installs one that refuses private addresses at connect time. */
  webhookTransport?: WebhookTransport;
  /**
   * The client's network address, for per-address rate limits: Node, the connection's peer;
   * Workers, CF-Connecting-IP. CLIENT_ADDRESS_HEADER (behind a proxy) takes precedence.
   */
  clientAddress?: (c: Context) => string | undefined;
  /**
   * Workers: Cloudflare's rate-limiting bindings, which count across isolates. Without them (Node)
   * the limits are counted in this process's memory, right for one process.
   */
  rateLimitBindings?: RateLimitBindings;
}
