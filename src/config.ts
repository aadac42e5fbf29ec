import { z } from 'zod';
import { casesConfigShape } from './features/cases/cases.config.js';
import { mediaAppConfigShape } from './features/media/media.config.js';
import { quotasConfigShape } from './features/quotas/quotas.config.js';
import { witnessesConfigShape } from './features/tlog/witnesses.config.js';
import { webhooksConfigShape } from './features/webhooks/webhooks.config.js';
import { rateLimitConfigShape } from './http/rate-limit.config.js';

/** Durations in configuration: plain seconds ("259200") or with a unit ("3d", "12h", "30m", "45s"). */
const duration = z
  .string()
  .regex(/^\d+(s|m|h|d)?$/, 'a duration such as 0, 3600, 30m, 12h or 3d')
  .transform((v) => {
    const n = Number.parseInt(v, 10);
    const unit = v.at(-1);
    const mult = unit === 'd' ? 86400 : unit === 'h' ? 3600 : unit === 'm' ? 60 : 1;
    return n * mult;
  });

/** Runtime-agnostic settings the app itself reads; both entries build it from their environment. */
export const appConfigSchema = z.object({
  OPERATOR_API_KEY: z.string().min(16, 'OPERATOR_API_KEY must be at least 16 characters').optional(),
  /** Public notice window after approval, in seconds (default 3 days). */
  NOTICE_PERIOD: duration.default(259200),
  /** Largest JSON request body accepted, in bytes. */
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  /** Largest upload accepted, in bytes (the object is re-read and hashed on completion). */
  MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(32 * 1024 * 1024),
  /** How long a presigned upload URL stays valid, in seconds. */
  UPLOAD_URL_TTL: duration.default(900),
  /** Prefix of registration numbers: HP-2026-000001. */
  REGISTRATION_PREFIX: z
    .string()
    .regex(/^[A-Z]{1,8}$/)
    .default('HP'),
  /**
   * The transparency log's checkpoint signer, a Go sumdb/note signer key (`PRIVATE+KEY+<name>+…`,
   * Ed25519); its name is the log's origin. A secret. The Node entry generates one under DATA_DIR
   * when unset; without one the log is served but nothing new is signed.
   */
  TLOG_SIGNING_KEY: z
    .string()
    .regex(/^PRIVATE\+KEY\+[^+\s]+\+[0-9a-fA-F]{8}\+[A-Za-z0-9+/=]+$/, 'a note signer key: PRIVATE+KEY+<name>+<id>+<key>')
    .optional(),
  /**
   * The log's checkpoint origin, its URL without the scheme (C2SP tlog-checkpoint); it is also the
   * key name, so it must match TLOG_SIGNING_KEY's name when both are set. Default haipai.example/log.
   */
  TLOG_ORIGIN: z
    .string()
    .regex(/^[^+\s]+$/, 'one word without spaces or "+", e.g. haipai.example/log')
    .optional(),
  /**
   * Stripe (issue 5): a secret key (sk_live_…/sk_test_…, or rk_… restricted) enables the stripe
   * rail and Stripe top-ups; STRIPE_WEBHOOK_SECRET (whsec_…) is the signing secret of the endpoint
   * registered for POST /v1/stripe/webhook. Both are secrets.
   */
  STRIPE_SECRET_KEY: z.string().min(1).optional(),
  STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
  /**
   * The signing secret of the Connect endpoint (events on connected accounts, e.g. account.updated),
   * which Stripe keeps apart from the account endpoint's; both may point at /v1/stripe/webhook.
   */
  STRIPE_CONNECT_WEBHOOK_SECRET: z.string().min(1).optional(),
  /** Overrides Stripe's API address (https://api.stripe.com); tests point it at a local stand-in. */
  STRIPE_API_BASE: z.string().url().optional(),
  /** How long an Idempotency-Key's record (and its stored response) lives, in seconds (default 24 h). */
  IDEMPOTENCY_TTL: duration.default(86400),
  /**
   * Seals webhook signing secrets at rest (AES-256-GCM): base64 of 32 random bytes. A secret (a
   * Workers secret); the Node entry generates one under DATA_DIR when unset. To rotate, set the new
   * key here and the old one in WEBHOOK_SECRETS_PREVIOUS_KEYS (comma-separated): the scheduler
   * re-seals every secret under the new key, after which the old one may go.
   */
  WEBHOOK_SECRETS_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}=$/, 'base64 of 32 random bytes')
    .optional(),
  WEBHOOK_SECRETS_PREVIOUS_KEYS: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}=(,[A-Za-z0-9+/]{43}=)*$/, 'comma-separated base64 keys of 32 bytes')
    .optional(),
  /**
   * "on" adds GET /v1/_bench/bare?bytes=N, a fixed JSON body of N bytes behind every /v1 middleware:
   * the HTTP stack's ceiling that `npm run bench:board` compares the board with. Benchmarks only.
   */
  BENCH_BARE_ROUTE: z.enum(['on', 'off']).default('off'),
  /**
   * Milliseconds for which GET /v1/board/listings and /v1/board/trades answers are served again from
   * memory (src/http/public-page-cache.ts); 0, the default, turns the cache off. A write through this
   * app drops it; other writes show within this time.
   */
  BOARD_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  ...mediaAppConfigShape,
  ...webhooksConfigShape,
  ...rateLimitConfigShape,
  ...quotasConfigShape,
  ...witnessesConfigShape,
  ...casesConfigShape,
});

export type AppConfig = z.infer<typeof appConfigSchema>;

export function parseAppConfig(env: Record<string, string | undefined>): AppConfig {
  const parsed = appConfigSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
