import type { Context } from 'hono';

/**
 * The ceiling of the HTTP stack for `npm run bench:board`: a JSON body of `?bytes=` bytes (default
 * 1,000), made once per size and then served as it is, so a request costs routing, the /v1
 * middleware and the response, and nothing else. Mounted only when BENCH_BARE_ROUTE=on.
 */
export function bareBenchRoute() {
  const bodies = new Map<number, string>();
  return (c: Context) => {
    const bytes = Math.min(Math.max(Number(c.req.query('bytes') ?? 1000) || 1000, 16), 1_000_000);
    let body = bodies.get(bytes);
    if (body === undefined) {
      body = JSON.stringify({ pad: 'x'.repeat(bytes - 10) });
      bodies.set(bytes, body);
    }
    return c.body(body, 200, { 'content-type': 'application/json' });
  };
}
