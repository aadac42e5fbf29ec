import { describe, expect, it } from 'vitest';
import { call } from './worker-client.js';

// The Worker's rate limits come from Cloudflare's rate-limiting bindings (wrangler.toml
// [[ratelimits]]; Miniflare runs them locally). The app is rebuilt for every request on Workers, so
// a 429 here can only come from the binding, which counts across invocations.

/** PUBLIC_RATE_LIMITER's limit for this run (vitest.workers.config.ts; 300 in wrangler.toml). */
const PUBLIC_LIMIT = 20;

describe('rate limits on Workers', () => {
  it('anonymous log reads from one address are refused past the public limit, with Retry-After', async () => {
    const from = '192.0.2.1';
    let refused: Awaited<ReturnType<typeof call>> | undefined;
    let allowed = 0;
    // The binding's window is fixed to the clock (60 s): if one ends during the loop, the count
    // starts again once, so two limits' worth of requests always reach a refusal.
    // Five at a time: each invocation opens its own database pool.
    for (let sent = 0; sent < 2 * PUBLIC_LIMIT + 5 && !refused; sent += 5) {
      const batch = await Promise.all(
        Array.from({ length: 5 }, () => call('GET', '/log/vkey', { headers: { 'cf-connecting-ip': from } })),
      );
      for (const res of batch) {
        if (res.status === 429) refused ??= res;
        else {
          expect(res.status, res.text).toBe(200);
          allowed++;
        }
      }
    }
    expect(refused, 'no 429 came').toBeDefined();
    expect(allowed).toBeGreaterThanOrEqual(PUBLIC_LIMIT);
    expect(refused!.type).toBe('application/problem+json');
    // The problem names RATE_LIMIT_PUBLIC's numbers (300 a minute by default, as wrangler.toml's).
    expect(refused!.body).toMatchObject({ status: 429, code: 'rate_limited', limit: 300, windowSeconds: 60 });
    expect(refused!.retryAfter).toBe('60');
    // Another address is counted apart.
    expect((await call('GET', '/log/vkey', { headers: { 'cf-connecting-ip': '192.0.2.251' } })).status).toBe(200);
  });
});
