import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

/**
 * `npm run test:workers`: the real Worker (src/worker.ts, wrangler.toml) inside workerd, against
 * the run's own PostgreSQL database, s3rver and Stripe stand-in made by test/workers/global-setup.ts in Node.
 */
export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => {
      const s3 = inject('workersS3');
      const stripe = inject('workersStripe');
      return {
        main: './src/worker.ts',
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          // These override wrangler.toml's localConnectionString and [vars].
          hyperdrives: { HYPERDRIVE: inject('workersDatabaseUrl') },
          // wrangler.toml's public limit (300 a minute) with fewer requests to reach it: every
          // invocation opens its own database pool, so hundreds of them would be slow.
          ratelimits: { PUBLIC_RATE_LIMITER: { simple: { limit: 20, period: 60 } } },
          bindings: {
            OPERATOR_API_KEY: 'workers-test-operator-key-0123456789',
            NOTICE_PERIOD: '1h',
            S3_ENDPOINT: s3.endpoint ?? '',
            S3_BUCKET: s3.bucket,
            S3_REGION: s3.region,
            S3_ACCESS_KEY_ID: s3.accessKeyId,
            S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
            TLOG_SIGNING_KEY: inject('workersTlogKey'),
            // The Stripe rail on, its SDK pointed at the stand-in: webhooks are verified by the Worker itself.
            STRIPE_SECRET_KEY: stripe.secretKey,
            STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
            STRIPE_API_BASE: stripe.base,
          },
        },
      };
    }),
  ],
  test: {
    include: ['test/workers/**/*.test.ts'],
    globalSetup: ['test/workers/global-setup.ts'],
    // postgres.js's Workers build rejects a pending socket read after every sql.end() with nothing
    // listening (porsager/postgres#1202): harmless, but Vitest counts it as an error. Only that one.
    onUnhandledError: (error) =>
      !(error.message === 'Stream was cancelled.' && /node_modules\/postgres\/cf\/polyfills\.js/.test(error.stack ?? '')),
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
