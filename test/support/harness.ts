import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedS3 } from '../../src/adapters/embedded-s3.js';
import { s3BlobStore } from '../../src/adapters/s3-blob-store.js';
import { paymentsFromConfig } from '../../src/adapters/stripe-payments.js';
import { createApp } from '../../src/app.js';
import { parseAppConfig } from '../../src/config.js';
import { generateSealingKey } from '../../src/crypto/seal.js';
import type { DatabaseHandle } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { openPglite } from '../../src/db/pglite.js';
import { openPostgres } from '../../src/db/postgres.js';
import type { Deps } from '../../src/deps.js';
import { tlogSignerFromConfig } from '../../src/features/tlog/log-signer.js';
import { generateSignerKey } from '../../src/features/tlog/note.js';
import type { Clock } from '../../src/ports/clock.js';
import { MemoryLogger } from '../../src/ports/logger.js';
import { asTestAppRole, createAppSchema } from './app-role.js';

export const OPERATOR_KEY = 'test-operator-key-0123456789';
export const TEST_LOG_ORIGIN = 'test.haipai.example/log';

/** Real time plus an offset the test moves forward: holding times and notice windows without sleeping. */
export class OffsetClock implements Clock {
  private offsetMs = 0;
  now() {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(seconds: number) {
    this.offsetMs += seconds * 1000;
  }
}

/**
 * A database of this test file's own: PGlite in memory by default, or a fresh schema on the
 * PostgreSQL at DATABASE_URL (dropped again at close). On PostgreSQL the schema is made and
 * migrated as DATABASE_URL's user, its owner, and the handle connects as the application role
 * (TEST_APP_ROLE), which cannot rewrite history: the suite runs with production's privileges.
 */
export async function openTestDatabase(): Promise<DatabaseHandle & { schema?: string }> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const handle = await openPglite();
    await migrate(handle);
    return handle;
  }
  const schema = `t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const made = await createAppSchema(url, schema);
  // Prepared, as the Node server's own pool is (src/db/open.ts): the suite runs what production runs.
  const handle = await openPostgres({ url: asTestAppRole(url), schema, max: 20, prepare: true });
  return {
    ...handle,
    schema,
    close: async () => {
      await handle.close();
      await made.drop();
    },
  };
}

/**
 * Tests fire hundreds of requests at once from one (unknown) address: the limits stay on, so every
 * request passes through them, but too high to bite unless a test sets its own.
 */
const UNBITING_RATE_LIMITS = {
  RATE_LIMIT_PER_KEY: '1000000/1m',
  RATE_LIMIT_PER_ADDRESS: '1000000/1m',
  RATE_LIMIT_PUBLIC: '1000000/1m',
};

export interface TestApp {
  app: ReturnType<typeof createApp>;
  deps: Deps;
  clock: OffsetClock;
  flavour: DatabaseHandle['flavour'];
  call(method: string, path: string, opts?: CallOptions): Promise<CallResult>;
  close(): Promise<void>;
}

export interface CallOptions {
  key?: string;
  body?: unknown;
  /** Sent as is, for malformed-body tests. */
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface CallResult {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: test bodies are inspected field by field
  body: any;
  headers: Headers;
  text: string;
}

export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const handle = await openTestDatabase();
  const dir = await mkdtemp(join(tmpdir(), 'haipai-test-'));
  const s3 = await startEmbeddedS3({ dir, bucket: 'test' });
  const clock = new OffsetClock();
  const config = parseAppConfig({
    OPERATOR_API_KEY: OPERATOR_KEY,
    WEBHOOK_SECRETS_KEY: generateSealingKey(),
    ...UNBITING_RATE_LIMITS,
    ...env,
  });
  // Each test app signs its log with a fresh key unless the test brings one (TLOG_SIGNING_KEY).
  const signingKey = config.TLOG_SIGNING_KEY ?? (await generateSignerKey(config.TLOG_ORIGIN ?? TEST_LOG_ORIGIN));
  const deps: Deps = {
    db: handle.db,
    blobs: s3BlobStore(s3.settings),
    clock,
    config,
    log: new MemoryLogger(),
    tlogSigner: await tlogSignerFromConfig({ ...config, TLOG_SIGNING_KEY: signingKey }),
    // As the entries do: STRIPE_* settings (pointed at the test stand-in) enable the Stripe rail.
    payments: paymentsFromConfig(config),
  };
  const app = createApp(deps);
  const call = async (method: string, path: string, opts: CallOptions = {}): Promise<CallResult> => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.key) headers.authorization = `Bearer ${opts.key}`;
    let body: string | undefined = opts.rawBody;
    if (opts.body !== undefined) body = JSON.stringify(opts.body);
    if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    const res = await app.request(path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {}
    return { status: res.status, body: parsed, headers: res.headers, text };
  };
  return {
    app,
    deps,
    clock,
    flavour: handle.flavour,
    call,
    close: async () => {
      await s3.close();
      await handle.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
