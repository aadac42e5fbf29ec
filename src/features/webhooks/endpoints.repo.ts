import type { Queryable, Trx } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import { notFound } from '../../http/problem.js';

export type EndpointRow = Row<'webhook_endpoints'>;
export type SecretRow = Row<'webhook_secrets'>;
export type AttemptRow = Row<'webhook_attempts'>;

/** The platform's endpoint `id`; another platform's is the same 404 as a missing one. */
export async function findEndpoint(db: Queryable, platformId: string, id: string): Promise<EndpointRow> {
  const row = await db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('id', '=', id)
    .where('platform_id', '=', platformId)
    .executeTakeFirst();
  if (!row) throw notFound('webhook endpoint', id);
  return row;
}

/** The endpoint row, locked for a change of its settings. */
export async function lockEndpoint(trx: Trx, platformId: string, id: string): Promise<EndpointRow> {
  const row = await trx
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('id', '=', id)
    .where('platform_id', '=', platformId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw notFound('webhook endpoint', id);
  return row;
}

/** Secrets that sign a delivery made at `now`: the current one and those still in their grace period. */
export async function signingSecrets(db: Queryable, endpointId: string, now: Date): Promise<SecretRow[]> {
  return db
    .selectFrom('webhook_secrets')
    .selectAll()
    .where('endpoint_id', '=', endpointId)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .orderBy('id', 'desc')
    .execute();
}

/** Secrets of many endpoints that still sign at `now`, by endpoint (for presenting lists). */
export async function signingSecretsOf(db: Queryable, endpointIds: string[], now: Date): Promise<Map<string, SecretRow[]>> {
  const out = new Map<string, SecretRow[]>(endpointIds.map((id) => [id, []]));
  if (!endpointIds.length) return out;
  const rows = await db
    .selectFrom('webhook_secrets')
    .selectAll()
    .where('endpoint_id', 'in', endpointIds)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .orderBy('id', 'desc')
    .execute();
  for (const r of rows) out.get(r.endpoint_id)!.push(r);
  return out;
}
