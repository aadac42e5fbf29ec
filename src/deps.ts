import type { AppConfig } from './config.js';
import type { Db } from './db/database.js';
import type { NoteSigner } from './features/tlog/note.js';
import type { WebhookTransport } from './features/webhooks/transport.js';
import type { BlobStore } from './ports/blob-store.js';
import type { Clock } from './ports/clock.js';
import type { Logger } from './ports/logger.js';
import type { Payments } from './ports/payments.js';

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
  /**
   * The migrations this build ships (file names in schema/): GET /readyz is not ready while the
   * database lacks one. The Node entry lists them; the Worker, which cannot read schema/, leaves it out.
   */
  schemaMigrations?: readonly string[];
  /** Outgoing webhook HTTP client; `fetch` when absent (Workers). Node installs one that refuses private addresses at connect time. */
  webhookTransport?: WebhookTransport;
}
