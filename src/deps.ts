import type { Context } from 'hono';
import type { AppConfig } from './config.js';
import type { Db } from './db/database.js';
import type { SimilaritySearch } from './features/media/similarity-memory.js';
import type { NoteSigner } from './features/tlog/note.js';
import type { WebhookTransport } from './features/webhooks/transport.js';
import type { RequestTransaction } from './http/request-transaction.js';
import type { BlobStore } from './ports/blob-store.js';
import type { Clock } from './ports/clock.js';
import type { Logger } from './ports/logger.js';
import type { Payments } from './ports/payments.js';
import type { RateLimitBindings } from './ports/rate-limit-binding.js';
import type { WebAssets } from './web/web-assets.js';

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
  /**
   * How near-duplicates are searched (screening, GET /v1/assets/similar): the database's band
   * indexes when absent; the Node entry installs an index held in its memory once it has loaded.
   */
  similarity?: SimilaritySearch;
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
  /**
   * Set only on the request-scoped copy of deps that an idempotent POST runs with (its `db` is then
   * that request's one transaction): see http/request-transaction.ts before calling out of process.
   */
  requestTransaction?: RequestTransaction;
  /**
   * The web pages' built browser files (`npm run build:web`): Node reads dist/web, Workers the
   * [assets] binding. Without it the pages render without their scripts and styles.
   */
  webAssets?: WebAssets;
}
