import type { Db, Trx } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import type { Principal } from '../../http/env.js';
import { badRequest, conflict, notFound, unprocessable } from '../../http/problem.js';
import { newId } from '../../ids.js';
import type { Licence } from '../assets/licence.js';
import { checkWorkTradable } from '../cases/work-gate.js';
import type { TransferPolicy } from '../editions/policy.js';
import { recordEvent } from '../events/events.repo.js';
import { actingAccount, existingAccount } from '../parties/access.js';
import { quotaExceeded } from '../quotas/quota-exceeded.js';
import { endOpenListingOfUnit } from './listing-state.js';
import { liveReservation, saleContext, transfersInLastDay } from './listings.repo.js';
import { findOffer, offerStatus } from './offers.repo.js';
import { isResale, saleRefusal } from './sale-policy.js';
import { reserveTrade, settleTrade } from './trades.service.js';

const MAX_OFFER_MS = 90 * 86400_000;

function refuse(r: { rule: string; detail: string; allowedAt?: string }): never {
  const { detail, ...extra } = r;
  throw unprocessable('transfer_refused', detail, extra);
}

async function unitWithAsset(db: Db | Trx, unitId: string) {
  const unit = await db
    .selectFrom('units')
    .innerJoin('editions', 'editions.id', 'units.edition_id')
    .selectAll('units')
    .select('editions.asset_id')
    .where('units.id', '=', unitId)
    .executeTakeFirst();
  if (!unit) throw notFound('unit', unitId);
  return unit;
}

const DAY_MS = 86400_000;

async function checkOfferQuota(trx: Trx, buyerId: string, unitId: string, limit: number, now: Date): Promise<void> {
  await trx.selectFrom('accounts').select('id').where('id', '=', buyerId).forNoKeyUpdate().executeTakeFirstOrThrow();
  const recent = await trx
    .selectFrom('offers')
    .select('created_at')
    .where('buyer_id', '=', buyerId)
    .where('unit_id', '=', unitId)
    .where('created_at', '>', new Date(now.getTime() - DAY_MS))
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  if (recent.length >= limit) {
    throw quotaExceeded(
      'offers_per_unit_per_day',
      limit,
      `Account ${buyerId} has made ${limit} offers on unit ${unitId} in the last 24 hours, the most allowed.`,
      new Date(recent.at(-1)!.created_at.getTime() + DAY_MS),
    );
  }
}

/**
 * A buyer offers an amount for a unit. What the current owner could never accept is refused
 * now (the licence, a resale the policy forbids, the buyer's own real name and age); waiting
 * times and the daily limit are checked when the offer is accepted. Each offer is a permanent
 * log leaf, so one account makes at most `maxPerUnitPerDay` offers on one unit in any 24 hours
 * (429 `quota_exceeded`), counted under a lock on the buyer's account row.
 */
