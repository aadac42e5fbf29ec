import { sql } from 'kysely';
import type { Db, Trx } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import type { Principal } from '../../http/env.js';
import { conflict, notFound, unprocessable } from '../../http/problem.js';
import type { Licence } from '../assets/licence.js';
import { liveCaseOfWork, workGateRefusal } from '../cases/work-gate.js';
import type { TransferPolicy } from '../editions/policy.js';
import { type EventRow, eventRow, recordEvents } from '../events/events.repo.js';
import { actingAccount, mayActFor } from '../parties/access.js';
import { quotaExceeded } from '../quotas/quota-exceeded.js';
import { endListing, listingNotOpen, lockListingForSale } from './listing-state.js';
import { currentPrice, effectiveStatus, endsBySchedule, transfersInLastDay } from './listings.repo.js';
import { takeUnsoldUnit } from './primary-units.js';
import { isResale, saleRefusal } from './sale-policy.js';
import { workForSplit, workNodeOf, workSplit } from './trades.repo.js';
import { reserveTrade, settleTrade } from './trades.service.js';

export interface ListingSaleInput {
  buyer: Row<'accounts'>;
  /** What the buyer pays: the fixed or Dutch price. */
  price: bigint;
  rail: 'balance' | 'stripe';
}

/**
 * Reserves one unit of a locked, open listing for a buyer: checks the buyer against the edition's
 * policy (and the seller again), takes the listed unit or, for a primary sale, an unsold or newly
 * minted one, and writes the reservation (`reserveTrade`) and, in the same statement, its count on
 * the listing, which turns `sold` when every unit is taken. Time windows are the caller's
 * business: purchases check them. Its events are gathered in `events`, for the caller to write
 * with its others.
 *
 * The caller must have locked the listing with `lockListingForSale` (unit first, then listing).
 */
export async function reserveFromListing(
  trx: Trx,
  { listing, unit: listedUnit }: Awaited<ReturnType<typeof lockListingForSale>>,
  input: ListingSaleInput,
  now: Date,
  events: EventRow[],
): Promise<Row<'trades'>> {
  if (listing.status !== 'open') throw listingNotOpen(listing, now);
  const { buyer } = input;
  if (buyer.id === listing.seller_id) {
    throw unprocessable('buyer_is_seller', `Account ${buyer.id} cannot buy from its own listing ${listing.id}.`);
  }
  const seller = {
    id: listing.seller_id,
    platform_id: listing.seller_platform_id,
    kyc_level: listing.seller_kyc_level,
    is_adult: listing.seller_is_adult,
  };
  const policy = listing.policy as TransferPolicy;
  const licenceTransferable = (listing.licence as Licence).transferable;

  let unit: Row<'units'> | null;
  if (listing.unit_id) {
    unit = listedUnit!;
    if (unit.owner_id !== seller.id) {
      throw conflict('seller_no_longer_owns', `The seller no longer owns unit ${unit.id}.`);
    }
    if (unit.frozen) throw conflict('unit_frozen', `Unit ${unit.id} is frozen.`);
  } else {
    // The seller and buyer rules do not depend on which unsold unit is taken: check before minting.
    const early = saleRefusal({ policy, licenceTransferable, via: listing.kind, resale: false, seller, buyer, now });
    if (early) refuse(early);
    await trx.selectFrom('editions').select('id').where('id', '=', listing.edition_id).forNoKeyUpdate().execute();
    unit = await takeUnsoldUnit(
      trx,
      { id: listing.edition_id, asset_id: listing.asset_id, size: listing.edition_size },
      seller,
      now,
    );
    if (!unit) throw conflict('sold_out', `Edition ${listing.edition_id} has no unsold units left.`);
  }
  const refusal = saleRefusal({
    policy,
    licenceTransferable,
    via: listing.kind,
    resale: isResale(seller.id, listing.rights_holder_id, unit),
    unit,
    // Counted only where the policy limits changes of owner per day (not `open_market`).
    transfersInLastDay: policy.transfersPerDay === null ? undefined : await transfersInLastDay(trx, unit.id, now),
    seller,
    buyer,
    now,
  });
  if (refusal) refuse(refusal);

  const sold = listing.sold + 1;
  // releaseTrade counts back down and reopens the listing if the reservation lapses.
  const listingAfter = { sold, status: sold >= listing.quantity ? ('sold' as const) : ('open' as const) };
  const trade = await reserveTrade(
    trx,
    {
      unitId: unit.id,
      sellerId: seller.id,
      buyerId: buyer.id,
      platformId: listing.platform_id,
      currency: listing.currency,
      price: input.price,
      rail: input.rail,
      listingId: listing.id,
      known: {
        feeBps: listing.fee_bps,
        royaltyBps: listing.royalty_bps,
        assetId: listing.asset_id,
        // A primary sale's unit has none: takeUnsoldUnit takes only units free of reservations,
        // checked under the unit's lock, or mints a new one.
        liveTradeId: listing.unit_id ? listing.live_trade_id : null,
      },
      listingAfter,
    },
    now,
    events,
  );
  if (listingAfter.status === 'sold') {
    events.push(
      eventRow({
        type: 'listing.sold',
        at: now,
        assetId: listing.asset_id,
        unitId: listing.unit_id ?? undefined,
        platformId: listing.platform_id,
        facts: { listingId: listing.id, sold, quantity: listing.quantity, lastTradeId: trade.id },
      }),
    );
  }
  return trade;
}

