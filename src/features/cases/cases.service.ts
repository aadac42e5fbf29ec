import type { Db, Trx } from '../../db/database.js';
import type { Principal } from '../../http/env.js';
import { badRequest, conflict, forbidden, notFound, unprocessable } from '../../http/problem.js';
import { newId } from '../../ids.js';
import { lockWork } from '../assets/assets.repo.js';
import { actingAccount, existingAccount } from '../parties/access.js';
import { type CaseRow, casePartyIds, lockCase, recordCaseEvent, wrongState } from './cases.repo.js';
import { checkEvidence, textSha256 } from './evidence.js';
import { freezeUnitsForCase, suspendListingsOfWork } from './measures.service.js';

export interface OpenCaseInput {
  assetId: string;
  complaintIds: string[];
  complainantId?: string;
  courtReference?: string;
  courtDocumentSha256?: string;
  assignedTo?: string;
  note?: string;
}

async function existingOfficial(trx: Trx, id: string) {
  const official = await trx.selectFrom('officials').select('id').where('id', '=', id).executeTakeFirst();
  if (!official) throw notFound('official', id);
  return official.id;
}

/**
 * An official opens a case on a registered work: from filed complaints (the earliest one's
 * complainant is the complainant), or on the office's own initiative, or on a court order (its
 * reference and document hash recorded; it may name a complainant). One live case per work.
 */
