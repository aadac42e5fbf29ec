import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { parseMediaWorkerConfig } from '../workers/media/config.js';
import { startMediaWorker } from '../workers/media/worker.js';
import { startEmbeddedS3 } from './adapters/embedded-s3.js';
import { s3BlobStore } from './adapters/s3-blob-store.js';
import { paymentsFromConfig } from './adapters/stripe-payments.js';
import { createApp } from './app.js';
import { parseAppConfig } from './config.js';
import { generateSealingKey } from './crypto/seal.js';
import { canRewriteHistory } from './db/app-role.js';
import { migrationFiles } from './db/migrate.js';
import { openDatabase } from './db/open.js';
import type { Deps } from './deps.js';
import { MemorySimilarityIndex } from './features/media/similarity-memory.js';
import { integrationLoop } from './features/tlog/integration-loop.js';
import { DEFAULT_TLOG_ORIGIN, tlogSignerFromConfig } from './features/tlog/log-signer.js';
import { generateSignerKey } from './features/tlog/note.js';
import { nodeWebhookTransport } from './features/webhooks/node-transport.js';
import { parseNodeConfig } from './node-config.js';
import { resumeWorkOfEarlierProcess } from './node-resume.js';
import { startNodeScheduler } from './node-scheduler.js';
import { loadOrCreateSecret } from './node-secrets.js';
import { ListenError, listenHttp } from './node-server.js';
import { exitOnStopSignals } from './node-shutdown.js';
import { checkLogKey, prepareSchema, StartupRefusal } from './node-startup.js';
import { systemClock } from './ports/clock.js';
import { batchedStdoutLogger } from './ports/node-logger.js';
import { nodeWebAssets } from './web/node-web-assets.js';

// `npm start`: with no configuration, the embedded default (PGlite + s3rver under DATA_DIR).
const env = process.env;
const nodeConfig = parseNodeConfig(env);

/** A refusal to start is one line saying what to change; anything else keeps its stack. */
function refuse(err: unknown): never {
  console.error(err instanceof StartupRefusal || err instanceof ListenError ? err.message : err);
  process.exit(1);
}

// The port first: taken, it is the first and only thing said. Until the app is built, requests get 503.
const http = await listenHttp({ port: nodeConfig.PORT, host: nodeConfig.HOST }).catch(refuse);
const origin = `http://${nodeConfig.HOST}:${http.port}`;

// Without OPERATOR_API_KEY the embedded default makes one and keeps it under DATA_DIR.
const operatorKeyPath = join(nodeConfig.DATA_DIR, 'operator-api-key');
const operatorKey = env.OPERATOR_API_KEY
  ? { value: env.OPERATOR_API_KEY, created: false }
  : await loadOrCreateSecret(operatorKeyPath, () => `hpo_${randomBytes(32).toString('base64url')}`);
// And the key that seals webhook signing secrets at rest (a Workers secret in production).
const sealingKeyPath = join(nodeConfig.DATA_DIR, 'webhook-secrets.key');
const sealingKey = env.WEBHOOK_SECRETS_KEY
  ? { value: env.WEBHOOK_SECRETS_KEY, created: false }
  : await loadOrCreateSecret(sealingKeyPath, generateSealingKey);
const config = parseAppConfig({ ...env, OPERATOR_API_KEY: operatorKey.value, WEBHOOK_SECRETS_KEY: sealingKey.value });
// Likewise the transparency log's signing key: verifiers pin it, so it is made once and kept.
const tlogKeyPath = join(nodeConfig.DATA_DIR, 'tlog-signing.key');
const tlogKey = config.TLOG_SIGNING_KEY
  ? { value: config.TLOG_SIGNING_KEY, created: false }
  : await loadOrCreateSecret(tlogKeyPath, () => generateSignerKey(config.TLOG_ORIGIN ?? DEFAULT_TLOG_ORIGIN));
const tlogSigner = (await tlogSignerFromConfig({ ...config, TLOG_SIGNING_KEY: tlogKey.value }))!;

const handle = await openDatabase({ databaseUrl: nodeConfig.DATABASE_URL, dataDir: nodeConfig.DATA_DIR }).catch((err) =>
  refuse(
    new StartupRefusal(
      `cannot open the database ${nodeConfig.DATABASE_URL ? 'at DATABASE_URL' : `under ${nodeConfig.DATA_DIR}`}: ${(err as Error).message}`,
    ),
  ),
);
// The embedded database is migrated here; a PostgreSQL by `npm run migrate`, or here with MIGRATE=1.
const applied = await prepareSchema(handle, { migrate: handle.flavour === 'pglite' || env.MIGRATE === '1' }).catch(refuse);
if (applied.length) console.log(`migrated the database: ${applied.join(', ')}`);
// The log's key belongs to the database it signs: claimed at first start, checked at every other.
const identity = await checkLogKey(handle, tlogSigner).catch(refuse);
const resumed = await resumeWorkOfEarlierProcess(handle, systemClock.now());
if (resumed.mediaJobs || resumed.webhookEndpoints) {
  console.log(
    `resumed work a killed process had leased: ${resumed.mediaJobs} media job(s), ${resumed.webhookEndpoints} webhook endpoint(s)`,
  );
}
if (handle.flavour !== 'pglite' && (await canRewriteHistory(handle.db))) {
  // Works, but only the triggers guard history: README "Database roles" sets up the two roles.
  console.warn('DATABASE_URL connects as a role that owns or may update history tables; use the application role');
}