function refuse(r: { rule: string; detail: string; allowedAt?: string }): never {
  const { detail, ...extra } = r;
  throw unprocessable('transfer_refused', detail, extra);
}

/**
 * A buyer may hold at most `limit` live reservations it has not paid for: each one keeps a unit
 * from every other buyer for 15 minutes. Counted under a lock on the buyer's account row, so
 * concurrent purchases by one buyer take turns and the count cannot be raced past the limit; the
 * lock is NO KEY UPDATE, so nothing that merely references the account waits for it.
 */
async function checkUnpaidReservations(trx: Trx, buyerId: string, limit: number, now: Date): Promise<void> {
  await trx.selectFrom('accounts').select('id').where('id', '=', buyerId).forNoKeyUpdate().executeTakeFirstOrThrow();
  const row = await trx
    .selectFrom('trades')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('buyer_id', '=', buyerId)
    .where('status', '=', 'reserved')
    .where('reserved_until', '>', now)
    .executeTakeFirstOrThrow();
  if (Number(row.n) >= limit) {
    throw quotaExceeded(
      'unpaid_reservations',
      limit,
      `Account ${buyerId} already holds ${row.n} unpaid reservations, the most allowed (${limit}); pay or cancel one first.`,
    );
  }
}

/**
 * The buyer's account (if the principal may act for it), the listing's kind and unit, the IP-case
 * gate of the listing's work with a share lock on the work's row (`lockWorkForTrade`'s lock) and
 * the work's royalty split, in one statement. Measures and determinations of a case (among them a
 * transfer of the work's rights and credits) lock the work's row first, so the purchase either
 * commits before they start or sees what they decided.
 */
async function openPurchase(trx: Trx, principal: Principal, buyerId: string, listingId: string) {
  const row = await trx
    .selectFrom('accounts')
    .innerJoin('listings', (join) => join.on('listings.id', '=', listingId))
    .innerJoin('editions', 'editions.id', 'listings.edition_id')
    .innerJoin('assets', 'assets.id', 'editions.asset_id')
    .selectAll('accounts')
    .select([
      'listings.kind as listing_kind',
      'listings.unit_id as listing_unit_id',
      'editions.asset_id as work_id',
      'assets.status as work_status',
    ])
    .select((eb) => liveCaseOfWork(eb))
    .select(workSplit(sql.ref('assets.id')).as('work_split'))
    .select(sql<string>`assets.xmin::text`.as('work_version'))
    .where('accounts.id', '=', buyerId)
    .forShare('assets')
    .executeTakeFirst();
  if (!row) {
    // No buyer (404 account, as for one the principal may not act for) or no listing.
    await actingAccount(trx, principal, buyerId);
    throw notFound('listing', listingId);
  }
  const { listing_kind, listing_unit_id, work_id, work_status, live_case_id, work_split, work_version, ...buyer } = row;
  if (!mayActFor(principal, buyer)) throw notFound('account', buyerId);
  if (endsBySchedule({ kind: listing_kind })) {
    const refused = workGateRefusal(work_id, { status: work_status, live_case_id });
    if (refused) throw refused;
  }
  // The split is read as of the statement's start, the work's row as locked: if a case changed the
  // work (a transfer of rights and credits) while this statement waited for the lock, the split
  // is read again, in a statement that starts now.
  const work = work_split.version === work_version ? workNodeOf(work_id, work_split) : await workForSplit(trx, work_id);
  return { buyer, listingKind: listing_kind, listingUnitId: listing_unit_id, work };
}

