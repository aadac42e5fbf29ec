import type { MiddlewareHandler } from 'hono';
import type { ControlledTransaction } from 'kysely';
import { sql } from 'kysely';
import { bytesEqual, sha256 } from '../crypto/bytes.js';
import type { Database } from '../db/schema.js';
import type { AppEnv } from './env.js';
import { AppError } from './problem.js';
import { requestScopedDb } from './request-transaction.js';
import { withholdSecrets } from './secret-values.js';

/** How long a duplicate waits for the first request with its key to finish before a 409. */
const WAIT = '15s';

type IdempotencyTrx = ControlledTransaction<Database>;

const inProgress = () =>
  new AppError(409, 'idempotency_in_progress', 'A request with this Idempotency-Key is still being processed; retry later.');

/** PostgreSQL lock_not_available (55P03): `lock_timeout` ran out while waiting for the first request. */
function isLockTimeout(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } };
  return (e?.code ?? e?.cause?.code) === '55P03';
}

/**
 * `Idempotency-Key` for POSTs (Stripe's semantics): the first request with a key runs; a retry
 * with the same key and body gets the first response back (header `Idempotent-Replayed: true`);
 * the same key with a different body is a 409 `idempotency_key_reused`. Keys are scoped to the
 * caller and live IDEMPOTENCY_TTL (24 h by default); after that the scheduler sweeps them.
 *
 * Atomic: the claim of the key, everything the request writes and its stored response are ONE
 * transaction (the request runs on it, see request-transaction.ts). A crash at any point leaves
 * either all of it committed — a retry gets the stored response — or none of it — a retry runs as
 * if first. A concurrent duplicate waits on the claimed key's unique index until the first commits
 * (then it replays) or rolls back (then it runs), at most 15 s, then answers 409
 * `idempotency_in_progress`. A 5xx rolls everything back, so a retry runs again.
 *
 * Secrets are never stored: in the copy kept for replays, every secret this API issues (API keys,
 * webhook `whsec_` secrets, Stripe client secrets) is replaced by SECRET_WITHHELD.
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
    const deps = c.get('deps');
    const owner = `${principal.kind}:${principal.id}`;
    const requestHash = await sha256(`${c.req.method} ${c.req.path}\n${await c.req.text()}`);

    const trx = await deps.db.startTransaction().execute();
    let open = true;
    const end = async (commit: boolean) => {
      if (!open) return;
      open = false;
      scoped.detach();
      if (commit) await trx.commit().execute();
      else await trx.rollback().execute();
    };
    const scoped = requestScopedDb(deps.db, trx);
    let committedEarly = false;

    try {
      const claim = await claimKey(trx, { owner, key, requestHash, now: deps.clock.now(), ttl: deps.config.IDEMPOTENCY_TTL });
      if (claim.kind === 'replay') {
        await end(false);
        const headers: Record<string, string> = {
          'content-type': claim.type ?? 'application/json',
          'idempotent-replayed': 'true',
        };
        return new Response(claim.body, { status: claim.status, headers });
      }

      c.set('deps', {
        ...deps,
        db: scoped.db,
        requestTransaction: {
          commitNow: async () => {
            if (!open) return;
            await trx
              .updateTable('idempotency_keys')
              .set({ resumable: true })
              .where('principal', '=', owner)
              .where('key', '=', key)
              .execute();
            committedEarly = true;
            await end(true);
          },
        },
      });
      // Errors thrown by handlers are rendered into c.res by onError before we get here.
      await next();
      c.set('deps', deps);

      if (c.res.status >= 500) {
        // Nothing of a failed request is kept; a resumable one stays resumable for its retry.
        await end(false);
        return;
      }
      const stored = {
        status: c.res.status,
        response_body: withholdSecrets(await c.res.clone().text(), c.res.headers.get('content-type')),
        response_type: c.res.headers.get('content-type'),
        completed_at: deps.clock.now(),
      };
      await (open ? trx : deps.db)
        .updateTable('idempotency_keys')
        .set(stored)
        .where('principal', '=', owner)
        .where('key', '=', key)
        .execute();
      await end(true);
    } catch (err) {
      c.set('deps', deps);
      if (open) await end(false).catch(() => {});
      if (isLockTimeout(err) && !committedEarly) throw inProgress();
      throw err;
    }
  };
}

type Claim = { kind: 'run' } | { kind: 'replay'; status: number; body: string | null; type: string | null };

/**
 * Claims `key` for this request inside `trx`, or finds what an earlier request with it left.
 * Waits (bounded by lock_timeout) while another open transaction holds the same key.
 */
async function claimKey(
  trx: IdempotencyTrx,
  k: { owner: string; key: string; requestHash: Uint8Array; now: Date; ttl: number },
): Promise<Claim> {
  await sql`set local lock_timeout = ${sql.lit(WAIT)}`.execute(trx);
  const claimed = await trx
    .insertInto('idempotency_keys')
    .values({
      principal: k.owner,
      key: k.key,
      request_hash: k.requestHash,
      locked_at: k.now,
      expires_at: new Date(k.now.getTime() + k.ttl * 1000),
    })
    .onConflict((oc) => oc.columns(['principal', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  if (!claimed) {
    const existing = await trx
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('principal', '=', k.owner)
      .where('key', '=', k.key)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (existing.expires_at.getTime() <= k.now.getTime()) {
      // Expired but not yet swept: the key is free again, as if the record were gone.
      await trx
        .updateTable('idempotency_keys')
        .set({
          request_hash: k.requestHash,
          status: null,
          response_body: null,
          response_type: null,
          completed_at: null,
          resumable: false,
          locked_at: k.now,
          expires_at: new Date(k.now.getTime() + k.ttl * 1000),
        })
        .where('principal', '=', k.owner)
        .where('key', '=', k.key)
        .execute();
    } else if (!bytesEqual(existing.request_hash, k.requestHash)) {
      throw new AppError(409, 'idempotency_key_reused', 'This Idempotency-Key was used with a different request.');
    } else if (existing.status !== null) {
      return { kind: 'replay', status: existing.status, body: existing.response_body, type: existing.response_type };
    } else if (!existing.resumable) {
      // Left unfinished by a version that stored responses apart from the writes: it may have
      // written, so it is never run again; the record expires like any other.
      throw new AppError(
        409,
        'idempotency_in_progress',
        'A request with this Idempotency-Key did not finish; use a new key after checking its effect.',
      );
    }
    // Resumable: its writes are committed and its handler finds them; we hold its row until we end.
  }
  await sql`set local lock_timeout to default`.execute(trx);
  return { kind: 'run' };
}
