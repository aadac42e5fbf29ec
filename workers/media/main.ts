import { s3BlobStore } from '../../src/adapters/s3-blob-store.js';
import { openDatabase } from '../../src/db/open.js';
import { parseNodeConfig } from '../../src/node-config.js';
import { exitOnStopSignals } from '../../src/node-shutdown.js';
import { prepareSchema, StartupRefusal } from '../../src/node-startup.js';
import { systemClock } from '../../src/ports/clock.js';
import { jsonLogger } from '../../src/ports/logger.js';
import { parseMediaWorkerConfig } from './config.js';
import { startMediaWorker } from './worker.js';

// `npm run media`: a media worker process of its own, next to any number of others, against the
// same PostgreSQL and object store as the API. The embedded default (PGlite) cannot be shared
// between processes, so there `npm start` runs the worker in its own process instead.
const env = process.env;
const nodeConfig = parseNodeConfig(env);
const config = parseMediaWorkerConfig(env);
if (!nodeConfig.DATABASE_URL || !nodeConfig.S3_ENDPOINT) {
  console.error(
    'npm run media needs DATABASE_URL and the S3_* settings of the store the API uses.\n' +
      'With the embedded default (no DATABASE_URL), `npm start` already runs the media worker.',
  );
  process.exit(2);
}

const handle = await openDatabase({ databaseUrl: nodeConfig.DATABASE_URL, dataDir: nodeConfig.DATA_DIR });
// Like the API on PostgreSQL: an older schema is refused unless MIGRATE=1.
await prepareSchema(handle, { migrate: env.MIGRATE === '1' }).catch((err) => {
  console.error(err instanceof StartupRefusal ? err.message : err);
  process.exit(1);
});
const blobs = s3BlobStore({
  endpoint: nodeConfig.S3_ENDPOINT,
  region: nodeConfig.S3_REGION,
  bucket: nodeConfig.S3_BUCKET,
  accessKeyId: nodeConfig.S3_ACCESS_KEY_ID!,
  secretAccessKey: nodeConfig.S3_SECRET_ACCESS_KEY!,
});
const worker = startMediaWorker({ db: handle.db, blobs, clock: systemClock, log: jsonLogger }, config);
jsonLogger.info('media worker started', { workerId: worker.workerId, concurrency: config.MEDIA_CONCURRENCY });

exitOnStopSignals({
  deadlineSeconds: nodeConfig.SHUTDOWN_TIMEOUT,
  async stop() {
    // Running jobs finish and are recorded; past the deadline they are left to their lease.
    await worker.stop();
    await handle.close();
  },
});
