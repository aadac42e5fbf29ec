import type { ExpressionBuilder } from 'kysely';
import type { Queryable, Trx } from '../../db/database.js';
import type { Database } from '../../db/schema.js';
import { conflict } from '../../http/problem.js';

/*
 * Whether a work may change hands. A revoked work never again (409 `work_revoked`); a work under a
 * live case whose interim measures froze its units or suspended its listings not while they hold
 * (409 `work_under_case`). Unit freezes stay the hard gate for existing units (every trading path
 * checks `units.frozen` under the unit's lock); this gate gives the clear code, and covers what a
 * unit freeze cannot: primary sales, which mint new units.
 */

/** The live case of the work in `assets` whose measures are in force, or null: a column of a query over assets. */
export function liveCaseOfWork(eb: ExpressionBuilder<Database, 'assets'>) {
  return eb
    .selectFrom('cases')
    .select('cases.id')
    .whereRef('cases.asset_id', '=', 'assets.id')
    .where('cases.status', '<>', 'closed')
    .where((c) => c.or([c('cases.units_frozen', '=', true), c('cases.listings_suspended', '=', true)]))
    .limit(1)
    .as('live_case_id');
}

/** The work's status and its live case with measures in force, in one statement (optionally share-locked). */
function gateQuery(db: Queryable, assetId: string) {
  return db
    .selectFrom('assets')
    .select((eb) => ['assets.status', liveCaseOfWork(eb)])
    .where('assets.id', '=', assetId);
}

/** The gate's refusal for a work's status and live case (see `liveCaseOfWork`), or null. */
export function workGateRefusal(assetId: string, gate: { status: string; live_case_id: string | null } | undefined) {
  if (gate?.status === 'revoked') {
    return conflict('work_revoked', `The registration of work ${assetId} was revoked by an IP case; it cannot be traded.`);
  }
  if (gate?.live_case_id) {
    return conflict('work_under_case', `Work ${assetId} is under IP case ${gate.live_case_id}; its trading is suspended.`, {
      caseId: gate.live_case_id,
    });
  }
  return null;
}

async function refusal(db: Queryable, assetId: string) {
  return workGateRefusal(assetId, await gateQuery(db, assetId).executeTakeFirst());
}

/**
 * For purchases and new listings: takes a share lock on the work's row before any market lock, and
 * refuses a revoked or suspended work. Measures and determinations lock the work's row first
 * (`lockWork` in assets.repo.ts), so a purchase either commits before they start or sees what they decided:
 * a takedown can never leave a sale of a taken-down work behind it.
 */
export async function lockWorkForTrade(trx: Trx, assetId: string): Promise<void> {
  const refused = workGateRefusal(assetId, await gateQuery(trx, assetId).forShare('assets').executeTakeFirst());
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
