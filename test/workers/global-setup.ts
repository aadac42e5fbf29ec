import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { startEmbeddedS3 } from '../../src/adapters/embedded-s3.js';
import type { S3Settings } from '../../src/adapters/s3-blob-store.js';
import { grantAppRole } from '../../src/db/app-role.js';
import { migrate } from '../../src/db/migrate.js';
import { openPostgres } from '../../src/db/postgres.js';
import { generateSignerKey } from '../../src/features/tlog/note.js';
import { asTestAppRole, ensureTestAppRole, TEST_APP_ROLE } from '../support/app-role.js';
import { type StripeStandIn, startStripeStandIn } from '../support/stripe-standin.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's own database, as the Hyperdrive binding's local connection string. */
    workersDatabaseUrl: string;
    /** The run's own s3rver, standing in for R2's S3 API. */
    workersS3: S3Settings;
    /** A fresh transparency-log signer key (the TLOG_SIGNING_KEY secret). */
    workersTlogKey: string;
    /** The Stripe stand-in the Worker's SDK talks to (STRIPE_API_BASE) and the secrets it goes with. */
    workersStripe: { base: string; secretKey: string; webhookSecret: string };
  }
}

// Miniflare's Hyperdrive wants a password in the URL; the local server's trust auth ignores it.
const SERVER = 'postgres://postgres:postgres@127.0.0.1:5432';

/**
 * Runs in Node before workerd starts: a fresh database `haipai_workers_<random>` with the schema
 * applied (the Worker connects as TEST_APP_ROLE, which cannot rewrite history), an s3rver with an empty bucket, a stand-in for api.stripe.com (all dropped again after
 * the run) and a log signer key. The stand-in is a Node HTTP server, so it runs here, not in workerd.
 * Nothing analyses media inside a Worker: as in a deployment, the Node media worker (`npm run media`)
 * runs as a process of its own against the same database and bucket.
 */
/**
 * Miniflare's local Hyperdrive proxy pipes each Worker connection to PostgreSQL without an 'error'
 * listener on either socket, so a connection workerd resets when an isolate's pool goes away
 * (ECONNRESET on read) is thrown in this process and ends the whole run. Only that error is let go:
 * any other uncaught exception is printed and fails the run as before.
 */
function tolerateProxyResets() {
  process.on('uncaughtException', (err: NodeJS.ErrnoException) => {
    if (err.code === 'ECONNRESET' && err.syscall === 'read') return;
    console.error(err);
    process.exit(1);
  });
}

export default async function setup(project: TestProject) {
  tolerateProxyResets();
  const name = `haipai_workers_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = postgres(`${SERVER}/postgres`, { max: 1, onnotice: () => {} });
  const dir = await mkdtemp(join(tmpdir(), 'haipai-workers-'));
  let s3: Awaited<ReturnType<typeof startEmbeddedS3>> | undefined;
  let stripe: StripeStandIn | undefined;
  let media: ChildProcess | undefined;
  const teardown = async () => {
    await stopProcess(media);
    await s3?.close();
    await stripe?.close();
    await rm(dir, { recursive: true, force: true });
    // force: workerd may still hold a pooled connection for a moment after the last test
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  };
  try {
    await admin.unsafe(`create database ${name}`);
    const url = `${SERVER}/${name}`;
    // Migrated as the owner; the Worker connects through Hyperdrive as the application role.
    await ensureTestAppRole(admin);
    const handle = await openPostgres({ url, max: 1 });
    try {
      await migrate(handle);
      await grantAppRole(handle.db, TEST_APP_ROLE);
    } finally {
      await handle.close();
    }
    s3 = await startEmbeddedS3({ dir, bucket: 'haipai-workers' });
    project.provide('workersDatabaseUrl', asTestAppRole(url));
    project.provide('workersS3', s3.settings);
    project.provide('workersTlogKey', await generateSignerKey('haipai.test/log'));
    stripe = await startStripeStandIn();
    project.provide('workersStripe', { base: stripe.base, secretKey: stripe.secretKey, webhookSecret: stripe.webhookSecret });
    media = await startMediaWorker(url, s3.settings);
  } catch (err) {
    await teardown();
    throw err;
  }
  return teardown;
}

const ROOT = new URL('../..', import.meta.url).pathname;

/** `npm run media` against the run's database and bucket; resolves once it has started. */
function startMediaWorker(databaseUrl: string, s3: S3Settings): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'workers/media/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: s3.bucket,
      S3_REGION: s3.region,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      MEDIA_POLL_INTERVAL: '0.2',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('media worker started')) resolve(proc);
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.on('exit', (code) => reject(new Error(`the media worker exited (${code}) before starting:\n${out}`)));
  });
}

async function stopProcess(proc: ChildProcess | undefined): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  proc.kill('SIGTERM');
  await exited;
}