let closeS3 = async () => {};
let blobs: Deps['blobs'];
let presignedPuts: Awaited<ReturnType<typeof startEmbeddedS3>>['presignedPuts'] | null = null;
if (nodeConfig.S3_ENDPOINT) {
  blobs = s3BlobStore({
    endpoint: nodeConfig.S3_ENDPOINT,
    region: nodeConfig.S3_REGION,
    bucket: nodeConfig.S3_BUCKET,
    accessKeyId: nodeConfig.S3_ACCESS_KEY_ID!,
    secretAccessKey: nodeConfig.S3_SECRET_ACCESS_KEY!,
  });
} else {
  // One port: the store listens on a loopback port of its own choosing for this process's calls,
  // and clients' presigned PUTs go to the API's own origin, which hands them to it.
  const s3 = await startEmbeddedS3({ dir: join(nodeConfig.DATA_DIR, 's3'), bucket: nodeConfig.S3_BUCKET });
  blobs = s3BlobStore({ ...s3.settings, presignEndpoint: origin });
  presignedPuts = s3.presignedPuts;
  closeS3 = s3.close;
  console.log(`embedded S3 store under ${join(nodeConfig.DATA_DIR, 's3')}; uploads go to ${origin}/${nodeConfig.S3_BUCKET}/…`);
}

if (!env.OPERATOR_API_KEY) {
  console.log(`operator API key ${operatorKey.created ? 'created in' : 'read from'} ${operatorKeyPath}`);
}

if (!config.TLOG_SIGNING_KEY) {
  console.log(`transparency log signing key ${tlogKey.created ? 'created in' : 'read from'} ${tlogKeyPath}`);
}
console.log(
  `transparency log ${tlogSigner.name}${identity.claimed ? ' (its key now recorded in the database)' : ''}; verifier key ${tlogSigner.verifierKey}`,
);

const log = batchedStdoutLogger();

// The near-duplicate index in memory, loaded in the background: until then searches use the database's.
const similarity = nodeConfig.SIMILARITY_INDEX === 'memory' ? new MemorySimilarityIndex() : undefined;
const similarityLoaded = similarity
  ?.load(handle.db)
  .then(() => log.info('similarity index loaded', { hashes: similarity.size }))
  .catch((err) => log.error('similarity index not loaded; searching the database', { error: String(err) }));

const deps: Deps = {
  db: handle.db,
  similarity,
  blobs,
  clock: systemClock,
  config,
  log,
  tlogSigner,
  // STRIPE_SECRET_KEY enables the stripe rail; without it trades settle on clearing balances only.
  payments: paymentsFromConfig(config),
  // Platform webhooks connect to public addresses only (unless WEBHOOK_ALLOW_HTTP_LOCAL).
  webhookTransport: nodeWebhookTransport({ allowPrivate: config.WEBHOOK_ALLOW_HTTP_LOCAL }),
  // Per-address rate limits count the connection's peer (or CLIENT_ADDRESS_HEADER behind a proxy).
  clientAddress: (c) => getConnInfo(c).remote.address,
  schemaMigrations: await migrationFiles(),
  // The web pages' scripts and styles, built by `npm run build:web` (npm start runs it first).
  webAssets: await nodeWebAssets(),
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

const serveApp = getRequestListener(app.fetch);
http.serve((req, res) => (presignedPuts?.matches(req) ? presignedPuts.handle(req, res) : serveApp(req, res)));
console.log(`haipai listening on ${origin} (${handle.flavour}); API reference at /docs`);

exitOnStopSignals({
  deadlineSeconds: nodeConfig.SHUTDOWN_TIMEOUT,
  async stop() {
    // From here every new request is a 503; background loops stop at their next safe point (a
    // webhook attempt under way finishes, a media job under way finishes) while requests in flight finish.
    http.drain();
    await Promise.all([http.idle(), scheduler.stop(), media?.stop(), similarityLoaded]);
    http.closeConnections();
    // Last writes kicked the integrator: their events get into a signed checkpoint before the database closes.
    await integration.idle();
    await closeS3();
    await handle.close();
  },
});