export async function createOffer(
  db: Db,
  principal: Principal,
  unitId: string,
  input: { buyerId: string; currency: string; amount: number; expiresAt: string },
  now: Date,
  maxPerUnitPerDay: number,
): Promise<Row<'offers'>> {
  const expiresAt = new Date(input.expiresAt);
  if (expiresAt <= now) throw badRequest('invalid_expiry', 'expiresAt must be in the future.');
  if (expiresAt.getTime() - now.getTime() > MAX_OFFER_MS)
    throw badRequest('invalid_expiry', 'An offer stands for at most 90 days.');
  return db.transaction().execute(async (trx) => {
    const buyer = await actingAccount(trx, principal, input.buyerId);
    const unit = await unitWithAsset(trx, unitId);
    if (unit.owner_id === buyer.id) throw unprocessable('buyer_is_owner', `Account ${buyer.id} already owns unit ${unitId}.`);
    await checkWorkTradable(trx, unit.asset_id);
    if (unit.frozen) throw conflict('unit_frozen', `Unit ${unitId} is frozen.`);
    const edition = await saleContext(trx, unit.edition_id);
    const policy = edition.policy as TransferPolicy;
    const refusal = saleRefusal({
      policy: { ...policy, transfersPerDay: null }, // a daily limit may pass before acceptance
      licenceTransferable: (edition.licence as Licence).transferable,
      via: 'offer',
      resale: isResale(unit.owner_id, edition.rights_holder_id, unit),
      buyer,
      now,
    });
    if (refusal) refuse(refusal);
    await checkOfferQuota(trx, buyer.id, unitId, maxPerUnitPerDay, now);
    const offer = await trx
      .insertInto('offers')
      .values({
        id: newId('ofr'),
        unit_id: unitId,
        buyer_id: buyer.id,
        platform_id: buyer.platform_id,
        currency: input.currency,
        amount: BigInt(input.amount),
        expires_at: expiresAt,
        status: 'open',
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordEvent(trx, {
      type: 'offer.created',
      at: now,
      assetId: unit.asset_id,
      unitId,
      platformId: buyer.platform_id,
      facts: {
        offerId: offer.id,
        unitId,
        buyerId: buyer.id,
        currency: offer.currency,
        amount: input.amount,
        expiresAt: expiresAt.toISOString(),
      },
    });
    return offer;
  });
}

/** Ends an open offer (cancelled, expired) with its event; the caller holds the offer's lock. */
export async function endOffer(
  trx: Trx,
  offer: Row<'offers'>,
  status: 'cancelled' | 'expired' | 'accepted',
  now: Date,
  facts: Record<string, unknown> = {},
): Promise<Row<'offers'>> {
  const updated = await trx
    .updateTable('offers')
    .set({ status, updated_at: now })
    .where('id', '=', offer.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const { asset_id } = await trx
    .selectFrom('units')
    .innerJoin('editions', 'editions.id', 'units.edition_id')
    .select('editions.asset_id')
    .where('units.id', '=', offer.unit_id)
    .executeTakeFirstOrThrow();
  await recordEvent(trx, {
    type: `offer.${status}`,
    at: now,
    assetId: asset_id,
    unitId: offer.unit_id,
    platformId: offer.platform_id,
    facts: { offerId: offer.id, unitId: offer.unit_id, ...facts },
  });
  return updated;
}

/**
 * The unit's owner accepts an offer: in one transaction the unit is locked (then the offer), the
 * owner, the offer's state and the policy for this sale are checked, the unit's open listing
 * ends, and the trade is reserved and settled at the offer amount. An offer found past its
 * expiry is marked expired (that much commits) and the acceptance gets 409 `offer_expired`.
 */
export async function acceptOffer(
  db: Db,
  principal: Principal,
  offerId: string,
  input: { sellerId: string },
  now: Date,
): Promise<{ offer: Row<'offers'>; trade: Row<'trades'> }> {
  const outcome = await db.transaction().execute(async (trx) => {
    const seller = await actingAccount(trx, principal, input.sellerId);
    const peek = await findOffer(trx, offerId);
    await trx.selectFrom('units').select('id').where('id', '=', peek.unit_id).forNoKeyUpdate().execute();
    await trx.selectFrom('offers').select('id').where('id', '=', offerId).forNoKeyUpdate().execute();
    const offer = await findOffer(trx, offerId);
    const unit = await unitWithAsset(trx, offer.unit_id);
    if (unit.owner_id !== seller.id) throw conflict('not_owner', `Account ${seller.id} does not own unit ${unit.id}.`);
    if (offer.status !== 'open') {
      throw conflict('offer_not_open', `Offer ${offerId} is ${offer.status}.`, { status: offer.status });
    }
    if (offer.expires_at <= now) {
      await endOffer(trx, offer, 'expired', now);
      return { expired: true } as const;
    }
    if (offer.buyer_id === seller.id) throw unprocessable('buyer_is_owner', `Account ${seller.id} already owns unit ${unit.id}.`);
    await checkWorkTradable(trx, unit.asset_id);
    if (unit.frozen) throw conflict('unit_frozen', `Unit ${unit.id} is frozen.`);
    const reserved = await liveReservation(trx, unit.id);
    if (reserved)
      throw conflict('unit_reserved', `Unit ${unit.id} is reserved by trade ${reserved.id}.`, { tradeId: reserved.id });
    const buyer = await existingAccount(trx, offer.buyer_id);
    const edition = await saleContext(trx, unit.edition_id);
    const refusal = saleRefusal({
      policy: edition.policy as TransferPolicy,
      licenceTransferable: (edition.licence as Licence).transferable,
      via: 'offer',
      resale: isResale(seller.id, edition.rights_holder_id, unit),
      unit,
      transfersInLastDay: await transfersInLastDay(trx, unit.id, now),
      seller,
      buyer,
      now,
    });
    if (refusal) refuse(refusal);
    await endOpenListingOfUnit(trx, unit.id, 'unit_sold', now);
    const reservation = await reserveTrade(
      trx,
      {
        unitId: unit.id,
        sellerId: seller.id,
        buyerId: buyer.id,
        platformId: offer.platform_id,
        currency: offer.currency,
        price: offer.amount,
        rail: 'balance',
        offerId,
      },
      now,
    );
    const trade = await settleTrade(trx, reservation.id, now);
    const accepted = await endOffer(trx, offer, 'accepted', now, {
      tradeId: trade.id,
      sellerId: seller.id,
      buyerId: buyer.id,
      amount: Number(offer.amount),
      currency: offer.currency,
    });
    return { offer: accepted, trade } as const;
  });
  if ('expired' in outcome) throw conflict('offer_expired', `Offer ${offerId} has expired.`);
  return outcome;
}

/** The buyer withdraws an open offer. */
export async function cancelOffer(db: Db, principal: Principal, offerId: string, now: Date): Promise<Row<'offers'>> {
  return db.transaction().execute(async (trx) => {
    await trx.selectFrom('offers').select('id').where('id', '=', offerId).forNoKeyUpdate().execute();
    const offer = await findOffer(trx, offerId);
    await actingAccount(trx, principal, offer.buyer_id).catch(() => {
      throw notFound('offer', offerId);
    });
    const status = offerStatus(offer, now);
    if (status !== 'open') throw conflict('offer_not_open', `Offer ${offerId} is ${status}.`, { status });
    return endOffer(trx, offer, 'cancelled', now, { reason: 'buyer' });
  });
}
