/**
 * Cloudflare's rate-limiting binding (wrangler.toml [[ratelimits]]): counts `key` in a fixed window
 * of the binding's period at the Cloudflare location serving the request, and says whether it is
 * still within the limit. It tells nothing more, so no RateLimit-* headers can come from it.
 */
export interface RateLimitBinding {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

/** One binding per rate-limit group (src/http/rate-limit.ts). */
export interface RateLimitBindings {
  perKey: RateLimitBinding;
  perAddress: RateLimitBinding;
  publicReads: RateLimitBinding;
}
