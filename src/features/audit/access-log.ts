import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../http/env.js';

/**
 * Records every read by an official (method, path with query, status, request id) after the
 * response is ready. Officials audit the registry; the operator can audit the officials.
 */
export function recordOfficialReads(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const principal = c.get('principal');
    if (principal?.kind !== 'official' || (c.req.method !== 'GET' && c.req.method !== 'HEAD')) return;
    const { db, clock } = c.get('deps');
    const url = new URL(c.req.url);
    await db
      .insertInto('official_reads')
      .values({
        official_id: principal.id,
        method: c.req.method,
        path: `${url.pathname}${url.search}`.slice(0, 2048),
        status: c.res.status,
        request_id: c.get('requestId') ?? null,
        at: clock.now(),
      })
      .execute();
  };
}
