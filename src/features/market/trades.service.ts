import type { Db, Trx } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import { conflict, notFound } from '../../http/problem.js';
import { newId } from '../../ids.js';
import { type EventRow, eventRow, insertEvents, recordEvent, recordEvents } from '../events/events.repo.js';
import { bidHoldOf, newJournalId, postJournal } from '../ledger/ledger.repo.js';
import { splitSale, type WorkNode } from '../ledger/split.js';
import { endOpenListingOfUnit } from './listing-state.js';
import { liveReservation } from './listings.repo.js';
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
  /**
   * What the caller has already read under its locks (a purchase reads them with the listing it
   * locks), so that reserving does not read them again: the platform's fee, the edition's royalty,
   * the work, and the unit's live reservation (null: none; read in a statement that began after
   * the unit was locked, so none can have appeared since).
   */
  known?: { feeBps: number; royaltyBps: number; assetId: string; liveTradeId: string | null };
  /**
   * The listing's count once this reservation is made (and `sold` when it takes the last unit),
   * written in the trade's own statement: one round trip fewer while the listing is locked.
   */
  listingAfter?: { sold: number; status: 'open' | 'sold' };
}

/**
 * Reserves a unit for a buyer. The caller holds the lock on the unit (or on the listing that
 * owns it); the partial unique index `trades_one_reservation_per_unit` is the database's own
 * guarantee that a unit is never reserved twice.
 */
export async function reserveTrade(
  trx: Trx,
  input: ReserveInput,
  now: Date,
  /** Where a caller that writes its events together (a purchase) gathers them; written here otherwise. */
  events?: EventRow[],
): Promise<Row<'trades'>> {
  const live = input.known ? { id: input.known.liveTradeId } : await liveReservation(trx, input.unitId);
  if (live?.id) throw conflict('unit_reserved', `Unit ${input.unitId} is reserved by trade ${live.id}.`, { tradeId: live.id });
  const terms = input.known ?? (await termsOfSale(trx, input.platformId, input.unitId));
  // splitSale cannot pay out more than the price; refuse here rather than fail at settlement.
  checkFees(terms.feeBps, terms.royaltyBps);
  const { listingId, listingAfter } = input;
  const writer =
    listingId && listingAfter
      ? trx.with('listing_count', (db) =>
          db
            .updateTable('listings')
            .set({ ...listingAfter, updated_at: now })
            .where('id', '=', listingId),
        )
      : trx;
  const trade = await writer
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
      fee_bps: terms.feeBps,
      royalty_bps: terms.royaltyBps,
      rail: input.rail,
      status: 'reserved',
      reserved_until: new Date(now.getTime() + RESERVATION_SECONDS * 1000),
      created_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const event = eventRow({
    type: 'trade.reserved',
    at: now,
    assetId: terms.assetId,
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
  if (events) events.push(event);
  else await recordEvents(trx, [event]);
  return trade;
}

/** The platform's fee and the edition's royalty and work, for a trade of a unit. */
async function termsOfSale(trx: Trx, platformId: string, unitId: string) {
  const [platform, edition] = await Promise.all([
    trx.selectFrom('platforms').select('fee_bps').where('id', '=', platformId).executeTakeFirstOrThrow(),
    trx
      .selectFrom('units')
      .innerJoin('editions', 'editions.id', 'units.edition_id')
      .select(['editions.royalty_bps', 'editions.asset_id'])
      .where('units.id', '=', unitId)
      .executeTakeFirstOrThrow(),
  ]);
  return { feeBps: platform.fee_bps, royaltyBps: edition.royalty_bps, assetId: edition.asset_id };
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
  /** The unit's work. The purchase holds the unit's lock and has checked its owner and freeze under it. */
  assetId: string;
  /** The work's royalty split, read with the work's share lock (purchase.service.ts, `openPurchase`). */
  work: WorkNode;
  /** The purchase's events not yet written: they go in settlement's one statement, before `trade.settled`. */
  events: EventRow[];
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
  const assetId = justReserved?.assetId ?? (await lockUnitToSettle(trx, trade));

  const split = splitSale({
    price: trade.price,
    feeBps: trade.fee_bps,
    royaltyBps: trade.royalty_bps,
    buyerId: trade.buyer_id,
    sellerId: trade.seller_id,
    platformId: trade.platform_id,
    work: justReserved?.work ?? (await workForSplit(trx, assetId)),
  });
  const postings = justReserved ? split : await drawFromBidHold(trx, trade, split);
  // Named now, written last (below): the event and the trade name it; the trade's foreign key to
  // journals is checked at commit (schema/0021_settle_journal_last.sql).
  const journalId = newJournalId();

  const transferId = newId('trf');
  const settledEvent = eventRow({
    type: 'trade.settled',
    at: now,
    assetId,
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
  // One statement, one round trip: the events, the unit's transfer (which names its event: the
  // foreign key is checked at the statement's end, when the events are in), its change of owner,
  // and the trade marked settled. Each part writes a different table, so none needs to see another's.
  const settled = await trx
    .with('settle_events', (db) => insertEvents(db, [...(justReserved?.events ?? []), settledEvent]))
    .with('settle_transfer', (db) =>
      db.insertInto('unit_transfers').values({
        id: transferId,
        unit_id: trade.unit_id,
        from_id: trade.seller_id,
        to_id: trade.buyer_id,
        via: 'trade',
        at: now,
        event_id: settledEvent.id,
      }),
    )
    .with('settle_owner', (db) =>
      db
        .updateTable('units')
        .set({ owner_id: trade.buyer_id, acquired_via: 'trade', acquired_at: now })
        .where('id', '=', trade.unit_id),
    )
    .updateTable('trades')
    .set({ status: 'settled', journal_id: journalId, settled_at: now })
    .where('id', '=', tradeId)
    .returningAll()
    .executeTakeFirstOrThrow();
  // Orders never go stale: another open listing of this unit ends with the change of owner.
  if (!justReserved?.listingOfUnit) await endOpenListingOfUnit(trx, trade.unit_id, 'unit_sold', now);
  await postJournal(trx, { id: journalId, kind: 'trade', currency: trade.currency, tradeId, postings }, now);
  return settled;
}

/** Locks the trade's unit and checks the seller still owns it, unfrozen; returns the unit's work. */
async function lockUnitToSettle(trx: Trx, trade: Row<'trades'>): Promise<string> {
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
  return unit.asset_id;
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
