import type { Queryable } from '../../db/database.js';
import type { AssetStatus, Row } from '../../db/schema.js';
import type { LicenceContradiction } from './licence-check.js';
import { previewUrl } from './media.present.js';

type MatchRow = Row<'media_screening_matches'> & {
  matched_title: string;
  matched_status: string;
  matched_registration_number: string | null;
  has_preview: boolean | number;
};

/** Matches of the given screenings, with what an official needs to see of the matched work. */
async function matchesOf(db: Queryable, assetIds: string[]): Promise<MatchRow[]> {
  if (!assetIds.length) return [];
  return db
    .selectFrom('media_screening_matches as m')
    .innerJoin('assets as a', 'a.id', 'm.matched_asset_id')
    .leftJoin('media_results as r', 'r.upload_id', 'm.matched_upload_id')
    .selectAll('m')
    .select([
      'a.title as matched_title',
      'a.status as matched_status',
      'a.registration_number as matched_registration_number',
      (eb) => eb('r.preview_small', 'is not', null).as('has_preview'),
    ])
    .where('m.asset_id', 'in', assetIds)
    .orderBy('m.asset_id')
    .orderBy('m.distance')
    .orderBy('m.matched_asset_id')
    .orderBy('m.algorithm')
    .execute();
}

export function presentMatch(m: Omit<MatchRow, 'asset_id' | 'upload_id'> & { upload_id: string | null }) {
  return {
    uploadId: m.upload_id,
    matchedAssetId: m.matched_asset_id,
    matchedTitle: m.matched_title,
    matchedStatus: m.matched_status,
    matchedRegistrationNumber: m.matched_registration_number,
    matchedUploadId: m.matched_upload_id,
    algorithm: m.algorithm,
    distance: m.distance,
    preview: m.has_preview
      ? { small: previewUrl(m.matched_upload_id, 'small'), large: previewUrl(m.matched_upload_id, 'large') }
      : null,
  };
}

function presentScreening(s: Row<'media_screenings'>, matches: MatchRow[]) {
  return {
    assetId: s.asset_id,
    flagged: s.flagged,
    threshold: s.threshold,
    screenedAt: s.screened_at.toISOString(),
    matches: matches.filter((m) => m.asset_id === s.asset_id).map((m) => ({ ...presentMatch(m), uploadId: m.upload_id })),
    licenceContradictions: s.licence_contradictions as (LicenceContradiction & { uploadId: string })[],
  };
}

export async function findScreening(db: Queryable, assetId: string) {
  const s = await db.selectFrom('media_screenings').selectAll().where('asset_id', '=', assetId).executeTakeFirst();
  if (!s) return null;
  return presentScreening(s, await matchesOf(db, [assetId]));
}

/** Flagged screenings of works in `statuses`, by asset id after `after`, limit + 1 rows. */
export async function flaggedPage(db: Queryable, statuses: AssetStatus[], after: string | undefined, limit: number) {
  let q = db
    .selectFrom('media_screenings as s')
    .innerJoin('assets as a', 'a.id', 's.asset_id')
    .selectAll('s')
    .select(['a.kind', 'a.title', 'a.status', 'a.platform_id', 'a.rights_holder_id', 'a.submitted_at'])
    .where('s.flagged', '=', true)
    .where('a.status', 'in', statuses);
  if (after) q = q.where('s.asset_id', '>', after);
  const rows = await q
    .orderBy('s.asset_id')
    .limit(limit + 1)
    .execute();
  const matches = await matchesOf(
    db,
    rows.slice(0, limit).map((r) => r.asset_id),
  );
  return rows.map((r) => ({
    key: r.asset_id,
    item: {
      asset: {
        id: r.asset_id,
        kind: r.kind,
        title: r.title,
        status: r.status,
        platformId: r.platform_id,
        rightsHolderId: r.rights_holder_id,
        submittedAt: r.submitted_at?.toISOString() ?? null,
      },
      screening: presentScreening(r, matches),
    },
  }));
}