/**
 * `POST /v1/listings/{id}/purchase`: in one transaction, lock the listing, price it at this
 * instant, reserve a unit for the buyer and (by default) settle from the buyer's balance. Any
 * refusal, including too small a balance, leaves nothing written. A listing found past its end
 * is marked expired (that much commits) and the purchase gets 409 `listing_expired`. A purchase
 * that leaves the unit reserved unpaid (`settle: false`, or a card payment still to come) counts
 * against the buyer's `maxUnpaidReservations` (429 `quota_exceeded`).
 */
export async function purchaseListing(
  db: Db,
  principal: Principal,
  listingId: string,
  input: { buyerId: string; settle: boolean; rail?: 'balance' | 'stripe'; maxUnpaidReservations: number },
  now: Date,
  /** Runs in the purchase's transaction after the reservation (the stripe rail records its payment here). */
  onReserved?: (trx: Trx, trade: Row<'trades'>) => Promise<void>,
): Promise<Row<'trades'>> {
  const outcome = await db.transaction().execute(async (trx) => {
    // The lock order is buyer's account → work → listing → unit.
    const staysUnpaid = !input.settle || (input.rail ?? 'balance') === 'stripe';
    if (staysUnpaid) {
      await actingAccount(trx, principal, input.buyerId);
      await checkUnpaidReservations(trx, input.buyerId, input.maxUnpaidReservations, now);
    }
    const { buyer, listingKind, listingUnitId, work } = await openPurchase(trx, principal, input.buyerId, listingId);
    // Auction listings are never locked here: only the auctions engine takes their locks.
    if (!endsBySchedule({ kind: listingKind })) {
      throw conflict('not_buyable', `Listing ${listingId} is an ${listingKind} auction; it is won by bidding, not bought.`);
    }
    const sale = await lockListingForSale(trx, listingId, { unit_id: listingUnitId });
    const { listing } = sale;
    if (listing.status === 'open' && effectiveStatus(listing, now) === 'expired') {
      await endListing(trx, listing, 'expired', 'ended', now);
      return { ended: true, listing } as const;
    }
    if (listing.status !== 'open') throw listingNotOpen(listing, now);
    if (now < listing.starts_at) {
      throw conflict('listing_not_started', `Listing ${listingId} opens at ${listing.starts_at.toISOString()}.`, {
        startsAt: listing.starts_at.toISOString(),
      });
    }
    // The purchase's events are written together: with the settlement's, or here if it stays unpaid.
    const events: EventRow[] = [];
    const trade = await reserveFromListing(
      trx,
      sale,
      { buyer, price: currentPrice(listing, now)!, rail: input.rail ?? 'balance' },
      now,
      events,
    );
    if (onReserved) {
      await recordEvents(trx, events.splice(0));
      await onReserved(trx, trade);
    }
    // A stripe-rail trade settles when Stripe's webhook says the payment succeeded, never here.
    const settle = input.settle && trade.rail === 'balance';
    if (!settle) {
      await recordEvents(trx, events);
      return { ended: false, trade } as const;
    }
    // Settled in the same transaction, so settleTrade need not read back what was just written
    // (JustReserved); it posts the journal last, just before this transaction commits.
    const justReserved = { trade, listingOfUnit: listing.unit_id === trade.unit_id, assetId: listing.asset_id, work, events };
    return { ended: false, trade: await settleTrade(trx, trade.id, now, justReserved) } as const;
  });
  if (outcome.ended) throw listingNotOpen({ ...outcome.listing, status: 'expired' }, now);
  return outcome.trade;
}
