import { sql } from 'kysely';
import type { Db, Trx } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import type { Principal } from '../../http/env.js';
import { conflict, notFound, unprocessable } from '../../http/problem.js';
import { newId } from '../../ids.js';
import { mayReadAsset } from '../assets/assets.repo.js';
import { recordEvent } from '../events/events.repo.js';
import { actingAccount } from '../parties/access.js';
import { quotaExceeded } from '../quotas/quota-exceeded.js';
import { checkEvidence, textSha256 } from './evidence.js';
import { type PairScreening, screenPair } from './pair-screening.js';

const DAY_MS = 86400_000;

export interface FileComplaintInput {
  assetId: string;
  complainantId: string;
  earlierAssetId?: string;
  statement: string;
  claimedCreatedOn?: string;
  copiedElements: string[];
  evidenceUploadIds: string[];
}

/**
 * Bounded and deduplicated per complainant (under an advisory lock on the complainant, so
 * concurrent filings take turns at the count): one live complaint per complainant and work —
 * 409 `complaint_exists` — and at most `perDay` complaints in any 24 hours — 429 `quota_exceeded`.
 */
async function checkComplaintQuotas(trx: Trx, complainantId: string, assetId: string, perDay: number, now: Date) {
  await sql`select pg_advisory_xact_lock(hashtext(${`complaints:${complainantId}`}))`.execute(trx);
  const live = await trx
    .selectFrom('complaints')
    .select('id')
    .where('complainant_id', '=', complainantId)
    .where('asset_id', '=', assetId)
    .where('status', '<>', 'closed')
    .executeTakeFirst();
  if (live) {
    throw conflict('complaint_exists', `Complaint ${live.id} by ${complainantId} against work ${assetId} is still open.`, {
      complaintId: live.id,
    });
  }
  const recent = await trx
    .selectFrom('complaints')
    .select('created_at')
    .where('complainant_id', '=', complainantId)
    .where('created_at', '>', new Date(now.getTime() - DAY_MS))
    .orderBy('created_at', 'desc')
    .limit(perDay)
    .execute();
  if (recent.length >= perDay) {
    throw quotaExceeded(
      'complaints_per_account_per_day',
      perDay,
      `Account ${complainantId} has filed ${perDay} complaints in the last 24 hours, the most allowed.`,
      new Date(recent.at(-1)!.created_at.getTime() + DAY_MS),
    );
  }
}

/**
 * A rights holder (through its platform, or with its own key) complains that a registered work
 * copies its earlier work or the facts it claims. The similarity screening between the two works
 * is attached; a work already under a live case takes the complaint into that case.
 */
export async function fileComplaint(
  db: Db,
  principal: Principal,
  input: FileComplaintInput,
  perDay: number,
  now: Date,
): Promise<Row<'complaints'>> {
  return db.transaction().execute(async (trx) => {
    const complainant = await actingAccount(trx, principal, input.complainantId);
    const asset = await trx.selectFrom('assets').selectAll().where('id', '=', input.assetId).executeTakeFirst();
    if (!asset || !mayReadAsset(principal, asset)) throw notFound('asset', input.assetId);
    if (asset.status !== 'registered') {
      throw conflict('work_not_registered', `Work ${asset.id} is ${asset.status}; complaints are against registered works.`, {
        assetStatus: asset.status,
      });
    }
    if (asset.rights_holder_id === complainant.id) {
      throw unprocessable('own_work', `Account ${complainant.id} holds the rights of work ${asset.id}.`);
    }
    if (input.earlierAssetId) {
      const earlier = await trx.selectFrom('assets').selectAll().where('id', '=', input.earlierAssetId).executeTakeFirst();
      if (!earlier || !mayReadAsset(principal, earlier)) throw notFound('asset', input.earlierAssetId);
      if (earlier.id === asset.id) throw unprocessable('same_work', 'A work cannot be its own earlier work.');
    }
    if (!input.earlierAssetId && input.evidenceUploadIds.length === 0) {
      throw unprocessable('evidence_required', 'Name the earlier work (earlierAssetId) or attach evidence files.');
    }
    await checkComplaintQuotas(trx, complainant.id, asset.id, perDay, now);
    const evidence = await checkEvidence(trx, complainant.id, input.evidenceUploadIds);
    const screening: PairScreening | { earlierAssetId: null } = input.earlierAssetId
      ? await screenPair(trx, asset.id, input.earlierAssetId, now)
      : { earlierAssetId: null };
    const live = await trx
      .selectFrom('cases')
      .select('id')
      .where('asset_id', '=', asset.id)
      .where('status', '<>', 'closed')
      .executeTakeFirst();
    const complaint = await trx
      .insertInto('complaints')
      .values({
        id: newId('cmp'),
        asset_id: asset.id,
        complainant_id: complainant.id,
        platform_id: complainant.platform_id,
        earlier_asset_id: input.earlierAssetId ?? null,
        statement: input.statement,
        claimed_created_on: input.claimedCreatedOn ?? null,
        copied_elements: input.copiedElements,
        screening,
        status: live ? 'in_case' : 'filed',
        case_id: live?.id ?? null,
        created_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    if (evidence.length) {
      await trx
        .insertInto('case_evidence')
        .values(evidence.map((e) => ({ complaint_id: complaint.id, response_id: null, upload_id: e.uploadId })))
        .execute();
    }
    await recordEvent(trx, {
      type: 'complaint.filed',
      at: now,
      assetId: asset.id,
      platformId: complainant.platform_id,
      facts: {
        complaintId: complaint.id,
        assetId: asset.id,
        complainantId: complainant.id,
        earlierAssetId: input.earlierAssetId,
        caseId: live?.id,
        statementSha256: await textSha256(input.statement),
        claimedCreatedOn: input.claimedCreatedOn,
        copiedElementsSha256: await Promise.all(input.copiedElements.map(textSha256)),
        evidenceSha256: evidence.map((e) => e.sha256),
        closestDistance: 'matches' in screening ? screening.closestDistance : undefined,
        identicalFiles: 'matches' in screening ? screening.matches.filter((m) => m.algorithm === 'sha256').length : undefined,
      },
    });
    return complaint;
  });
}
