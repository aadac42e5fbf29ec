import type { Sealer } from '../../crypto/seal.js';
import type { Db } from '../../db/database.js';
import { conflict } from '../../http/problem.js';
import { iso } from '../../http/schemas.js';
import { newId } from '../../ids.js';
import { type EndpointRow, lockEndpoint, type SecretRow, signingSecrets } from './endpoints.repo.js';
import { feedCursor, logSize } from './feed.js';
import { sealWebhookSecret } from './secret-sealing.js';
import { generateSecret } from './signature.js';
import { assertWebhookUrl } from './webhook-url.js';

/** Endpoints one platform may have; more is a 409 `too_many_endpoints`. */
export const MAX_ENDPOINTS_PER_PLATFORM = 20;
/** How long the previous secret keeps signing after a rotation, unless the request says otherwise. */
export const DEFAULT_ROTATION_GRACE_SECONDS = 24 * 3600;

export interface CreateEndpointInput {
  url: string;
  eventTypes: string[];
  description?: string;
}

/**
 * A new endpoint with its first secret. It receives the platform's events from now on (the log's
 * current end); what came before is in GET /v1/events.
 */
export async function createEndpoint(
  db: Db,
  platformId: string,
  input: CreateEndpointInput,
  opts: { allowHttpLocal: boolean; now: Date; sealer: Sealer },
): Promise<{ endpoint: EndpointRow; secret: string; secrets: SecretRow[] }> {
  assertWebhookUrl(input.url, opts.allowHttpLocal);
  const eventTypes = [...new Set(input.eventTypes)];
  return db.transaction().execute(async (trx) => {
    // Serialises creations by one platform, so the limit holds under concurrent requests. NO KEY
    // UPDATE: inserts that reference the platform (accounts, keys, events) hold FOR KEY SHARE on
    // it, which FOR UPDATE would wait for.
    await trx.selectFrom('platforms').select('id').where('id', '=', platformId).forNoKeyUpdate().executeTakeFirstOrThrow();
    const count = await trx
      .selectFrom('webhook_endpoints')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('platform_id', '=', platformId)
      .executeTakeFirstOrThrow();
    if (Number(count.n) >= MAX_ENDPOINTS_PER_PLATFORM) {
      throw conflict('too_many_endpoints', `A platform may have at most ${MAX_ENDPOINTS_PER_PLATFORM} webhook endpoints.`);
    }
    const endpoint = await trx
      .insertInto('webhook_endpoints')
      .values({
        id: newId('whe'),
        platform_id: platformId,
        url: input.url,
        description: input.description ?? null,
        event_types: eventTypes,
        status: 'enabled',
        disabled_reason: null,
        position: await logSize(trx),
        next_attempt_at: opts.now,
        created_at: opts.now,
        updated_at: opts.now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const secret = generateSecret();
    const row = await trx
      .insertInto('webhook_secrets')
      .values({
        endpoint_id: endpoint.id,
        secret: null,
        sealed: await sealWebhookSecret(opts.sealer, endpoint.id, secret),
        created_at: opts.now,
        expires_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { endpoint, secret, secrets: [row] };
  });
}

/**
 * A new current secret. The ones signing until now keep signing for `graceSeconds` more (0 ends
 * them at once, for a leaked secret), so receivers can switch without losing a delivery.
 */
export async function rotateSecret(
  db: Db,
  platformId: string,
  id: string,
  graceSeconds: number,
  now: Date,
  sealer: Sealer,
): Promise<{ endpoint: EndpointRow; secret: string; secrets: SecretRow[] }> {
  return db.transaction().execute(async (trx) => {
    const endpoint = await lockEndpoint(trx, platformId, id);
    const until = new Date(now.getTime() + graceSeconds * 1000);
    await trx
      .updateTable('webhook_secrets')
      .set({ expires_at: until })
      .where('endpoint_id', '=', id)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', until)]))
      .execute();
    const secret = generateSecret();
    const sealed = await sealWebhookSecret(sealer, id, secret);
    await trx
      .insertInto('webhook_secrets')
      .values({ endpoint_id: id, secret: null, sealed, created_at: now, expires_at: null })
      .execute();
    const updated = await trx
      .updateTable('webhook_endpoints')
      .set({ updated_at: now })
      .where('id', '=', endpoint.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { endpoint: updated, secret, secrets: await signingSecrets(trx, id, now) };
  });
}

/**
 * Disabling stops deliveries (an attempt already on the wire finishes). Enabling resumes where
 * delivery stopped, with nothing skipped, and retries a pending message at once.
 */
export async function setEndpointEnabled(db: Db, platformId: string, id: string, enabled: boolean, now: Date) {
  return db.transaction().execute(async (trx) => {
    const endpoint = await lockEndpoint(trx, platformId, id);
    if ((endpoint.status === 'enabled') === enabled) return endpoint;
    return trx
      .updateTable('webhook_endpoints')
      .set(
        enabled
          ? { status: 'enabled', disabled_reason: null, attempts: 0, failing_since: null, next_attempt_at: now, updated_at: now }
          : { status: 'disabled', disabled_reason: 'manual', updated_at: now },
      )
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

export function presentEndpoint(e: EndpointRow, secrets: SecretRow[]) {
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    eventTypes: e.event_types,
    status: e.status,
    disabledReason: e.disabled_reason,
    delivery: {
      // Everything before this cursor of GET /v1/events has been delivered (or is not for this endpoint).
      cursor: feedCursor(e.position),
      pendingEventId: e.pending_event_id,
      failedAttempts: e.attempts,
      nextAttemptAt: e.pending_index === null ? null : iso(e.next_attempt_at),
      failingSince: iso(e.failing_since),
    },
    secrets: secrets.map((s) => ({ createdAt: s.created_at.toISOString(), expiresAt: iso(s.expires_at) })),
    createdAt: e.created_at.toISOString(),
    updatedAt: e.updated_at.toISOString(),
  };
}
