/**
 * What a case export holds, and for whom. Everyone who may read the case gets the case record (as
 * `GET /v1/cases/{id}` shows it, with the responses), the whole histories of its works, units,
 * listings and trades, and every evidence file's SHA-256 (those hashes are in the public log
 * already). Officials and the operator get more: the complaints with their statements, and the
 * evidence files themselves. A party's platform never receives the other side's files or the
 * complaints it cannot read through the API either.
 */

import { fromHex } from '../../crypto/bytes.js';
import type { Trx } from '../../db/database.js';
import type { Principal } from '../../http/env.js';
import { notFound } from '../../http/problem.js';
import { caseSubjects } from '../cases/case-subjects.js';
import { findCase, mayReadCase } from '../cases/cases.repo.js';
import { complaintView, fullCaseView, responsesOf } from '../cases/cases.views.js';
import type { ArchiveInput } from './archive-builder.js';

export async function gatherCase(trx: Trx, principal: Principal, caseId: string): Promise<ArchiveInput> {
  const row = await findCase(trx, caseId);
  if (!row || !(await mayReadCase(trx, principal, row))) throw notFound('case', caseId);
  const official = principal.kind === 'official' || principal.kind === 'operator';
  const s = await caseSubjects(trx, caseId);
  const complaints = official
    ? await Promise.all(
        (await trx.selectFrom('complaints').selectAll().where('case_id', '=', caseId).orderBy('id').execute()).map((c) =>
          complaintView(trx, c),
        ),
      )
    : undefined;
  const record = {
    ...(await fullCaseView(trx, row)),
    ...(complaints ? { complaints } : {}),
    responses: await responsesOf(trx, caseId),
  };
  return {
    kind: 'case',
    subjects: { works: s.assetIds, units: s.unitIds, listings: s.listingIds, trades: s.tradeIds },
    evidence: s.evidence.map((e) => ({ sha256: fromHex(e.sha256), size: e.size, uploadId: e.uploadId, objectKey: e.objectKey })),
    includeEvidenceFiles: official,
    caseRecord: { id: caseId, record },
  };
}
