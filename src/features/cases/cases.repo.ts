import type { Queryable, Trx } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import type { Principal } from '../../http/env.js';
import { conflict, notFound } from '../../http/problem.js';
import { iso } from '../../http/schemas.js';
import { recordEvent } from '../events/events.repo.js';

export type CaseRow = Row<'cases'>;

/** The case, locked (FOR NO KEY UPDATE: events naming it keep their key share) until the transaction ends. */
export async function lockCase(trx: Trx, id: string): Promise<CaseRow> {
  const row = await trx.selectFrom('cases').selectAll().where('id', '=', id).forNoKeyUpdate().executeTakeFirst();
  if (!row) throw notFound('case', id);
  return row;
}

export function findCase(db: Queryable, id: string) {
  return db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The 409 for a step the case's state does not allow. */
export function wrongState(c: CaseRow, step: string) {
  if (c.decided_at && (step === 'decide' || step === 'measures' || step === 'request_responses' || step === 'respond')) {
    return conflict('case_already_decided', `Case ${c.id} was decided (${c.determination}); it is ${c.status}.`, {
      status: c.status,
    });
  }
  return conflict('case_wrong_state', `Case ${c.id} is ${c.status}; ${step.replace('_', ' ')} is not possible now.`, {
    status: c.status,
  });
}

/** Every account that is a party: the respondent, and the complainant of each complaint in the case. */
export async function casePartyIds(db: Queryable, c: CaseRow): Promise<string[]> {
  const complainants = await db.selectFrom('complaints').select('complainant_id').where('case_id', '=', c.id).execute();
  return [
    ...new Set([c.respondent_id, ...(c.complainant_id ? [c.complainant_id] : []), ...complainants.map((r) => r.complainant_id)]),
  ];
}

/**
 * Writes a case event. The work's platform gets it (events.platform_id) and so do the platforms of
 * the parties named in the facts (`rightsHolderId`: the respondent; `complainantId`): that is how
 * each party is notified, by the platform webhooks every event fans out to.
 */
export async function recordCaseEvent(trx: Trx, c: CaseRow, type: string, facts: Record<string, unknown>, now: Date) {
  const asset = await trx.selectFrom('assets').select('platform_id').where('id', '=', c.asset_id).executeTakeFirstOrThrow();
  return recordEvent(trx, {
    type,
    at: now,
    assetId: c.asset_id,
    platformId: asset.platform_id,
    facts: {
      caseId: c.id,
      assetId: c.asset_id,
      rightsHolderId: c.respondent_id,
      complainantId: c.complainant_id ?? undefined,
      ...facts,
    },
  });
}

/** Who sees a case in full: officials and the operator, and the platforms (or accounts) of its parties. */
export async function mayReadCase(db: Queryable, principal: Principal, c: CaseRow): Promise<boolean> {
  if (principal.kind === 'official' || principal.kind === 'operator') return true;
  const parties = await casePartyIds(db, c);
  if (principal.kind === 'account') return parties.includes(principal.id);
  if (principal.kind !== 'platform') return false;
  const accounts = await db.selectFrom('accounts').select('platform_id').where('id', 'in', parties).execute();
  return accounts.some((a) => a.platform_id === principal.id);
}

/** The full view (officials and parties). Free texts are included here, never in events. */
export function presentCase(c: CaseRow, extra: { complaintIds: string[]; logIndex?: number | null }) {
  return {
    id: c.id,
    assetId: c.asset_id,
    status: c.status,
    origin: c.origin,
    complainantId: c.complainant_id,
    respondentId: c.respondent_id,
    openedBy: c.opened_by,
    assignedTo: c.assigned_to,
    courtReference: c.court_reference,
    courtDocumentSha256: c.court_document_sha256,
    note: c.note,
    complaintIds: extra.complaintIds,
    measures: { unitsFrozen: c.units_frozen, listingsSuspended: c.listings_suspended, hidden: c.hidden },
    responseDueAt: iso(c.response_due_at),
    determination: c.determination,
    terms: c.terms ?? null,
    reason: c.reason,
    decidedBy: c.decided_by,
    decidedAt: iso(c.decided_at),
    effectiveAt: iso(c.effective_at),
    appealedBy: c.appealed_by,
    appealedAt: iso(c.appealed_at),
    closedAt: iso(c.closed_at),
    createdAt: c.created_at.toISOString(),
    updatedAt: c.updated_at.toISOString(),
  };
}

export function presentComplaint(c: Row<'complaints'>, evidence: { uploadId: string; sha256: string }[]) {
  const created = c.claimed_created_on;
  return {
    id: c.id,
    assetId: c.asset_id,
    complainantId: c.complainant_id,
    platformId: c.platform_id,
    earlierAssetId: c.earlier_asset_id,
    statement: c.statement,
    claimedCreatedOn:
      created === null ? null : typeof created === 'string' ? created.slice(0, 10) : created.toISOString().slice(0, 10),
    copiedElements: c.copied_elements,
    evidence,
    screening: c.screening as Record<string, unknown>,
    status: c.status,
    caseId: c.case_id,
    createdAt: c.created_at.toISOString(),
  };
}
