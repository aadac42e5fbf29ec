import { s3BlobStore } from './adapters/s3-blob-store.js';
import { paymentsFromConfig } from './adapters/stripe-payments.js';
import { createApp } from './app.js';
import { type AppConfig, parseAppConfig } from './config.js';
import { openPostgres } from './db/postgres.js';
import type { Deps } from './deps.js';
import { integrateLog } from './features/tlog/integrate.js';
import { tlogSignerFromConfig } from './features/tlog/log-signer.js';
import type { BlobStore } from './ports/blob-store.js';
import { systemClock } from './ports/clock.js';
import { jsonLogger } from './ports/logger.js';
import type { RateLimitBinding, RateLimitBindings } from './ports/rate-limit-binding.js';
import { runScheduledWork } from './scheduled.js';

/** The Hyperdrive binding, as far as this entry uses it. */
export interface Hyperdrive {
  readonly connectionString: string;
}

/** What this entry needs from the Workers `ExecutionContext`. */
export interface WorkerContext {
  waitUntil(promise: Promise<unknown>): void;
}

/**
 * Bindings, vars and secrets; wrangler.toml says which is which. Every AppConfig key may be set as a
 * var or a secret (OPERATOR_API_KEY is a secret, NOTICE_PERIOD a var).
 */
export interface Env extends Partial<Record<keyof AppConfig, string>> {
  HYPERDRIVE: Hyperdrive;
  /** wrangler.toml [[ratelimits]]: the rate-limit groups' counters (src/http/rate-limit.ts). */
  KEY_RATE_LIMITER?: RateLimitBinding;
  ADDRESS_RATE_LIMITER?: RateLimitBinding;
  PUBLIC_RATE_LIMITER?: RateLimitBinding;
  /** R2's S3 API: https://<account id>.r2.cloudflarestorage.com */
  S3_ENDPOINT?: string;
  S3_BUCKET?: string;
  S3_REGION?: string;
  S3_ACCESS_KEY_ID?: string;
  S3_SECRET_ACCESS_KEY?: string;
}

// An invocation may hold 6 connections at once (R2 fetches included); Hyperdrive pools behind them.
const MAX_CONNECTIONS = 5;

/**
 * Deps for one request or one cron run. Sockets opened by one request cannot be used by another on
 * Workers, so the pool is per invocation (Hyperdrive keeps the real connections warm); the app is
 * rebuilt with it, which costs well under a millisecond next to the database round trip.
 * `close()` waits for the log integrations that writes started (`afterWrite`), then ends the pool.
 */
async function openDeps(env: Env): Promise<{ deps: Deps; close: () => Promise<void> }> {
  const { HYPERDRIVE, KEY_RATE_LIMITER, ADDRESS_RATE_LIMITER, PUBLIC_RATE_LIMITER, ...vars } = env;
  const config = parseAppConfig(vars);
  const tlogSigner = await tlogSignerFromConfig(config);
  // openPostgres warms the pool before Kysely can reserve() a connection: reserve() on a fresh pool hangs under workerd.
  const handle = await openPostgres({ url: HYPERDRIVE.connectionString, max: MAX_CONNECTIONS });
  const integrations: Promise<void>[] = [];
  const deps: Deps = {
    db: handle.db,
    blobs: blobStore(env),
    clock: systemClock,
    config,
    log: jsonLogger,
    tlogSigner,
    // Stripe through fetch and SubtleCrypto (secrets STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET).
    payments: paymentsFromConfig(config),
    // Cloudflare writes the client's address here; a client cannot set it.
    clientAddress: (c) => c.req.header('cf-connecting-ip'),
    rateLimitBindings: config.RATE_LIMITS === 'off' ? undefined : rateLimitBindings(env),
  };
  if (tlogSigner) {
    // Put this request's events in a signed checkpoint now rather than at the next cron tick.
    deps.afterWrite = () => {
      integrations.push(
        integrateLog(deps).then(
          () => {},
          (err) => jsonLogger.error('log integration failed', { error: (err as Error).message }),
        ),
      );
    };
  }
  return {
    deps,
    close: async () => {
      await Promise.all(integrations);
      await handle.close();
    },
  };
}

/**
 * The three bindings wrangler.toml declares. Without them the app would count in memory, which on
 * Workers lives for one request: no limit at all, so a missing binding is a startup failure.
 */
function rateLimitBindings(env: Env): RateLimitBindings {
  const { KEY_RATE_LIMITER, ADDRESS_RATE_LIMITER, PUBLIC_RATE_LIMITER } = env;
  if (!KEY_RATE_LIMITER || !ADDRESS_RATE_LIMITER || !PUBLIC_RATE_LIMITER) {
    throw new Error('wrangler.toml must declare KEY_RATE_LIMITER, ADDRESS_RATE_LIMITER and PUBLIC_RATE_LIMITER [[ratelimits]]');
  }
  return { perKey: KEY_RATE_LIMITER, perAddress: ADDRESS_RATE_LIMITER, publicReads: PUBLIC_RATE_LIMITER };
}

const S3_KEYS = ['S3_ENDPOINT', 'S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const;

/**
 * R2 through the S3 API. Without the S3 settings (e.g. `wrangler dev` with no .dev.vars) everything
 * but blob operations still works; those fail with an error naming what is missing.
 */
function blobStore(env: Env): BlobStore {
  const missing = S3_KEYS.filter((k) => !env[k]);
  if (missing.length) {
    const fail = async (): Promise<never> => {
      throw new Error(`object storage is not configured: set ${missing.join(', ')}`);
    };
    return { presignPut: fail, stat: fail, read: fail, put: fail };
  }
  return s3BlobStore({
    endpoint: env.S3_ENDPOINT,
    bucket: env.S3_BUCKET!,
    region: env.S3_REGION || 'auto',
    accessKeyId: env.S3_ACCESS_KEY_ID!,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY!,
  });
}

/** Startup failed (bad configuration, database unreachable): the same bare 500 as the app's onError. */
function startupFailure(err: unknown): Response {
  jsonLogger.error('cannot serve request', { error: (err as Error).message });
  const body = {
    type: 'https://haipai.dev/problems/internal_error',
    title: 'Internal Server Error',
    status: 500,
    code: 'internal_error',
    detail: 'Something went wrong on our side.',
  };
  return new Response(JSON.stringify(body), { status: 500, headers: { 'content-type': 'application/problem+json' } });
}

export default {
  async fetch(request: Request, env: Env, ctx: WorkerContext): Promise<Response> {
    let opened: Awaited<ReturnType<typeof openDeps>>;
    try {
      opened = await openDeps(env);
    } catch (err) {
      return startupFailure(err);
    }
    try {
      return await createApp(opened.deps).fetch(request);
    } finally {
      // Bodies are fully built by now; log integration and closing run after the response.
      ctx.waitUntil(opened.close());
    }
  },

  /** The cron trigger (wrangler.toml [triggers]); a failure is logged by the runtime and retried next tick. */
  async scheduled(_controller: unknown, env: Env, _ctx: WorkerContext): Promise<void> {
    const { deps, close } = await openDeps(env);
    try {
      await runScheduledWork(deps);
    } finally {
      await close();
    }
  },
};
