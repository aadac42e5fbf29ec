import { z } from 'zod';

/** "<requests>/<window>": 600/1m, 20/10s, 1000/1h (window in s, m or h; a bare number is seconds). */
const rateLimitPolicy = z
  .string()
  .regex(/^\d+\/\d+(s|m|h)?$/, 'requests per window, such as 600/1m or 20/10s')
  .transform((v) => {
    const [limit, window] = v.split('/') as [string, string];
    const unit = window.at(-1);
    const mult = unit === 'h' ? 3600 : unit === 'm' ? 60 : 1;
    return { limit: Number.parseInt(limit, 10), windowSeconds: Number.parseInt(window, 10) * mult };
  })
  .refine((p) => p.limit > 0 && p.windowSeconds > 0, 'both numbers must be positive');

export type RateLimitPolicy = z.infer<typeof rateLimitPolicy>;

/** Rate limits (src/http/rate-limit.ts; README "Rate limits"), spread into AppConfig (src/config.ts). */
export const rateLimitConfigShape = {
  /** "off" turns every limit off: load tests and benchmarks. */
  RATE_LIMITS: z.enum(['on', 'off']).default('on'),
  /** Requests with a valid API key, counted per key. */
  RATE_LIMIT_PER_KEY: rateLimitPolicy.prefault('600/1m'),
  /** Every request under /v1 and /log, counted per client address, before the key is checked. */
  RATE_LIMIT_PER_ADDRESS: rateLimitPolicy.prefault('1200/1m'),
  /** Requests without a key to the public board and log routes, counted per client address. */
  RATE_LIMIT_PUBLIC: rateLimitPolicy.prefault('300/1m'),
  /**
   * Behind a reverse proxy on Node: the request header in which the proxy puts the client's address
   * (X-Real-IP; with X-Forwarded-For the last address, the one the proxy saw, is used). Unset, the
   * address is the connection's peer (Node) or CF-Connecting-IP (Workers). Set it only when every
   * request comes through that proxy: a client can write any header it likes.
   */
  CLIENT_ADDRESS_HEADER: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/)
    .optional(),
};
