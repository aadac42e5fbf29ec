import { toHex } from '../../crypto/bytes.js';
import type { Queryable } from '../../db/database.js';
import { notFound } from '../../http/problem.js';

export interface CaseSubjects {
  caseId: string;
  /** The work under the case, the complainants' earlier works and (after a takedown) its derivatives. */
  assetIds: string[];
  unitIds: string[];
  listingIds: string[];
  tradeIds: string[];
  complaintIds: string[];
  responseIds: string[];
  /** Evidence files of the complaints and responses: what a case export carries, by content. */
  evidence: { uploadId: string; sha256: string; objectKey: string; mediaType: string; size: number }[];
}

/**
 * Everything a case concerns, by id: for an export of the case (its events, their log proofs and the
 * evidence files). Ids are sorted so that two exports of one case list them alike.
 */
export async function caseSubjects(db: Queryable, caseId: string): Promise<CaseSubjects> {
  const c = await db.selectFrom('cases').select(['id', 'asset_id']).where('id', '=', caseId).executeTakeFirst();
  if (!c) throw notFound('case', caseId);
  const complaints = await db
    .selectFrom('complaints')
    .select(['id', 'earlier_asset_id'])
    .where('case_id', '=', caseId)
    .orderBy('id')
    .execute();
  const responses = await db.selectFrom('case_responses').select('id').where('case_id', '=', caseId).orderBy('id').execute();
  const derivatives = await db.selectFrom('asset_parents').select('asset_id').where('parent_id', '=', c.asset_id).execute();
  const units = await db
    .selectFrom('units')
    .innerJoin('editions', 'editions.id', 'units.edition_id')
    .select('units.id')
    .where('editions.asset_id', '=', c.asset_id)
    .orderBy('units.id')
    .execute();
  const listings = await db
    .selectFrom('listings')
    .innerJoin('editions', 'editions.id', 'listings.edition_id')
    .select('listings.id')
    .where('editions.asset_id', '=', c.asset_id)
    .orderBy('listings.id')
    .execute();
  const unitIds = units.map((u) => u.id);
  const trades = unitIds.length
    ? await db.selectFrom('trades').select('id').where('unit_id', 'in', unitIds).orderBy('id').execute()
    : [];
  const owners = [...complaints.map((x) => x.id), ...responses.map((r) => r.id)];
  const evidence = owners.length
    ? await db
        .selectFrom('case_evidence')
        .innerJoin('uploads', 'uploads.id', 'case_evidence.upload_id')
        .select(['uploads.id', 'uploads.sha256', 'uploads.object_key', 'uploads.media_type', 'uploads.size'])
        .where((eb) => eb.or([eb('case_evidence.complaint_id', 'in', owners), eb('case_evidence.response_id', 'in', owners)]))
        .orderBy('uploads.id')
        .execute()
    : [];
  const assetIds = new Set([
    c.asset_id,
    ...complaints.flatMap((x) => (x.earlier_asset_id ? [x.earlier_asset_id] : [])),
    ...derivatives.map((d) => d.asset_id),
  ]);
  return {
    caseId,
    assetIds: [...assetIds].sort(),
    unitIds,
    listingIds: listings.map((l) => l.id),
    tradeIds: trades.map((t) => t.id),
    complaintIds: complaints.map((x) => x.id),
    responseIds: responses.map((r) => r.id),
    evidence: [...new Map(evidence.map((e) => [e.id, e])).values()].map((e) => ({
      uploadId: e.id,
      sha256: toHex(e.sha256),
      objectKey: e.object_key,
      mediaType: e.media_type,
      size: Number(e.size),
    })),
  };
}
