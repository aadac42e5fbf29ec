import type { Db, Trx } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import type { Principal } from '../../http/env.js';
import { badRequest, conflict, notFound, unprocessable } from '../../http/problem.js';
import { newId } from '../../ids.js';
import type { Licence } from '../assets/licence.js';
import { lockWorkForTrade, workOfEdition } from '../cases/work-gate.js';
import type { TransferPolicy } from '../editions/policy.js';
import { recordEvent } from '../events/events.repo.js';
import { actingAccount } from '../parties/access.js';
import { auctionHasBids, endListing, listingNotOpen } from './listing-state.js';
import {
  effectiveStatus,
  findListing,
  type ListingRow,
  liveReservation,
  openListingOfUnit,
  saleContext,
  transfersInLastDay,
} from './listings.repo.js';
import type { CreateListingInput } from './listings.routes.js';
import { unsoldSupply } from './primary-units.js';
import { checkFees, isResale, saleRefusal } from './sale-policy.js';

const MAX_DURATION_MS = 366 * 86400_000;
/** A client's clock may run a little behind ours. */
const START_SKEW_MS = 60_000;

function schedule(input: CreateListingInput, now: Date) {
  const startsAt = input.startsAt ? new Date(input.startsAt) : now;
  const endsAt = input.endsAt ? new Date(input.endsAt) : null;
  const revealEndsAt = input.kind === 'sealed' ? new Date(input.revealEndsAt) : null;
  if (startsAt.getTime() < now.getTime() - START_SKEW_MS) {
    throw badRequest('invalid_schedule', 'startsAt must not be in the past.', { field: 'startsAt' });
  }
  if (endsAt && endsAt <= now) throw badRequest('invalid_schedule', 'endsAt must be in the future.', { field: 'endsAt' });
  if (endsAt && endsAt <= startsAt) throw badRequest('invalid_schedule', 'endsAt must be after startsAt.', { field: 'endsAt' });
  const last = revealEndsAt ?? endsAt;
  if (last && last.getTime() - startsAt.getTime() > MAX_DURATION_MS) {
    throw badRequest('invalid_schedule', 'A listing runs for at most 366 days.', {
      field: revealEndsAt ? 'revealEndsAt' : 'endsAt',
    });
  }
  return { startsAt, endsAt, revealEndsAt };
}

/**
 * Creates a listing. A secondary sale locks the unit, so the checks (owner, not frozen, no live
 * reservation, no other open listing) hold when the listing commits; a primary sale locks the
 * edition, so the supply it counts is not promised twice. The edition's policy is applied to the
 * seller here and to the buyer at purchase.
 */
