import type { Db, Trx } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import { conflict, notFound } from '../../http/problem.js';
import { newId } from '../../ids.js';
import { recordEvent } from '../events/events.repo.js';
import { bidHoldOf, newJournalId, postJournal } from '../ledger/ledger.repo.js';
import { splitSale } from '../ledger/split.js';
import { endOpenListingOfUnit } from './listing-state.js';
import { checkFees } from './sale-policy.js';
import { workForSplit } from './trades.repo.js';

/** How long a purchase holds a unit for its buyer before an unsettled reservation lapses. */
export const RESERVATION_SECONDS = 15 * 60;

export interface ReserveInput {
  unitId: string;
  sellerId: string;
  buyerId: string;
  platformId: string;
  currency: string;
  price: bigint;
  rail: 'balance' | 'stripe';
  listingId?: string;
  offerId?: string;
}

/**
 * Reserves a unit for a buyer. The caller holds the lock on the unit (or on the listing that
 * owns it); the partial unique index `trades_one_reservation_per_unit` is the database's own
 * guarantee that a unit is never reserved twice.
 */
export async function reserveTrade(trx: Trx, input: ReserveInput, now: Date): Promise<Row<'trades'>> {
  const live = await trx
    .selectFrom('trades')
    .select('id')
    .where('unit_id', '=', input.unitId)
    .where('status', '=', 'reserved')
    .executeTakeFirst();
  if (live) throw conflict('unit_reserved', `Unit ${input.unitId} is reserved by trade ${live.id}.`, { tradeId: live.id });
  const [platform, edition] = await Promise.all([
    trx.selectFrom('platforms').select('fee_bps').where('id', '=', input.platformId).executeTakeFirstOrThrow(),
    trx
      .selectFrom('units')
      .innerJoin('editions', 'editions.id', 'units.edition_id')
      .select(['editions.royalty_bps', 'editions.asset_id'])
      .where('units.id', '=', input.unitId)
      .executeTakeFirstOrThrow(),
  ]);
  // splitSale cannot pay out more than the price; refuse here rather than fail at settlement.
  checkFees(platform.fee_bps, edition.royalty_bps);
  const trade = await trx
    .insertInto('trades')
    .values({
      id: newId('trd'),
      listing_id: input.listingId ?? null,
      offer_id: input.offerId ?? null,
      unit_id: input.unitId,
      seller_id: input.sellerId,
      buyer_id: input.buyerId,
      platform_id: input.platformId,
      currency: input.currency,
      price: input.price,
      fee_bps: platform.fee_bps,
      royalty_bps: edition.royalty_bps,
      rail: input.rail,
      status: 'reserved',
      reserved_until: new Date(now.getTime() + RESERVATION_SECONDS * 1000),
      created_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordEvent(trx, {
    type: 'trade.reserved',
    at: now,
    assetId: edition.asset_id,
    unitId: input.unitId,
    platformId: input.platformId,
    facts: {
      tradeId: trade.id,
      unitId: input.unitId,
      listingId: input.listingId,
      offerId: input.offerId,
      sellerId: input.sellerId,
      buyerId: input.buyerId,
      price: Number(input.price),
      currency: input.currency,
      rail: input.rail,
      reservedUntil: trade.reserved_until.toISOString(),
    },
  });
  return trade;
}

/**
 * What a purchase that has just reserved the trade in its own transaction already knows, so that
 * settling does not read it again: the trade row (locked since its insert); that a fixed-price or
 * Dutch listing holds no bid money; and, for a listing of this very unit, that the unit has no
 * other open listing to end (one open listing per unit: `listings_open_unit_idx`).
 */
export interface JustReserved {
  trade: Row<'trades'>;
  listingOfUnit: boolean;
}

/**
 * Settles a reserved trade: the buyer's balance pays, the journal splits the price, and the unit
 * changes owner — all in the caller's transaction, so either everything happens or nothing.
 * Settling a trade that is already settled returns it unchanged (webhooks and retries repeat).
 *
 * The journal is posted last, just before the caller commits. It locks the balance rows of
 * everyone paid — the platform's fee row and a creator's royalty row are shared by every sale of
 * the platform or the work — and those locks are held until commit, so the less the transaction
 * does after taking them, the less the next purchase waits (issue 14: purchases queued on the
 * platform's row). A refusal for too small a balance (409 `insufficient_funds`) therefore comes
 * after the writes above it: callers that catch it to go on in the same transaction wrap the call
 * in a savepoint (auctions/closing.service.ts); everyone else lets the transaction roll back.
 */
export async function settleTrade(trx: Trx, tradeId: string, now: Date, justReserved?: JustReserved): Promise<Row<'trades'>> {
  const trade =
    justReserved?.trade ?? (await trx.selectFrom('trades').selectAll().where('id', '=', tradeId).forUpdate().executeTakeFirst());
  if (!trade) throw notFound('trade', tradeId);
  if (trade.status === 'settled') return trade;
  if (trade.status === 'released') {
    throw conflict('trade_released', `Trade ${tradeId} was released (${trade.release_reason}); it can no longer settle.`);
  }
  if (trade.reserved_until <= now) {
    throw conflict('reservation_expired', `The reservation of trade ${tradeId} lapsed at ${trade.reserved_until.toISOString()}.`);
  }
  const unit = await trx
    .selectFrom('units')
    .innerJoin('editions', 'editions.id', 'units.edition_id')
    .select(['units.owner_id', 'units.frozen', 'editions.asset_id'])
    .where('units.id', '=', trade.unit_id)
    // NO KEY UPDATE: rows that merely reference the unit (events, listings, offers) take FOR KEY
    // SHARE on it through their foreign keys; FOR UPDATE would block them and can deadlock.
    .forNoKeyUpdate('units')
    .executeTakeFirstOrThrow();
  if (unit.owner_id !== trade.seller_id)
    throw conflict('seller_no_longer_owns', `The seller no longer owns unit ${trade.unit_id}.`);
  if (unit.frozen) throw conflict('unit_frozen', `Unit ${trade.unit_id} is frozen.`);

  const split = splitSale({
    price: trade.price,
    feeBps: trade.fee_bps,
    royaltyBps: trade.royalty_bps,
    buyerId: trade.buyer_id,
    sellerId: trade.seller_id,
    platformId: trade.platform_id,
    work: await workForSplit(trx, unit.asset_id),
  });
  const postings = justReserved ? split : await drawFromBidHold(trx, trade, split);
  // Named now, written last (below): the event and the trade name it; the trade's foreign key to
  // journals is checked at commit (schema/0021_settle_journal_last.sql).
  const journalId = newJournalId();

  const transferId = newId('trf');
  const eventId = await recordEvent(trx, {
    type: 'trade.settled',
    at: now,
    assetId: unit.asset_id,
    unitId: trade.unit_id,
    platformId: trade.platform_id,
    facts: {
      tradeId,
      unitId: trade.unit_id,
      transferId,
      sellerId: trade.seller_id,
      buyerId: trade.buyer_id,
      price: Number(trade.price),
      currency: trade.currency,
      journalId,
      postings: postings
        .filter((p) => p.amount !== 0n)
        .map((p) => ({ holder: p.holder, role: p.role, amount: Number(p.amount) })),
    },
  });
  await trx
    .insertInto('unit_transfers')
    .values({
      id: transferId,
      unit_id: trade.unit_id,
      from_id: trade.seller_id,
      to_id: trade.buyer_id,
      via: 'trade',
      at: now,
      event_id: eventId,
    })
    .execute();
  await trx
    .updateTable('units')
    .set({ owner_id: trade.buyer_id, acquired_via: 'trade', acquired_at: now })
    .where('id', '=', trade.unit_id)
    .execute();
  // Orders never go stale: another open listing of this unit ends with the change of owner.
  if (!justReserved?.listingOfUnit) await endOpenListingOfUnit(trx, trade.unit_id, 'unit_sold', now);
  const settled = await trx
    .updateTable('trades')
    .set({ status: 'settled', journal_id: journalId, settled_at: now })
    .where('id', '=', tradeId)
    .returningAll()
    .executeTakeFirstOrThrow();
  await postJournal(trx, { id: journalId, kind: 'trade', currency: trade.currency, tradeId, postings }, now);
  return settled;
}

/**
 * An auction's winner has money put up on the listing (its bid, or its sealed deposit): the price
 * is drawn from that hold first and only the rest from the buyer's balance, so a winner whose bid
 * was funded always settles. Other trades have no hold and pay from the balance.
 */
async function drawFromBidHold(trx: Trx, trade: Row<'trades'>, postings: ReturnType<typeof splitSale>) {
  if (!trade.listing_id) return postings;
  const hold = bidHoldOf(trade.listing_id, trade.buyer_id);
  const row = await trx
    .selectFrom('balances')
    .select('amount')
    .where('holder', '=', hold)
    .where('currency', '=', trade.currency)
    .executeTakeFirst();
  const held = row?.amount ?? 0n;
  const fromHold = held < trade.price ? held : trade.price;
  if (fromHold <= 0n) return postings;
  return [
    ...postings.map((p) => (p.holder === trade.buyer_id && p.role === 'buyer' ? { ...p, amount: p.amount + fromHold } : p)),
    { holder: hold, role: 'buyer' as const, amount: -fromHold },
  ];
}

/**
 * Releases a reservation (expiry, failed payment, cancellation): the unit is free again and, if
 * it came from a listing that is still running, the listing takes buyers again.
 */
export async function releaseTrade(trx: Trx, tradeId: string, reason: string, now: Date): Promise<Row<'trades'> | null> {
  const trade = await trx.selectFrom('trades').selectAll().where('id', '=', tradeId).forUpdate().executeTakeFirst();
  if (trade?.status !== 'reserved') return null;
  if (trade.listing_id) {
    const listing = await trx
      .selectFrom('listings')
      .selectAll()
      .where('id', '=', trade.listing_id)
      .forNoKeyUpdate()
      .executeTakeFirstOrThrow();
    // An auction whose winner did not pay opens again past its end: its closing (auctions/
    // closing.service.ts) then offers the sale to the next valid bid, or expires it.
    const isAuction = listing.kind === 'english' || listing.kind === 'sealed';
    const stillRunning = isAuction || !listing.ends_at || listing.ends_at > now;
    await trx
      .updateTable('listings')
      .set({
        sold: listing.sold - 1,
        status: listing.status === 'sold' || listing.status === 'closed' ? (stillRunning ? 'open' : 'expired') : listing.status,
        updated_at: now,
      })
      .where('id', '=', listing.id)
      .execute();
  }
  const released = await trx
    .updateTable('trades')
    .set({ status: 'released', released_at: now, release_reason: reason })
    .where('id', '=', tradeId)
    .returningAll()
    .executeTakeFirstOrThrow();
  const asset = await trx
    .selectFrom('units')
    .innerJoin('editions', 'editions.id', 'units.edition_id')
    .select('editions.asset_id')
    .where('units.id', '=', trade.unit_id)
    .executeTakeFirstOrThrow();
  await recordEvent(trx, {
    type: 'trade.released',
    at: now,
    assetId: asset.asset_id,
    unitId: trade.unit_id,
    platformId: trade.platform_id,
    facts: { tradeId, unitId: trade.unit_id, reason },
  });
  return released;
}

/** Scheduled: lets every lapsed reservation go. SKIP LOCKED lets runners share the work. */
export async function releaseExpiredReservations(db: Db, now: Date): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const due = await trx
      .selectFrom('trades')
      .select('id')
      .where('status', '=', 'reserved')
      .where('reserved_until', '<=', now)
      .orderBy('reserved_until')
      .limit(100)
      .forUpdate()
      .skipLocked()
      .execute();
    for (const t of due) await releaseTrade(trx, t.id, 'reservation_expired', now);
    return due.length;
  });
}
