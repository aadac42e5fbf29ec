import type { MiddlewareHandler } from 'hono';
import type { Deps } from '../deps.js';
import type { AppEnv } from './env.js';

/**
 * A short-lived cache of whole public answers (the board's listings and trades pages and its
 * statistics), for BOARD_CACHE_MS milliseconds; 0 (the default) turns it off.
 *
 * Why: every visitor of the board asks for much the same few pages (the newest listings, the
 * latest trades), and a page costs a statement and its JSON however often it is asked for. With
 * the cache, one request in BOARD_CACHE_MS pays that; the others get the same bytes. Statistics
 * keep their own answers per window (features/board), but still read a mark of the window's
 * trades to know whether an answer holds: the cache saves that statement too.
 *
 * How stale a page can be: at most BOARD_CACHE_MS (by `deps.clock`). A write answered by this
 * app (any successful POST, PUT, PATCH or DELETE under /v1) drops every entry, so whoever listed
 * or bought through this process sees it on the very next read; writes elsewhere (another
 * process, the scheduler closing auctions, the log integrator adding `logIndex`) show within
 * BOARD_CACHE_MS. An answer computed while a write committed is not kept. Only 200s are kept,
 * keyed by the whole URL, at most MAX_ENTRIES of them. Rate limits, authentication and the
 * officials' read log run before the cache, as for any request.
 */
export function publicPageCache(deps: Pick<Deps, 'clock' | 'config'>) {
  const ttl = deps.config.BOARD_CACHE_MS;
  const entries = new Map<string, { at: number; body: string; type: string }>();
  /** Bumped by every write: an answer begun before it is not stored. */
  let generation = 0;

  const middleware: MiddlewareHandler<AppEnv> = async (c, next) => {
    if (ttl <= 0 || c.req.method !== 'GET') return next();
    const key = c.req.url;
    const now = deps.clock.now().getTime();
    const hit = entries.get(key);
    if (hit && now >= hit.at && now - hit.at < ttl) return c.body(hit.body, 200, { 'content-type': hit.type });
    const started = generation;
    await next();
    if (c.res.status !== 200 || generation !== started) return;
    const body = await c.res.clone().text();
    if (entries.size >= MAX_ENTRIES) entries.clear();
    entries.set(key, { at: now, body, type: c.res.headers.get('content-type') ?? 'application/json' });
  };

  return {
    middleware,
    /** After a write: every page may have changed. */
    clear() {
      generation++;
      entries.clear();
    },
  };
}

/** Distinct URLs kept (filters, page sizes, cursors); cleared when full. A page is at most ~60 KB. */
const MAX_ENTRIES = 256;
