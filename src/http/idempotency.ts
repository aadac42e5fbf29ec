import type { MiddlewareHandler } from 'hono';
import { bytesEqual, sha256 } from '../crypto/bytes.js';
import type { AppEnv } from './env.js';
import { AppError } from './problem.js';

const POLL_MS = 50;
/** How long a duplicate waits for the first request to finish before giving up with a 409. */
const WAIT_MS = 15_000;
/** A lock older than this belongs to a request that died; a retry may take it over. */
const STALE_MS = 120_000;

/**
 * `Idempotency-Key` for POSTs (Stripe's semantics): the first request with a key runs; a retry
 * with the same key and body gets the first response back (header `Idempotent-Replayed: true`);
 * the same key with a different body is a 409 `idempotency_key_reused`. Concurrent duplicates
 * wait for the first to finish. Keys are scoped to the caller. A 5xx is not stored, so a retry
 * after a server failure runs again.
 */
export function idempotency(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (c.req.method !== 'POST' || key === undefined) return next();
    if (key.length < 1 || key.length > 255) {
      throw new AppError(400, 'invalid_idempotency_key', 'Idempotency-Key must be 1 to 255 characters.');
    }
    const principal = c.get('principal');
    if (!principal) return next(); // the route itself will answer 401 (or is public); nothing to remember
    const { db, clock } = c.get('deps');
    const owner = `${principal.kind}:${principal.id}`;
    const requestHash = await sha256(`${c.req.method} ${c.req.path}\n${await c.req.text()}`);

    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const now = clock.now();
      const claimed = await db
        .insertInto('idempotency_keys')
        .values({ principal: owner, key, request_hash: requestHash, locked_at: now })
        .onConflict((oc) => oc.columns(['principal', 'key']).doNothing())
        .returning('key')
        .executeTakeFirst();
      if (claimed) break;

      const existing = await db
        .selectFrom('idempotency_keys')
        .selectAll()
        .where('principal', '=', owner)
        .where('key', '=', key)
        .executeTakeFirst();
      if (!existing) continue; // released by a failed first attempt: try to claim again
      if (!bytesEqual(existing.request_hash, requestHash)) {
        throw new AppError(409, 'idempotency_key_reused', 'This Idempotency-Key was used with a different request.');
      }
      if (existing.status !== null) {
        return new Response(existing.response_body, {
          status: existing.status,
          headers: { 'content-type': existing.response_type ?? 'application/json', 'idempotent-replayed': 'true' },
        });
      }
      if (now.getTime() - existing.locked_at.getTime() > STALE_MS) {
        const taken = await db
          .updateTable('idempotency_keys')
          .set({ locked_at: now })
          .where('principal', '=', owner)
          .where('key', '=', key)
          .where('locked_at', '=', existing.locked_at)
          .executeTakeFirst();
        if (taken.numUpdatedRows === 1n) break;
      }
      if (Date.now() > deadline) {
        throw new AppError(
          409,
          'idempotency_in_progress',
          'A request with this Idempotency-Key is still being processed; retry later.',
        );
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }

    try {
      await next();
    } catch (err) {
      await release(c, owner, key);
      throw err;
    }
    // Errors thrown by handlers are rendered into c.res by onError before we get here.
    if (c.res.status >= 500) {
      await release(c, owner, key);
      return;
    }
    const body = await c.res.clone().text();
    await db
      .updateTable('idempotency_keys')
      .set({
        status: c.res.status,
        response_body: body,
        response_type: c.res.headers.get('content-type'),
        completed_at: clock.now(),
      })
      .where('principal', '=', owner)
      .where('key', '=', key)
      .execute();
  };
}

async function release(c: Parameters<MiddlewareHandler<AppEnv>>[0], owner: string, key: string) {
  await c
    .get('deps')
    .db.deleteFrom('idempotency_keys')
    .where('principal', '=', owner)
    .where('key', '=', key)
    .where('status', 'is', null)
    .execute();
}
