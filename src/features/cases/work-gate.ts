import type { Queryable, Trx } from '../../db/database.js';
import { conflict } from '../../http/problem.js';

/*
 * Whether a work may change hands. A revoked work never again (409 `work_revoked`); a work under a
 * live case whose interim measures froze its units or suspended its listings not while they hold
 * (409 `work_under_case`). Unit freezes stay the hard gate for existing units (every trading path
 * checks `units.frozen` under the unit's lock); this gate gives the clear code, and covers what a
 * unit freeze cannot: primary sales, which mint new units.
 */

async function refusal(db: Queryable, assetId: string) {
  const asset = await db.selectFrom('assets').select(['status']).where('id', '=', assetId).executeTakeFirst();
  if (asset?.status === 'revoked') {
    return conflict('work_revoked', `The registration of work ${assetId} was revoked by an IP case; it cannot be traded.`);
  }
  const live = await db
    .selectFrom('cases')
    .select(['id'])
    .where('asset_id', '=', assetId)
    .where('status', '<>', 'closed')
    .where((eb) => eb.or([eb('units_frozen', '=', true), eb('listings_suspended', '=', true)]))
    .executeTakeFirst();
  if (live) {
    return conflict('work_under_case', `Work ${assetId} is under IP case ${live.id}; its trading is suspended.`, {
      caseId: live.id,
    });
  }
  return null;
}

/**
 * For purchases and new listings: takes a share lock on the work's row before any market lock, and
 * refuses a revoked or suspended work. Measures and determinations lock the work's row first
 * (lockWorkForCase), so a purchase either commits before they start or sees what they decided:
 * a takedown can never leave a sale of a taken-down work behind it.
 */
export async function lockWorkForTrade(trx: Trx, assetId: string): Promise<void> {
  await trx.selectFrom('assets').select('id').where('id', '=', assetId).forShare().execute();
  const refused = await refusal(trx, assetId);
  if (refused) throw refused;
}

/** The work of an edition, for callers that hold a unit. */
export async function workOfEdition(db: Queryable, editionId: string): Promise<string> {
  const row = await db.selectFrom('editions').select('asset_id').where('id', '=', editionId).executeTakeFirstOrThrow();
  return row.asset_id;
}

/** The gate's refusal code for a work, or null: for the auctions engine, which decides rather than throws. */
export async function workTradeRefusal(db: Queryable, assetId: string): Promise<'work_revoked' | 'work_under_case' | null> {
  const refused = await refusal(db, assetId);
  return refused ? (refused.code as 'work_revoked' | 'work_under_case') : null;
}

/** For gifts, offers and bids, which lock the unit (or auction) first: a read, under the caller's locks. */
export async function checkWorkTradable(db: Queryable, assetId: string): Promise<void> {
  const refused = await refusal(db, assetId);
  if (refused) throw refused;
}

/** The work's row, locked against every purchase in flight (FOR NO KEY UPDATE waits for their share locks). */
export async function lockWorkForCase(trx: Trx, assetId: string) {
  return trx.selectFrom('assets').selectAll().where('id', '=', assetId).forNoKeyUpdate().executeTakeFirstOrThrow();
}
