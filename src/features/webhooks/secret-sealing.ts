import type { AppConfig } from '../../config.js';
import { createSealer, type Sealer } from '../../crypto/seal.js';
import type { Db } from '../../db/database.js';
import { AppError } from '../../http/problem.js';
import type { SecretRow } from './endpoints.repo.js';

/**
 * Webhook signing secrets at rest: HMAC needs the secret itself, so unlike API keys it cannot be
 * hashed; it is sealed (AES-256-GCM, crypto/seal.ts) with WEBHOOK_SECRETS_KEY and bound to its
 * endpoint. The key is a Workers secret, or generated under DATA_DIR by the Node entry.
 */
export async function webhookSealer(config: AppConfig): Promise<Sealer> {
  if (!config.WEBHOOK_SECRETS_KEY) {
    throw new AppError(
      503,
      'webhook_secrets_key_missing',
      'WEBHOOK_SECRETS_KEY is not configured, so no signing secret can be kept.',
    );
  }
  const previous = config.WEBHOOK_SECRETS_PREVIOUS_KEYS?.split(',') ?? [];
  return createSealer(config.WEBHOOK_SECRETS_KEY, previous);
}

const context = (endpointId: string) => `webhook_secrets:${endpointId}`;

export const sealWebhookSecret = (sealer: Sealer, endpointId: string, secret: string) => sealer.seal(secret, context(endpointId));

/** The clear secrets of `rows` (plaintext rows from before schema 0012 as they are). */
export async function openWebhookSecrets(config: AppConfig, rows: SecretRow[]): Promise<string[]> {
  const sealer = rows.some((r) => r.sealed) ? await webhookSealer(config) : null;
  return Promise.all(rows.map((r) => (r.sealed ? sealer!.open(r.sealed, context(r.endpoint_id)) : r.secret!)));
}

/** How many secrets one scheduled run seals or re-seals at most. */
const SEAL_BATCH = 500;

/**
 * Scheduled (Node loop and Workers cron): seals the plaintext secrets written before schema 0012,
 * and re-seals those sealed with a previous key after WEBHOOK_SECRETS_KEY was rotated. Until then
 * deliveries open both forms. Idempotent: each row is rewritten only if it is still as it was read.
 * Without a key configured there is nothing to seal with, and it does nothing.
 */
export async function sealWebhookSecrets(deps: { db: Db; config: AppConfig }): Promise<number> {
  if (!deps.config.WEBHOOK_SECRETS_KEY) return 0;
  const sealer = await webhookSealer(deps.config);
  const rows = await deps.db
    .selectFrom('webhook_secrets')
    .selectAll()
    .where((eb) => eb.or([eb('secret', 'is not', null), eb('sealed', 'not like', `v1.${sealer.currentKeyId}.%`)]))
    .orderBy('id')
    .limit(SEAL_BATCH)
    .execute();
  let done = 0;
  for (const row of rows) {
    const plain = row.sealed ? await sealer.open(row.sealed, context(row.endpoint_id)) : row.secret!;
    const sealed = await sealWebhookSecret(sealer, row.endpoint_id, plain);
    let q = deps.db.updateTable('webhook_secrets').set({ secret: null, sealed }).where('id', '=', row.id);
    q = row.sealed ? q.where('sealed', '=', row.sealed) : q.where('secret', '=', row.secret);
    const r = await q.executeTakeFirst();
    done += Number(r.numUpdatedRows);
  }
  return done;
}
