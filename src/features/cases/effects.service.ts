import type { Trx } from '../../db/database.js';
import { recordEvent } from '../events/events.repo.js';
import { terminateGrantsOfWork } from '../licensing/termination.service.js';
import { endListing, lockListing } from '../market/listing-state.js';
import { findListing } from '../market/listings.repo.js';
import { releaseTrade } from '../market/trade-release.service.js';
import type { CaseRow } from './cases.repo.js';
import { recordCaseEvent } from './cases.repo.js';
import { textSha256 } from './evidence.js';
import { freezeUnitsForCase, liftCaseMeasures, suspendListingsOfWork } from './measures.service.js';

/*
 * What a determination does when it takes effect, in one transaction with its events. The caller
 * holds the work's row (`lockWork`) and the case's.
 *
 * - dismissed, settled: the case's interim measures are lifted.
 * - takedown: the registration is revoked (status `revoked`; the number stays, the certificate page
 *   says revoked), every open listing of the work is cancelled (reservations released, card
 *   payments refunded by the Stripe rail), every unit frozen for good (cause `case`, never lifted),
 *   and every work naming it as a parent is flagged for an official's review.
 * - rights_transferred: measures lifted, the rights holder becomes the new holder (and, if ordered,
 *   the creator credits and their royalty shares); sales from then on split by the work as it now
 *   stands, past journals untouched. The former holder's primary listings end: only the rights
 *   holder sells an edition as a primary sale.
 */
export async function applyDetermination(trx: Trx, c: CaseRow, now: Date): Promise<CaseRow> {
  const by = { officialId: c.decided_by!, reason: `case ${c.id} decided: ${c.determination}` };
  const extra: Record<string, unknown> = {};
  if (c.determination === 'takedown') {
    Object.assign(extra, await takeDown(trx, c, by, now));
  } else {
    extra.liftedFreezeIds = await liftCaseMeasures(trx, c, by, now);
    if (c.determination === 'rights_transferred') await transferRights(trx, c, now);
  }
  await trx.updateTable('complaints').set({ status: 'closed' }).where('case_id', '=', c.id).execute();
  const row = await trx
    .updateTable('cases')
    .set({ status: 'closed', closed_at: now, updated_at: now })
    .where('id', '=', c.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordCaseEvent(trx, row, 'case.closed', { determination: c.determination, ...extra }, now);
  return row;
}

async function takeDown(trx: Trx, c: CaseRow, by: { officialId: string; reason: string }, now: Date) {
  const cancelledListingIds = await suspendListingsOfWork(trx, c, `case ${c.id}`, now);
  const frozenUnitIds = await freezeUnitsForCase(trx, c, 'all', by, now);
  await trx
    .updateTable('cases')
    .set({ units_frozen: true, listings_suspended: true, updated_at: now })
    .where('id', '=', c.id)
    .execute();
  const asset = await trx
    .updateTable('assets')
    .set({ status: 'revoked', updated_at: now })
    .where('id', '=', c.asset_id)
    .returning(['id', 'platform_id', 'registration_number', 'rights_holder_id'])
    .executeTakeFirstOrThrow();
  await recordEvent(trx, {
    type: 'asset.revoked',
    at: now,
    assetId: asset.id,
    platformId: asset.platform_id,
    facts: {
      assetId: asset.id,
      registrationNumber: asset.registration_number,
      rightsHolderId: asset.rights_holder_id,
      caseId: c.id,
    },
  });
  // Licences of a revoked work end with it (the licensing README: cases and grants).
  await terminateGrantsOfWork(trx, c.asset_id, `takedown by IP case ${c.id}`, now);
  const derivatives = await trx
    .selectFrom('asset_parents')
    .innerJoin('assets', 'assets.id', 'asset_parents.asset_id')
    .select(['assets.id', 'assets.platform_id', 'assets.rights_holder_id'])
    .where('asset_parents.parent_id', '=', c.asset_id)
    .orderBy('assets.id')
    .execute();
  for (const d of derivatives) {
    await recordEvent(trx, {
      type: 'asset.flagged_for_review',
      at: now,
      assetId: d.id,
      platformId: d.platform_id,
      facts: {
        assetId: d.id,
        parentId: c.asset_id,
        rightsHolderId: d.rights_holder_id,
        caseId: c.id,
        reason: 'parent_taken_down',
      },
    });
  }
  return { cancelledListingIds, frozenUnitIds, flaggedDerivativeIds: derivatives.map((d) => d.id) };
}

async function transferRights(trx: Trx, c: CaseRow, now: Date) {
  const to = c.terms!.newRightsHolderId!;
  const asset = await trx
    .selectFrom('assets')
    .select(['id', 'platform_id', 'rights_holder_id'])
    .where('id', '=', c.asset_id)
    .executeTakeFirstOrThrow();
  const from = asset.rights_holder_id;
  // Primary listings are the rights holder's; the former holder's end (their reservations released).
  const primary = await trx
    .selectFrom('listings')
    .innerJoin('editions', 'editions.id', 'listings.edition_id')
    .select('listings.id')
    .where('editions.asset_id', '=', c.asset_id)
    .where('listings.unit_id', 'is', null)
    .where('listings.seller_id', '=', from)
    .where('listings.status', 'in', ['open', 'sold'])
    .orderBy('listings.id')
    .execute();
  for (const l of primary) {
    await lockListing(trx, l.id);
    const reserved = await trx
      .selectFrom('trades')
      .select('id')
      .where('listing_id', '=', l.id)
      .where('status', '=', 'reserved')
      .orderBy('id')
      .execute();
    for (const t of reserved) await releaseTrade(trx, t.id, `case ${c.id}`, now);
    const listing = await findListing(trx, l.id);
    if (listing.status === 'open') await endListing(trx, listing, 'cancelled', `case ${c.id}`, now);
  }
  await trx.updateTable('assets').set({ rights_holder_id: to, updated_at: now }).where('id', '=', c.asset_id).execute();
  if (c.terms!.transferCredits) {
    const first = await trx
      .selectFrom('asset_creators')
      .select('role')
      .where('asset_id', '=', c.asset_id)
      .orderBy('position')
      .executeTakeFirst();
    await trx.deleteFrom('asset_creators').where('asset_id', '=', c.asset_id).execute();
    await trx
      .insertInto('asset_creators')
      .values({ asset_id: c.asset_id, account_id: to, role: first?.role ?? 'other', share_bps: 10000, position: 0 })
      .execute();
  }
  await recordEvent(trx, {
    type: 'asset.rights_transferred',
    at: now,
    assetId: asset.id,
    platformId: asset.platform_id,
    facts: {
      assetId: asset.id,
      fromId: from,
      toId: to,
      creditsTransferred: c.terms!.transferCredits ?? false,
      caseId: c.id,
      courtReferenceSha256: c.terms!.courtReference ? await textSha256(c.terms!.courtReference) : undefined,
      courtDocumentSha256: c.terms!.courtDocumentSha256,
    },
  });
}
