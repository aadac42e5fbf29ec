import type { AppConfig } from '../../config.js';
import { sha256, toHex } from '../../crypto/bytes.js';
import type { Db, Trx } from '../../db/database.js';
import type { AssetStatus } from '../../db/schema.js';
import type { Principal } from '../../http/env.js';
import { conflict, notFound } from '../../http/problem.js';
import { newId } from '../../ids.js';
import { recordEvent } from '../events/events.repo.js';
import { completeRegistration } from './registration.js';

type ReviewAction = 'start' | 'approve' | 'reject';

/** Which state each official action starts from and leads to (the two-stage review: README, "Registration gate"). */
const TRANSITIONS: Record<ReviewAction, { from: AssetStatus[]; to: AssetStatus }> = {
  start: { from: ['submitted'], to: 'in_review' },
  approve: { from: ['in_review'], to: 'public_notice' },
  reject: { from: ['submitted', 'in_review'], to: 'rejected' },
};

async function lockAsset(trx: Trx, id: string) {
  const asset = await trx.selectFrom('assets').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!asset) throw notFound('asset', id);
  return asset;
}

/**
 * An official's decision. Approval opens the public notice window; with a window of zero the
 * work is registered in the same transaction.
 */
export async function reviewAsset(
  db: Db,
  official: Principal,
  id: string,
  input: { action: ReviewAction; reason?: string },
  config: AppConfig,
  now: Date,
) {
  await db.transaction().execute(async (trx) => {
    const asset = await lockAsset(trx, id);
    const rule = TRANSITIONS[input.action];
    if (!rule.from.includes(asset.status)) {
      throw conflict('invalid_transition', `Cannot ${input.action} a work that is ${asset.status}.`, {
        assetStatus: asset.status,
      });
    }
    const noticeEndsAt = input.action === 'approve' ? new Date(now.getTime() + config.NOTICE_PERIOD * 1000) : null;
    await trx
      .updateTable('assets')
      .set({ status: rule.to, notice_ends_at: noticeEndsAt, updated_at: now })
      .where('id', '=', id)
      .execute();
    const reviewId = newId('rev');
    await trx
      .insertInto('reviews')
      .values({
        id: reviewId,
        asset_id: id,
        official_id: official.id,
        action: input.action,
        reason: input.reason ?? null,
        created_at: now,
      })
      .execute();
    const type = { start: 'asset.review_started', approve: 'asset.approved', reject: 'asset.rejected' }[input.action];
    await recordEvent(trx, {
      type,
      at: now,
      assetId: id,
      platformId: asset.platform_id,
      facts: {
        assetId: id,
        reviewId,
        officialId: official.id,
        reason: input.reason,
        noticeEndsAt: noticeEndsAt?.toISOString(),
      },
    });
    if (noticeEndsAt && noticeEndsAt <= now) await completeRegistration(trx, asset, config, now);
  });
}

/**
 * Anyone with a key may object during the notice window; the work goes back to review. The
 * event carries a hash of the reason, not the text, which may name people.
 */
export async function objectToAsset(db: Db, principal: Principal, id: string, reason: string, now: Date) {
  return db.transaction().execute(async (trx) => {
    const asset = await lockAsset(trx, id);
    if (asset.status !== 'public_notice' || !asset.notice_ends_at || asset.notice_ends_at <= now) {
      throw conflict(
        'not_in_public_notice',
        `Objections are accepted only during the public notice window; this work is ${asset.status}.`,
        {
          assetStatus: asset.status,
        },
      );
    }
    const objectionId = newId('obj');
    await trx
      .insertInto('objections')
      .values({
        id: objectionId,
        asset_id: id,
        principal_kind: principal.kind,
        principal_id: principal.id,
        reason,
        created_at: now,
      })
      .execute();
    await trx
      .updateTable('assets')
      .set({ status: 'in_review', notice_ends_at: null, updated_at: now })
      .where('id', '=', id)
      .execute();
    await recordEvent(trx, {
      type: 'asset.objection_filed',
      at: now,
      assetId: id,
      platformId: asset.platform_id,
      facts: {
        assetId: id,
        objectionId,
        by: { kind: principal.kind, id: principal.id },
        reasonSha256: toHex(await sha256(reason)),
      },
    });
    return { id: objectionId, assetId: id, createdAt: now.toISOString() };
  });
}