export async function openCase(db: Db, officialId: string, input: OpenCaseInput, now: Date): Promise<CaseRow> {
  return db.transaction().execute(async (trx) => {
    const exists = await trx.selectFrom('assets').select('id').where('id', '=', input.assetId).executeTakeFirst();
    if (!exists) throw notFound('asset', input.assetId);
    // The work's row first, as measures and purchases take it; concurrent openings take turns here.
    const asset = await lockWork(trx, input.assetId);
    if (asset.status !== 'registered') {
      throw conflict('work_not_registered', `Work ${asset.id} is ${asset.status}; cases are opened on registered works.`, {
        assetStatus: asset.status,
      });
    }
    const live = await trx
      .selectFrom('cases')
      .select('id')
      .where('asset_id', '=', asset.id)
      .where('status', '<>', 'closed')
      .executeTakeFirst();
    if (live) throw conflict('case_open', `Work ${asset.id} is already under case ${live.id}.`, { caseId: live.id });
    const complaints = input.complaintIds.length
      ? await trx
          .selectFrom('complaints')
          .selectAll()
          .where('id', 'in', input.complaintIds)
          .orderBy('created_at')
          .orderBy('id')
          .forUpdate()
          .execute()
      : [];
    for (const id of input.complaintIds) {
      const complaint = complaints.find((c) => c.id === id);
      if (!complaint) throw notFound('complaint', id);
      if (complaint.asset_id !== asset.id)
        throw unprocessable('complaint_other_work', `Complaint ${id} is against work ${complaint.asset_id}.`);
      if (complaint.status !== 'filed')
        throw conflict('complaint_not_filed', `Complaint ${id} is ${complaint.status}.`, { caseId: complaint.case_id });
    }
    if (input.complainantId) await existingAccount(trx, input.complainantId);
    const complainantId = complaints[0]?.complainant_id ?? input.complainantId ?? null;
    if (complainantId === asset.rights_holder_id)
      throw unprocessable('own_work', `Account ${complainantId} holds the rights of work ${asset.id}.`);
    const origin = complaints.length ? 'complaint' : input.courtReference ? 'court_order' : 'official';
    if (origin === 'official' && input.complainantId) {
      throw badRequest('validation_failed', 'A complainant is named by a complaint or a court order.', {
        field: 'complainantId',
      });
    }
    const row = await trx
      .insertInto('cases')
      .values({
        id: newId('cas'),
        asset_id: asset.id,
        status: 'open',
        origin,
        complainant_id: complainantId,
        respondent_id: asset.rights_holder_id,
        opened_by: officialId,
        assigned_to: await existingOfficial(trx, input.assignedTo ?? officialId),
        court_reference: input.courtReference ?? null,
        court_document_sha256: input.courtDocumentSha256 ?? null,
        note: input.note ?? null,
        terms: null,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    if (complaints.length) {
      await trx
        .updateTable('complaints')
        .set({ status: 'in_case', case_id: row.id })
        .where('id', 'in', input.complaintIds)
        .execute();
    }
    await recordCaseEvent(
      trx,
      row,
      'case.opened',
      {
        origin,
        openedBy: officialId,
        assignedTo: row.assigned_to,
        complaintIds: complaints.map((c) => c.id),
        courtReferenceSha256: input.courtReference ? await textSha256(input.courtReference) : undefined,
        courtDocumentSha256: input.courtDocumentSha256,
        noteSha256: input.note ? await textSha256(input.note) : undefined,
      },
      now,
    );
    return row;
  });
}

const LIVE = ['open', 'interim', 'awaiting_response', 'decided', 'appeal'] as const;

export async function assignCase(db: Db, officialId: string, id: string, assignee: string, now: Date): Promise<CaseRow> {
  return db.transaction().execute(async (trx) => {
    const c = await lockCase(trx, id);
    if (!(LIVE as readonly string[]).includes(c.status)) throw wrongState(c, 'assign');
    const to = await existingOfficial(trx, assignee);
    const row = await trx
      .updateTable('cases')
      .set({ assigned_to: to, updated_at: now })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordCaseEvent(trx, row, 'case.assigned', { assignedTo: to, assignedBy: officialId }, now);
    return row;
  });
}

export interface MeasuresInput {
  freeze: 'all' | 'none' | string[];
  suspendListings: boolean;
  hide: boolean;
  reason: string;
}

/**
 * Interim measures while the case is undecided: freeze all or some units (cause `case`), suspend the
 * work's listings (releasing reservations), hide it from the public board behind a notice. Measures
 * add up: a second call may add more, never take one back (the decision lifts them). `open` becomes
 * `interim`; a case awaiting responses stays there.
 */
export async function imposeMeasures(db: Db, officialId: string, id: string, input: MeasuresInput, now: Date): Promise<CaseRow> {
  return db.transaction().execute(async (trx) => {
    const peek = await trx.selectFrom('cases').select('asset_id').where('id', '=', id).executeTakeFirst();
    if (!peek) throw notFound('case', id);
    // The work first, as purchases take it: measures wait for sales in flight and stop new ones.
    await lockWork(trx, peek.asset_id);
    const c = await lockCase(trx, id);
    if (!['open', 'interim', 'awaiting_response'].includes(c.status)) throw wrongState(c, 'measures');
    const reason = `case ${c.id}`;
    const suspended = input.suspendListings ? await suspendListingsOfWork(trx, c, reason, now) : [];
    const frozen =
      input.freeze === 'none' ? [] : await freezeUnitsForCase(trx, c, input.freeze, { officialId, reason: input.reason }, now);
    const row = await trx
      .updateTable('cases')
      .set({
        status: c.status === 'open' ? 'interim' : c.status,
        units_frozen: c.units_frozen || input.freeze === 'all',
        listings_suspended: c.listings_suspended || input.suspendListings,
        hidden: c.hidden || input.hide,
        updated_at: now,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordCaseEvent(
      trx,
      row,
      'case.measures_imposed',
      {
        by: officialId,
        frozenUnitIds: frozen,
        allUnitsFrozen: row.units_frozen,
        cancelledListingIds: suspended,
        listingsSuspended: row.listings_suspended,
        hidden: row.hidden,
        reasonSha256: await textSha256(input.reason),
      },
      now,
    );
    return row;
  });
}

/** The official asks the parties to respond by `dueAt`: `open`/`interim` → `awaiting_response`. */
export async function requestResponses(db: Db, officialId: string, id: string, dueAt: Date, now: Date): Promise<CaseRow> {
  if (dueAt <= now) throw badRequest('invalid_deadline', 'dueAt must be in the future.', { field: 'dueAt' });
  return db.transaction().execute(async (trx) => {
    const c = await lockCase(trx, id);
    if (c.status !== 'open' && c.status !== 'interim') throw wrongState(c, 'request_responses');
    const row = await trx
      .updateTable('cases')
      .set({ status: 'awaiting_response', response_due_at: dueAt, updated_at: now })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordCaseEvent(trx, row, 'case.responses_requested', { by: officialId, dueAt: dueAt.toISOString() }, now);
    return row;
  });
}

export interface RespondInput {
  partyId: string;
  statement: string;
  evidenceUploadIds: string[];
}

/** A party (through its platform or its own key) responds with a statement and evidence, before the deadline. */
export async function respondToCase(db: Db, principal: Principal, id: string, input: RespondInput, now: Date) {
  return db.transaction().execute(async (trx) => {
    const party = await actingAccount(trx, principal, input.partyId);
    const c = await lockCase(trx, id);
    const parties = await casePartyIds(trx, c);
    if (!parties.includes(party.id)) throw forbidden(`Account ${party.id} is not a party to case ${id}.`, 'not_a_party');
    if (c.status !== 'awaiting_response') throw wrongState(c, 'respond');
    if (c.response_due_at && now > c.response_due_at) {
      throw conflict('response_deadline_passed', `Responses to case ${id} were due by ${c.response_due_at.toISOString()}.`, {
        dueAt: c.response_due_at.toISOString(),
      });
    }
    const evidence = await checkEvidence(trx, party.id, input.evidenceUploadIds);
    const response = await trx
      .insertInto('case_responses')
      .values({ id: newId('rsp'), case_id: id, party_id: party.id, statement: input.statement, created_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
    if (evidence.length) {
      await trx
        .insertInto('case_evidence')
        .values(evidence.map((e) => ({ complaint_id: null, response_id: response.id, upload_id: e.uploadId })))
        .execute();
    }
    await recordCaseEvent(
      trx,
      c,
      'case.response_filed',
      {
        responseId: response.id,
        partyId: party.id,
        statementSha256: await textSha256(input.statement),
        evidenceSha256: evidence.map((e) => e.sha256),
      },
      now,
    );
    return { response, evidence };
  });
}

/** A party appeals a determination within its appeal window: `decided` → `appeal`. */
export async function appealCase(
  db: Db,
  principal: Principal,
  id: string,
  input: { partyId: string; statement: string },
  now: Date,
) {
  return db.transaction().execute(async (trx) => {
    const party = await actingAccount(trx, principal, input.partyId);
    const c = await lockCase(trx, id);
    const parties = await casePartyIds(trx, c);
    if (!parties.includes(party.id)) throw forbidden(`Account ${party.id} is not a party to case ${id}.`, 'not_a_party');
    if (c.status !== 'decided') throw wrongState(c, 'appeal');
    if (c.effective_at && now >= c.effective_at) {
      throw conflict('appeal_window_closed', `The appeal window of case ${id} closed at ${c.effective_at.toISOString()}.`);
    }
    const row = await trx
      .updateTable('cases')
      .set({ status: 'appeal', appealed_by: party.id, appealed_at: now, appeal_statement: input.statement, updated_at: now })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordCaseEvent(
      trx,
      row,
      'case.appealed',
      { partyId: party.id, statementSha256: await textSha256(input.statement) },
      now,
    );
    return row;
  });
}