export async function createListing(db: Db, principal: Principal, input: CreateListingInput, now: Date): Promise<ListingRow> {
  const when = schedule(input, now);
  return db.transaction().execute(async (trx) => {
    const seller = await actingAccount(trx, principal, input.sellerId);
    // The work first (the lock order of IP cases and purchases): no new listing of a suspended or revoked work.
    const peekEdition = input.unitId
      ? (await trx.selectFrom('units').select('edition_id').where('id', '=', input.unitId).executeTakeFirst())?.edition_id
      : (await trx.selectFrom('editions').select('id').where('id', '=', input.editionId!).executeTakeFirst())?.id;
    if (peekEdition) await lockWorkForTrade(trx, await workOfEdition(trx, peekEdition));
    let unit: Row<'units'> | undefined;
    let editionId: string;
    if (input.unitId) {
      unit = await trx.selectFrom('units').selectAll().where('id', '=', input.unitId).forNoKeyUpdate().executeTakeFirst();
      if (!unit) throw notFound('unit', input.unitId);
      if (unit.owner_id !== seller.id) throw conflict('not_owner', `Account ${seller.id} does not own unit ${unit.id}.`);
      if (unit.frozen) throw conflict('unit_frozen', `Unit ${unit.id} is frozen.`);
      const reserved = await liveReservation(trx, unit.id);
      if (reserved)
        throw conflict('unit_reserved', `Unit ${unit.id} is reserved by trade ${reserved.id}.`, { tradeId: reserved.id });
      const listed = await openListingOfUnit(trx, unit.id);
      if (listed) throw conflict('unit_listed', `Unit ${unit.id} is already on listing ${listed.id}.`, { listingId: listed.id });
      editionId = unit.edition_id;
    } else {
      editionId = input.editionId!;
      const locked = await trx
        .selectFrom('editions')
        .select('id')
        .where('id', '=', editionId)
        .forNoKeyUpdate()
        .executeTakeFirst();
      if (!locked) throw notFound('edition', editionId);
    }
    const edition = await saleContext(trx, editionId);
    const platform = await trx
      .selectFrom('platforms')
      .select('fee_bps')
      .where('id', '=', seller.platform_id)
      .executeTakeFirstOrThrow();
    const quantity = input.quantity ?? 1;
    if (!unit) {
      if (edition.rights_holder_id !== seller.id) {
        throw unprocessable(
          'not_rights_holder',
          `Only the rights holder of the work sells its edition ${editionId} as a primary sale.`,
        );
      }
      const available = await unsoldSupply(trx, edition, seller.id);
      if (quantity > available) {
        throw conflict('insufficient_supply', `Edition ${editionId} has ${available} units left to sell.`, { available });
      }
    }
    checkFees(platform.fee_bps, edition.royalty_bps);
    const refusal = saleRefusal({
      policy: edition.policy as TransferPolicy,
      licenceTransferable: (edition.licence as Licence).transferable,
      via: input.kind,
      resale: isResale(seller.id, edition.rights_holder_id, unit),
      unit,
      transfersInLastDay: unit ? await transfersInLastDay(trx, unit.id, now) : 0,
      seller,
      now,
    });
    if (refusal) {
      const { detail, ...extra } = refusal;
      throw unprocessable('transfer_refused', detail, extra);
    }

    const money = (v: number | undefined) => (v === undefined ? null : BigInt(v));
    const listing = await trx
      .insertInto('listings')
      .values({
        id: newId('lst'),
        platform_id: seller.platform_id,
        seller_id: seller.id,
        unit_id: unit?.id ?? null,
        edition_id: editionId,
        quantity,
        kind: input.kind,
        currency: input.currency,
        price: input.kind === 'fixed' ? BigInt(input.price) : null,
        start_price: input.kind === 'dutch' || input.kind === 'english' ? BigInt(input.startPrice) : null,
        floor_price: input.kind === 'dutch' ? BigInt(input.floorPrice) : null,
        reserve_price: input.kind === 'english' || input.kind === 'sealed' ? money(input.reservePrice) : null,
        min_increment: input.kind === 'english' ? BigInt(input.minIncrement) : null,
        anti_snipe_seconds: input.kind === 'english' ? input.antiSnipeSeconds : null,
        bid_deposit: input.kind === 'sealed' ? money(input.bidDeposit) : null,
        starts_at: when.startsAt,
        ends_at: when.endsAt,
        reveal_ends_at: when.revealEndsAt,
        status: 'open',
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const n = (v: bigint | null) => (v === null ? undefined : Number(v));
    await recordEvent(trx, {
      type: 'listing.created',
      at: now,
      assetId: edition.asset_id,
      unitId: unit?.id,
      platformId: seller.platform_id,
      facts: {
        listingId: listing.id,
        kind: listing.kind,
        sellerId: seller.id,
        unitId: unit?.id,
        editionId,
        quantity,
        currency: listing.currency,
        price: n(listing.price),
        startPrice: n(listing.start_price),
        floorPrice: n(listing.floor_price),
        reservePrice: n(listing.reserve_price),
        minIncrement: n(listing.min_increment),
        antiSnipeSeconds: listing.anti_snipe_seconds ?? undefined,
        startsAt: listing.starts_at.toISOString(),
        endsAt: listing.ends_at?.toISOString(),
        revealEndsAt: listing.reveal_ends_at?.toISOString(),
      },
    });
    return { ...listing, asset_id: edition.asset_id };
  });
}

/**
 * The seller withdraws an open listing. Not while a buyer holds a reservation from it, and not an
 * auction that has bids; units already sold through a primary listing stay sold.
 */
export async function cancelListing(db: Db, principal: Principal, listingId: string, now: Date): Promise<ListingRow> {
  return db.transaction().execute(async (trx: Trx) => {
    await trx.selectFrom('listings').select('id').where('id', '=', listingId).forNoKeyUpdate().execute();
    const listing = await findListing(trx, listingId);
    await actingAccount(trx, principal, listing.seller_id).catch(() => {
      throw notFound('listing', listingId);
    });
    const reserved = await trx
      .selectFrom('trades')
      .select('id')
      .where('listing_id', '=', listingId)
      .where('status', '=', 'reserved')
      .executeTakeFirst();
    if (reserved) {
      throw conflict('listing_reserved', `A unit of listing ${listingId} is reserved by trade ${reserved.id}.`, {
        tradeId: reserved.id,
      });
    }
    if (effectiveStatus(listing, now) !== 'open') throw listingNotOpen(listing, now);
    if (await auctionHasBids(trx, listing)) throw conflict('auction_has_bids', `Auction ${listingId} has bids.`);
    await endListing(trx, listing, 'cancelled', 'seller', now);
    return findListing(trx, listingId);
  });
}
