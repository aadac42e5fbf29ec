import type { Db, Trx } from '../../db/database.js';
import type { CaseTerms, Determination } from '../../db/schema.js';
import { conflict, notFound, unprocessable } from '../../http/problem.js';
import { lockWork } from '../assets/assets.repo.js';
import { existingAccount } from '../parties/access.js';
import { type CaseRow, casePartyIds, lockCase, recordCaseEvent, wrongState } from './cases.repo.js';
import { applyDetermination } from './effects.service.js';
import { textSha256 } from './evidence.js';

export interface DecideInput {
  determination: Determination;
  reason: string;
  newRightsHolderId?: string;
  transferCredits?: boolean;
  agreementSha256?: string;
  courtReference?: string;
  courtDocumentSha256?: string;
}

/**
 * Whether the parties have been heard: responses were asked for and the deadline has passed, or
 * every party has responded. A case on a court order was heard by the court. Dismissing or
 * recording a settlement harms no party, so those need no hearing.
 */
async function heard(trx: Trx, c: CaseRow, d: Determination, now: Date) {
  if (d === 'dismissed' || d === 'settled' || c.court_reference) return;
  if (c.status !== 'awaiting_response') {
    throw conflict('responses_not_requested', `Case ${c.id} has not asked the parties to respond; ${d} needs them heard.`);
  }
  if (c.response_due_at && now > c.response_due_at) return;
  const parties = await casePartyIds(trx, c);
  const responded = await trx.selectFrom('case_responses').select('party_id').distinct().where('case_id', '=', c.id).execute();
  if (parties.every((p) => responded.some((r) => r.party_id === p))) return;
  throw conflict('response_window_open', `Parties of case ${c.id} may respond until ${c.response_due_at?.toISOString()}.`, {
    dueAt: c.response_due_at?.toISOString(),
  });
}

/**
 * An official decides. A first determination takes effect when the appeal window has passed (the
 * scheduler applies it, `applyDueDeterminations`), at once when the window is 0; interim measures
 * stay in force meanwhile. A determination on appeal is final and takes effect at once.
 */
export async function decideCase(db: Db, officialId: string, id: string, input: DecideInput, appealMs: number, now: Date) {
  return db.transaction().execute(async (trx) => {
    const peek = await trx.selectFrom('cases').select('asset_id').where('id', '=', id).executeTakeFirst();
    if (!peek) throw notFound('case', id);
    await lockWork(trx, peek.asset_id);
    const c = await lockCase(trx, id);
    if (!['open', 'interim', 'awaiting_response', 'appeal'].includes(c.status)) throw wrongState(c, 'decide');
    const onAppeal = c.status === 'appeal';
    if (!onAppeal) await heard(trx, c, input.determination, now);
    const terms: CaseTerms = {};
    if (input.determination === 'rights_transferred') {
      const to = input.newRightsHolderId ?? c.complainant_id;
      if (!to)
        throw unprocessable(
          'new_holder_required',
          'Name the new rights holder (newRightsHolderId): the case has no complainant.',
        );
      await existingAccount(trx, to);
      if (to === c.respondent_id) throw unprocessable('new_holder_required', `Account ${to} already holds the rights.`);
      terms.newRightsHolderId = to;
      terms.transferCredits = input.transferCredits ?? false;
    }
    if (input.determination === 'settled') {
      if (!input.agreementSha256)
        throw unprocessable('agreement_required', "A settlement is recorded with its agreement's SHA-256 (agreementSha256).");
      terms.agreementSha256 = input.agreementSha256;
    }
    if (input.courtReference) terms.courtReference = input.courtReference;
    if (input.courtDocumentSha256) terms.courtDocumentSha256 = input.courtDocumentSha256;
    const effectiveAt = onAppeal || appealMs === 0 ? now : new Date(now.getTime() + appealMs);
    let row = await trx
      .updateTable('cases')
      .set({
        status: 'decided',
        determination: input.determination,
        terms,
        reason: input.reason,
        decided_by: officialId,
        decided_at: now,
        effective_at: effectiveAt,
        updated_at: now,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordCaseEvent(
      trx,
      row,
      'case.decided',
      {
        determination: input.determination,
        decidedBy: officialId,
        onAppeal,
        effectiveAt: effectiveAt.toISOString(),
        newRightsHolderId: terms.newRightsHolderId,
        transferCredits: terms.transferCredits,
        agreementSha256: terms.agreementSha256,
        courtReferenceSha256: terms.courtReference ? await textSha256(terms.courtReference) : undefined,
        courtDocumentSha256: terms.courtDocumentSha256,
        reasonSha256: await textSha256(input.reason),
      },
      now,
    );
    if (effectiveAt <= now) row = await applyDetermination(trx, row, now);
    return row;
  });
}

/** Scheduled: determinations whose appeal window has passed take effect, one transaction each. */
export async function applyDueDeterminations(db: Db, now: Date): Promise<number> {
  const due = await db
    .selectFrom('cases')
    .select(['id', 'asset_id'])
    .where('status', '=', 'decided')
    .where('effective_at', '<=', now)
    .orderBy('effective_at')
    .limit(50)
    .execute();
  let applied = 0;
  for (const d of due) {
    const done = await db.transaction().execute(async (trx) => {
      await lockWork(trx, d.asset_id);
      const c = await lockCase(trx, d.id);
      // Another runner applied it, or a party appealed in between.
      if (c.status !== 'decided' || !c.effective_at || c.effective_at > now) return false;
      await applyDetermination(trx, c, now);
      return true;
    });
    if (done) applied++;
  }
  return applied;
}
