import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { parseMediaWorkerConfig } from '../workers/media/config.js';
import { startMediaWorker } from '../workers/media/worker.js';
import { startEmbeddedS3 } from './adapters/embedded-s3.js';
import { s3BlobStore } from './adapters/s3-blob-store.js';
import { paymentsFromConfig } from './adapters/stripe-payments.js';
import { createApp } from './app.js';
import { parseAppConfig } from './config.js';
import { canRewriteHistory } from './db/app-role.js';
import { migrate } from './db/migrate.js';
import { openDatabase } from './db/open.js';
import type { Deps } from './deps.js';
import { integrationLoop } from './features/tlog/integration-loop.js';
import { DEFAULT_TLOG_ORIGIN, tlogSignerFromConfig } from './features/tlog/log-signer.js';
import { generateSignerKey } from './features/tlog/note.js';
import { nodeWebhookTransport } from './features/webhooks/node-transport.js';
import { parseNodeConfig } from './node-config.js';
import { startNodeScheduler } from './node-scheduler.js';
import { loadOrCreateSecret } from './node-secrets.js';
import { systemClock } from './ports/clock.js';
import { jsonLogger } from './ports/logger.js';

// `npm start`: with no configuration, the embedded default (PGlite + s3rver under DATA_DIR).
const env = process.env;
const nodeConfig = parseNodeConfig(env);
// Without OPERATOR_API_KEY the embedded default makes one and keeps it under DATA_DIR.
const operatorKeyPath = join(nodeConfig.DATA_DIR, 'operator-api-key');
const operatorKey = env.OPERATOR_API_KEY
  ? { value: env.OPERATOR_API_KEY, created: false }
  : await loadOrCreateSecret(operatorKeyPath, () => `hpo_${randomBytes(32).toString('base64url')}`);
const config = parseAppConfig({ ...env, OPERATOR_API_KEY: operatorKey.value });
// Likewise the transparency log's signing key: verifiers pin it, so it is made once and kept.
const tlogKeyPath = join(nodeConfig.DATA_DIR, 'tlog-signing.key');
const tlogKey = config.TLOG_SIGNING_KEY
  ? { value: config.TLOG_SIGNING_KEY, created: false }
  : await loadOrCreateSecret(tlogKeyPath, () => generateSignerKey(config.TLOG_ORIGIN ?? DEFAULT_TLOG_ORIGIN));
const tlogSigner = await tlogSignerFromConfig({ ...config, TLOG_SIGNING_KEY: tlogKey.value });

const handle = await openDatabase({ databaseUrl: nodeConfig.DATABASE_URL, dataDir: nodeConfig.DATA_DIR });
if (handle.flavour === 'pglite') {
  const applied = await migrate(handle);
  if (applied.length) console.log(`migrated embedded database: ${applied.join(', ')}`);
} else if (await canRewriteHistory(handle.db)) {
  // Works, but only the triggers guard history: README "Database roles" sets up the two roles.
  console.warn('DATABASE_URL connects as a role that owns or may update history tables; use the application role');
}

let closeS3 = async () => {};
let blobs: Deps['blobs'];
if (nodeConfig.S3_ENDPOINT) {
  blobs = s3BlobStore({
    endpoint: nodeConfig.S3_ENDPOINT,
    region: nodeConfig.S3_REGION,
    bucket: nodeConfig.S3_BUCKET,
    accessKeyId: nodeConfig.S3_ACCESS_KEY_ID!,
    secretAccessKey: nodeConfig.S3_SECRET_ACCESS_KEY!,
  });
} else {
  const s3 = await startEmbeddedS3({
    dir: join(nodeConfig.DATA_DIR, 's3'),
    bucket: nodeConfig.S3_BUCKET,
    port: nodeConfig.EMBEDDED_S3_PORT,
    host: nodeConfig.HOST,
  });
  blobs = s3BlobStore(s3.settings);
  closeS3 = s3.close;
  console.log(`embedded S3 at ${s3.settings.endpoint}`);
}

if (!env.OPERATOR_API_KEY) {
  console.log(`operator API key ${operatorKey.created ? 'created in' : 'read from'} ${operatorKeyPath}`);
}

if (!config.TLOG_SIGNING_KEY) {
  console.log(`transparency log signing key ${tlogKey.created ? 'created in' : 'read from'} ${tlogKeyPath}`);
}
console.log(`transparency log ${tlogSigner!.name}; verifier key ${tlogSigner!.verifierKey}`);

const deps: Deps = {
  db: handle.db,
  blobs,
  clock: systemClock,
  config,
  log: jsonLogger,
  tlogSigner,
  // STRIPE_SECRET_KEY enables the stripe rail; without it trades settle on clearing balances only.
  payments: paymentsFromConfig(config),
  // Platform webhooks connect to public addresses only (unless WEBHOOK_ALLOW_HTTP_LOCAL).
  webhookTransport: nodeWebhookTransport({ allowPrivate: config.WEBHOOK_ALLOW_HTTP_LOCAL }),
  // Per-address rate limits count the connection's peer (or CLIENT_ADDRESS_HEADER behind a proxy).
  clientAddress: (c) => getConnInfo(c).remote.address,
};
// "Integrate soon" after each write, and once now for whatever an earlier run left queued.
const integration = integrationLoop(deps);
if (nodeConfig.TLOG_INTEGRATE_AFTER_WRITE) deps.afterWrite = integration.kick;
integration.kick();
const app = createApp(deps);
// The media worker (issue 6) runs in this process unless MEDIA_WORKER=off, when `npm run media`
// processes do the work instead; PGlite cannot be shared between processes, so the embedded default needs this one.
const mediaConfig = parseMediaWorkerConfig(env);
const media = mediaConfig.MEDIA_WORKER === 'on' ? startMediaWorker(deps, mediaConfig) : null;

// Market and log work on one loop, platform webhooks on another: a slow receiver delays no auction.
const scheduler = startNodeScheduler(deps, nodeConfig.SCHEDULE_INTERVAL * 1000);

const server = serve({ fetch: app.fetch, port: nodeConfig.PORT, hostname: nodeConfig.HOST }, (info) => {
  console.log(`haipai listening on http://${nodeConfig.HOST}:${info.port} (${handle.flavour}); API reference at /docs`);
});

async function shutdown() {
  server.close();
  // Waits for runs under way: a delivery attempt in flight finishes (WEBHOOK_ATTEMPT_TIMEOUT at most).
  await scheduler.stop();
  await integration.idle();
  await media?.stop();
  await closeS3();
  await handle.close();
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
