import type { AppConfig } from './config.js';
import type { Db } from './db/database.js';
import type { BlobStore } from './ports/blob-store.js';
import type { Clock } from './ports/clock.js';
import type { Logger } from './ports/logger.js';

/** Everything the app needs from its runtime; entries (node.ts, worker.ts) and tests build it. */
export interface Deps {
  db: Db;
  blobs: BlobStore;
  clock: Clock;
  config: AppConfig;
  log: Logger;
}
