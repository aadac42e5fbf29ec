import type { Db } from '../../db/database.js';
import type { Principal } from '../../http/env.js';
import { conflict, notFound, unprocessable } from '../../http/problem.js';
import { newId } from '../../ids.js';
import { recordEvent } from '../events/events.repo.js';
import { checkFees } from '../market/sale-policy.js';
import { actingAccount } from '../parties/access.js';
import type { OfferRow } from './licensing.repo.js';
import type { CreateOfferInput } from './licensing.schemas.js';

/**
 * `POST /v1/assets/{id}/licence-offers`: the rights holder (through its platform) publishes the
 * terms on which the work may be licensed. Only registered works are offered; named accounts
 * must exist; the platform fee and the creators' share must fit in a payment.
 */
export async function createOffer(
  db: Db,
  principal: Principal,
  assetId: string,
  input: CreateOfferInput,
  now: Date,
): Promise<OfferRow> {
  return db.transaction().execute(async (trx) => {
    const asset = await trx
      .selectFrom('assets')
      .select(['id', 'status', 'rights_holder_id'])
      .where('id', '=', assetId)
      .executeTakeFirst();
    if (!asset) throw notFound('asset', assetId);
    const holder = await actingAccount(trx, principal, asset.rights_holder_id).catch(() => {
      throw notFound('asset', assetId);
    });
    if (asset.status !== 'registered') {
      throw conflict('work_not_registered', `Work ${assetId} is ${asset.status}; only registered works are licensed.`);
    }
    const endsAt = new Date(input.endsAt);
    if (endsAt <= now) throw unprocessable('term_ended', `The term ends at ${endsAt.toISOString()}, which has passed.`);
    const platform = await trx
      .selectFrom('platforms')
      .select('fee_bps')
      .where('id', '=', holder.platform_id)
      .executeTakeFirstOrThrow();
    checkFees(platform.fee_bps, input.creatorShareBps);
    if (input.openTo) {
      const found = await trx.selectFrom('accounts').select('id').where('id', 'in', input.openTo).execute();
      const missing = input.openTo.find((id) => !found.some((a) => a.id === id));
      if (missing) throw notFound('account', missing);
      if (input.openTo.includes(holder.id)) {
        throw unprocessable('licensee_is_rights_holder', `Account ${holder.id} holds the rights already.`);
      }
    }
    const offer = await trx
      .insertInto('licence_offers')
      .values({
        id: newId('lof'),
        asset_id: assetId,
        platform_id: holder.platform_id,
        published_by: holder.id,
        uses: input.uses,
        conditions_sha256: input.conditionsSha256 ?? null,
        territories: input.territories,
        starts_at: new Date(input.startsAt),
        ends_at: endsAt,
        exclusivity: input.exclusivity,
        currency: input.currency,
        upfront_fee: BigInt(input.upfrontFee),
        royalty_bps: input.royaltyBps,
        minimum_guarantee: BigInt(input.minimumGuarantee),
        creator_share_bps: input.creatorShareBps,
        sublicensing: input.sublicensing,
        derivatives_allowed: input.derivativesAllowed,
        derivative_royalty_bps: input.derivativeRoyaltyBps,
        report_every_days: input.reportEveryDays,
        renewable: input.renewable,
        open_to: input.openTo ?? null,
        status: 'open',
        created_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordEvent(trx, {
      type: 'licence.offered',
      at: now,
      assetId,
      platformId: holder.platform_id,
      facts: {
        offerId: offer.id,
        assetId,
        rightsHolderId: holder.id,
        uses: input.uses,
        territories: input.territories,
        startsAt: offer.starts_at.toISOString(),
        endsAt: offer.ends_at.toISOString(),
        exclusivity: input.exclusivity,
        currency: input.currency,
        upfrontFee: input.upfrontFee,
        royaltyBps: input.royaltyBps,
        minimumGuarantee: input.minimumGuarantee,
        creatorShareBps: input.creatorShareBps,
        sublicensing: input.sublicensing,
        derivativesAllowed: input.derivativesAllowed,
        derivativeRoyaltyBps: input.derivativeRoyaltyBps,
        conditionsSha256: input.conditionsSha256 ?? null,
        openTo: input.openTo ?? null,
      },
    });
    return offer;
  });
}

/** `POST /v1/licence-offers/{id}/withdraw`: no new grants; grants already made stay in force. */
export async function withdrawOffer(db: Db, principal: Principal, offerId: string, now: Date): Promise<OfferRow> {
  return db.transaction().execute(async (trx) => {
    const offer = await trx
      .selectFrom('licence_offers')
      .selectAll()
      .where('id', '=', offerId)
      .forNoKeyUpdate()
      .executeTakeFirst();
    if (!offer) throw notFound('licence offer', offerId);
    const asset = await trx
      .selectFrom('assets')
      .select('rights_holder_id')
      .where('id', '=', offer.asset_id)
      .executeTakeFirstOrThrow();
    await actingAccount(trx, principal, asset.rights_holder_id).catch(() => {
      throw notFound('licence offer', offerId);
    });
    if (offer.status === 'withdrawn') return offer;
    const withdrawn = await trx
      .updateTable('licence_offers')
      .set({ status: 'withdrawn', withdrawn_at: now })
      .where('id', '=', offerId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordEvent(trx, {
      type: 'licence.offer_withdrawn',
      at: now,
      assetId: offer.asset_id,
      platformId: offer.platform_id,
      facts: { offerId, assetId: offer.asset_id },
    });
    return withdrawn;
  });
}
