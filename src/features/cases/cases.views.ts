import { toHex } from '../../crypto/bytes.js';
import type { Queryable } from '../../db/database.js';
import type { CaseStatus, Row } from '../../db/schema.js';
import type { Principal } from '../../http/env.js';
import { decodeCursor, toPage } from '../../http/pagination.js';
import { iso } from '../../http/schemas.js';
import { selectEventRows } from '../events/events.repo.js';
import { type CaseRow, presentCase, presentComplaint } from './cases.repo.js';

async function evidenceOf(db: Queryable, column: 'complaint_id' | 'response_id', id: string) {
  const rows = await db
    .selectFrom('case_evidence')
    .innerJoin('uploads', 'uploads.id', 'case_evidence.upload_id')
    .select(['uploads.id', 'uploads.sha256'])
    .where(`case_evidence.${column}`, '=', id)
    .orderBy('uploads.id')
    .execute();
  return rows.map((r) => ({ uploadId: r.id, sha256: toHex(r.sha256) }));
}

export async function complaintView(db: Queryable, complaint: Row<'complaints'>) {
  return presentComplaint(complaint, await evidenceOf(db, 'complaint_id', complaint.id));
}

export async function complaintsPage(
  db: Queryable,
  principal: Principal,
  page: { after?: string; limit: number; status?: 'filed' | 'in_case' | 'closed' },
) {
  let q = db.selectFrom('complaints').selectAll();
  if (principal.kind === 'platform') q = q.where('platform_id', '=', principal.id);
  else if (principal.kind === 'account') q = q.where('complainant_id', '=', principal.id);
  const status = page.status ?? (principal.kind === 'official' || principal.kind === 'operator' ? 'filed' : undefined);
  if (status) q = q.where('status', '=', status);
  if (page.after) q = q.where('id', '>', page.after);
  const rows = await q
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
  const out = toPage(
    rows,
    page.limit,
    (r) => r.id,
    (r) => r,
  );
  return { ...out, data: await Promise.all(out.data.map((r) => complaintView(db, r))) };
}

export async function fullCaseView(db: Queryable, c: CaseRow) {
  const complaints = await db.selectFrom('complaints').select('id').where('case_id', '=', c.id).orderBy('id').execute();
  return presentCase(c, { complaintIds: complaints.map((x) => x.id) });
}

export async function responsesOf(db: Queryable, caseId: string) {
  const rows = await db
    .selectFrom('case_responses')
    .selectAll()
    .where('case_id', '=', caseId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return Promise.all(
    rows.map(async (r) => ({
      id: r.id,
      caseId: r.case_id,
      partyId: r.party_id,
      statement: r.statement,
      evidence: await evidenceOf(db, 'response_id', r.id),
      createdAt: r.created_at.toISOString(),
    })),
  );
}

/**
 * The public record: decided cases (those with a determination), most recently decided last,
 * keyed by (decided_at, id). Officials see every case, keyed by id, each with its full view.
 * The decision's event id and log index come from the latest `case.decided` event of the case.
 */
export async function publicCasesPage(
  db: Queryable,
  opts: { officer: boolean; status?: CaseStatus; assetId?: string; after?: string; limit: number },
) {
  let q = db
    .selectFrom('cases')
    .innerJoin('assets', 'assets.id', 'cases.asset_id')
    .selectAll('cases')
    .select('assets.registration_number');
  const cursor = decodeCursor(opts.after);
  if (opts.officer) {
    if (opts.status) q = q.where('cases.status', '=', opts.status);
    if (cursor) q = q.where('cases.id', '>', cursor);
    q = q.orderBy('cases.id');
  } else {
    q = q.where('cases.decided_at', 'is not', null);
    if (opts.status) q = q.where('cases.status', '=', opts.status);
    if (cursor) q = q.where('cases.id', '>', cursor);
    q = q.orderBy('cases.id');
  }
  if (opts.assetId) q = q.where('cases.asset_id', '=', opts.assetId);
  const rows = await q.limit(opts.limit + 1).execute();
  const ids = rows.map((r) => r.id);
  const assetIds = [...new Set(rows.map((r) => r.asset_id))];
  const decisions = assetIds.length
    ? await selectEventRows(db)
        .where('events.type', '=', 'case.decided')
        .where('events.asset_id', 'in', assetIds)
        .orderBy('events.seq')
        .execute()
    : [];
  const decisionOf = new Map<string, { id: string; logIndex: number | null }>();
  for (const e of decisions) {
    const caseId = (JSON.parse(e.entry) as { caseId?: string }).caseId;
    if (caseId && ids.includes(caseId))
      decisionOf.set(caseId, { id: e.id, logIndex: e.log_index === null ? null : Number(e.log_index) });
  }
  const complaints =
    opts.officer && ids.length
      ? await db.selectFrom('complaints').select(['id', 'case_id']).where('case_id', 'in', ids).orderBy('id').execute()
      : [];
  return toPage(
    rows,
    opts.limit,
    (r) => r.id,
    (r) => ({
      id: r.id,
      assetId: r.asset_id,
      registrationNumber: r.registration_number,
      status: r.status,
      determination: r.determination,
      openedAt: r.created_at.toISOString(),
      decidedAt: iso(r.decided_at),
      effectiveAt: iso(r.effective_at),
      closedAt: iso(r.closed_at),
      decisionEventId: decisionOf.get(r.id)?.id ?? null,
      logIndex: decisionOf.get(r.id)?.logIndex ?? null,
      ...(opts.officer
        ? { case: presentCase(r, { complaintIds: complaints.filter((x) => x.case_id === r.id).map((x) => x.id) }) }
        : {}),
    }),
  );
}
