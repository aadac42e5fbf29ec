import { sql } from 'kysely';
import type { AppConfig } from '../../config.js';
import type { Db, Trx } from '../../db/database.js';
import { recordEvent } from '../events/events.repo.js';

/**
 * Ends the public notice of one locked asset: assigns the next registration number
 * (`HP-2026-000042`, from a database sequence so numbers are unique across isolates) and records
 * `asset.registered`. The caller holds the row lock and has checked the notice window is over.
 */
export async function completeRegistration(
  trx: Trx,
  asset: { id: string; platform_id: string },
  config: AppConfig,
  now: Date,
): Promise<string> {
  const { rows } = await sql<{ n: bigint }>`select nextval('registration_number_seq') as n`.execute(trx);
  const registrationNumber = `${config.REGISTRATION_PREFIX}-${now.getUTCFullYear()}-${String(rows[0]!.n).padStart(6, '0')}`;
  await trx
    .updateTable('assets')
    .set({ status: 'registered', registration_number: registrationNumber, registered_at: now, updated_at: now })
    .where('id', '=', asset.id)
    .execute();
  await recordEvent(trx, {
    type: 'asset.registered',
    at: now,
    assetId: asset.id,
    platformId: asset.platform_id,
    facts: { assetId: asset.id, registrationNumber },
  });
  return registrationNumber;
}

/**
 * Registers every work whose notice window has closed without objection. Scheduled work runs it,
 * and so do writing requests that need one work registered (an edition, a derivative): public
 * reads never write, so a read may show a work under notice for one scheduler tick after its end.
 * SKIP LOCKED lets several runners share the queue without waiting on each other.
 */
export async function registerDueNotices(db: Db, config: AppConfig, now: Date, onlyAssetId?: string): Promise<number> {
  return db.transaction().execute(async (trx) => {
    let q = trx
      .selectFrom('assets')
      .select(['id', 'platform_id'])
      .where('status', '=', 'public_notice')
      .where('notice_ends_at', '<=', now);
    if (onlyAssetId) q = q.where('id', '=', onlyAssetId);
    const due = await q.orderBy('notice_ends_at').limit(100).forUpdate().skipLocked().execute();
    for (const asset of due) await completeRegistration(trx, asset, config, now);
    return due.length;
  });
}
