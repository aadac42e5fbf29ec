import type { Trx } from '../../db/database.js';
import { unprocessable } from '../../http/problem.js';
import { liftFreeze, placeFreeze } from '../freezes/freezes.service.js';
import { auctionHasBids, endListing, lockListing } from '../market/listing-state.js';
import { endsBySchedule, findListing } from '../market/listings.repo.js';
import { releaseTrade } from '../market/trade-release.service.js';
import type { CaseRow } from './cases.repo.js';

/*
 * Interim measures and their lifting. Lock order (the market's, with the work in front): the work's
 * row (`lockWork`, by the caller) → auction listings (alone, as the auctions engine locks
 * listing → unit) → units (placeFreeze) → fixed and Dutch listings (lockListing: unit → listing).
 */

/**
 * Freezes units of the case's work with cause `case` (all of them, or those named), each recorded in
 * case_freezes so the decision lifts exactly what this case placed. A unit already frozen for this
 * cause keeps its one freeze (placeFreeze finds it), shared with the case.
 */
export async function freezeUnitsForCase(
  trx: Trx,
  c: CaseRow,
  unitIds: string[] | 'all',
  by: { officialId: string; reason: string },
  now: Date,
): Promise<string[]> {
  const units = await trx
    .selectFrom('units')
    .innerJoin('editions', 'editions.id', 'units.edition_id')
    .select('units.id')
    .where('editions.asset_id', '=', c.asset_id)
    .orderBy('units.id')
    .execute();
  const ofWork = new Set(units.map((u) => u.id));
  const chosen = unitIds === 'all' ? [...ofWork] : [...new Set(unitIds)].sort();
  for (const id of chosen) {
    if (!ofWork.has(id))
      throw unprocessable('unit_not_of_work', `Unit ${id} is not a unit of work ${c.asset_id}.`, { unitId: id });
  }
  for (const unitId of chosen) {
    const freeze = await placeFreeze(trx, { unitId, cause: 'case', placedBy: by.officialId, reason: by.reason }, now);
    await trx
      .insertInto('case_freezes')
      .values({ case_id: c.id, freeze_id: freeze.id })
      .onConflict((oc) => oc.columns(['case_id', 'freeze_id']).doNothing())
      .execute();
  }
  return chosen;
}

/**
 * Ends the work's open listings: a fixed or Dutch listing's live reservations are released first
 * (a card payment that then succeeds is refunded by the Stripe rail, as for any released trade),
 * then the listing is cancelled. An auction without bids is cancelled; an auction with bids keeps
 * its bidders' standing — frozen units keep it from settling, and bids are refused while the case
 * suspends the work. Returns the cancelled listings' ids.
 */
export async function suspendListingsOfWork(trx: Trx, c: CaseRow, reason: string, now: Date): Promise<string[]> {
  const open = await trx
    .selectFrom('listings')
    .innerJoin('editions', 'editions.id', 'listings.edition_id')
    .select(['listings.id', 'listings.kind'])
    .where('editions.asset_id', '=', c.asset_id)
    .where('listings.status', 'in', ['open', 'sold'])
    .orderBy('listings.id')
    .execute();
  const cancelled: string[] = [];
  for (const l of open.filter((x) => !endsBySchedule(x))) {
    await trx.selectFrom('listings').select('id').where('id', '=', l.id).forNoKeyUpdate().execute();
    const listing = await findListing(trx, l.id);
    if (listing.status !== 'open' || (await auctionHasBids(trx, listing))) continue;
    await endListing(trx, listing, 'cancelled', reason, now);
    cancelled.push(l.id);
  }
  for (const l of open.filter((x) => endsBySchedule(x))) {
    let listing = await lockListing(trx, l.id);
    const reserved = await trx
      .selectFrom('trades')
      .select('id')
      .where('listing_id', '=', l.id)
      .where('status', '=', 'reserved')
      .orderBy('id')
      .execute();
    for (const t of reserved) await releaseTrade(trx, t.id, reason, now);
    listing = await findListing(trx, l.id);
    if (listing.status !== 'open') continue;
    await endListing(trx, listing, 'cancelled', reason, now);
    cancelled.push(l.id);
  }
  return cancelled;
}

/**
 * Lifts the freezes this case placed, except those another live case also holds, and ends its
 * interim measures. Cancelled listings stay cancelled: sellers list again.
 */
export async function liftCaseMeasures(trx: Trx, c: CaseRow, by: { officialId: string; reason: string }, now: Date) {
  const freezes = await trx
    .selectFrom('case_freezes')
    .innerJoin('unit_freezes', 'unit_freezes.id', 'case_freezes.freeze_id')
    .select(['unit_freezes.id'])
    .where('case_freezes.case_id', '=', c.id)
    .where('unit_freezes.lifted_at', 'is', null)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('case_freezes as other')
            .innerJoin('cases', 'cases.id', 'other.case_id')
            .select('other.freeze_id')
            .whereRef('other.freeze_id', '=', 'case_freezes.freeze_id')
            .where('other.case_id', '<>', c.id)
            .where('cases.status', '<>', 'closed'),
        ),
      ),
    )
    .orderBy('unit_freezes.unit_id')
    .execute();
  for (const f of freezes) await liftFreeze(trx, f.id, { liftedBy: by.officialId, reason: by.reason }, now);
  await trx
    .updateTable('cases')
    .set({ units_frozen: false, listings_suspended: false, hidden: false, updated_at: now })
    .where('id', '=', c.id)
    .execute();
  return freezes.map((f) => f.id);
}
