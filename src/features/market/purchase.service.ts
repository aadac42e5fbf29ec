import type { Db, Trx } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import type { Principal } from '../../http/env.js';
import { conflict, unprocessable } from '../../http/problem.js';
import type { Licence } from '../assets/licence.js';
import { lockWorkForTrade } from '../cases/work-gate.js';
import type { TransferPolicy } from '../editions/policy.js';
import { recordEvent } from '../events/events.repo.js';
import { actingAccount, existingAccount } from '../parties/access.js';
import { quotaExceeded } from '../quotas/quota-exceeded.js';
import { endListing, listingNotOpen, lockListing } from './listing-state.js';
import {
  currentPrice,
  effectiveStatus,
  endsBySchedule,
  type ListingRow,
  saleContext,
  transfersInLastDay,
} from './listings.repo.js';
import { takeUnsoldUnit } from './primary-units.js';
import { isResale, saleRefusal } from './sale-policy.js';
import { reserveTrade, settleTrade } from './trades.service.js';

export interface ListingSaleInput {
  buyerId: string;
  /** The buyer's row when the caller has just read it (a purchase): saves reading it again. */
  buyer?: Row<'accounts'>;
  /** What the buyer pays: the fixed or Dutch price, or the winning bid of an auction. */
  price: bigint;
  rail: 'balance' | 'stripe';
}

/**
 * Reserves one unit of a locked, open listing for a buyer: checks the buyer against the edition's
 * policy (and the seller again), takes the listed unit or, for a primary sale, an unsold or newly
 * minted one, writes the reservation (`reserveTrade`) and counts it on the listing, which turns
 * `sold` when every unit is taken. Time windows are the caller's business: purchases check them;
 * the auctions engine decides when its auction is over.
 *
 * The caller must have locked the listing with `lockListing` (unit first, then listing).
 */
export async function reserveFromListing(
  trx: Trx,
  listing: ListingRow,
  input: ListingSaleInput,
  now: Date,
): Promise<Row<'trades'>> {
  if (listing.status !== 'open') throw listingNotOpen(listing, now);
  const buyer = input.buyer?.id === input.buyerId ? input.buyer : await existingAccount(trx, input.buyerId);
  if (buyer.id === listing.seller_id) {
    throw unprocessable('buyer_is_seller', `Account ${buyer.id} cannot buy from its own listing ${listing.id}.`);
  }
  const seller = await existingAccount(trx, listing.seller_id);
  const edition = await saleContext(trx, listing.edition_id);
  const policy = edition.policy as TransferPolicy;
  const licenceTransferable = (edition.licence as Licence).transferable;

  let unit: Row<'units'> | null;
  if (listing.unit_id) {
    unit = await trx.selectFrom('units').selectAll().where('id', '=', listing.unit_id).executeTakeFirstOrThrow();
    if (unit.owner_id !== seller.id) {
      throw conflict('seller_no_longer_owns', `The seller no longer owns unit ${unit.id}.`);
    }
    if (unit.frozen) throw conflict('unit_frozen', `Unit ${unit.id} is frozen.`);
  } else {
    // The seller and buyer rules do not depend on which unsold unit is taken: check before minting.
    const early = saleRefusal({ policy, licenceTransferable, via: listing.kind, resale: false, seller, buyer, now });
    if (early) refuse(early);
    await trx.selectFrom('editions').select('id').where('id', '=', edition.id).forNoKeyUpdate().execute();
    unit = await takeUnsoldUnit(trx, edition, seller, now);
    if (!unit) throw conflict('sold_out', `Edition ${edition.id} has no unsold units left.`);
  }
  const refusal = saleRefusal({
    policy,
    licenceTransferable,
    via: listing.kind,
    resale: isResale(seller.id, edition.rights_holder_id, unit),
    unit,
    // Counted only where the policy limits changes of owner per day (not `open_market`).
    transfersInLastDay: policy.transfersPerDay === null ? undefined : await transfersInLastDay(trx, unit.id, now),
    seller,
    buyer,
    now,
  });
  if (refusal) refuse(refusal);

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
    },
    now,
  );
  const sold = listing.sold + 1;
  // releaseTrade counts back down and reopens the listing if the reservation lapses.
  await trx
    .updateTable('listings')
    .set({ sold, status: sold >= listing.quantity ? 'sold' : 'open', updated_at: now })
    .where('id', '=', listing.id)
    .execute();
  if (sold >= listing.quantity) {
    await recordEvent(trx, {
      type: 'listing.sold',
      at: now,
      assetId: listing.asset_id,
      unitId: listing.unit_id ?? undefined,
      platformId: listing.platform_id,
      facts: { listingId: listing.id, sold, quantity: listing.quantity, lastTradeId: trade.id },
    });
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
    const buyer = await actingAccount(trx, principal, input.buyerId);
    // Taken before the listing lock: the lock order is buyer's account → listing → unit.
    const staysUnpaid = !input.settle || (input.rail ?? 'balance') === 'stripe';
    if (staysUnpaid) await checkUnpaidReservations(trx, buyer.id, input.maxUnpaidReservations, now);
    const peek = await trx
      .selectFrom('listings')
      .innerJoin('editions', 'editions.id', 'listings.edition_id')
      .select(['listings.kind', 'listings.unit_id', 'editions.asset_id'])
      .where('listings.id', '=', listingId)
      .executeTakeFirst();
    // Auction listings are never locked here: only the auctions engine takes their locks.
    if (peek && !endsBySchedule(peek)) {
      throw conflict('not_buyable', `Listing ${listingId} is an ${peek.kind} auction; it is won by bidding, not bought.`);
    }
    // The work before the listing: an IP case's measures and determinations lock it first too.
    if (peek) await lockWorkForTrade(trx, peek.asset_id);
    const listing = await lockListing(trx, listingId, peek);
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
    const trade = await reserveFromListing(
      trx,
      listing,
      { buyerId: buyer.id, buyer, price: currentPrice(listing, now)!, rail: input.rail ?? 'balance' },
      now,
    );
    await onReserved?.(trx, trade);
    // A stripe-rail trade settles when Stripe's webhook says the payment succeeded, never here.
    const settle = input.settle && trade.rail === 'balance';
    if (!settle) return { ended: false, trade } as const;
    // Settled in the same transaction, so settleTrade need not read back what was just written
    // (JustReserved); it posts the journal last, just before this transaction commits.
    return {
      ended: false,
      trade: await settleTrade(trx, trade.id, now, { trade, listingOfUnit: listing.unit_id === trade.unit_id }),
    } as const;
  });
  if (outcome.ended) throw listingNotOpen({ ...outcome.listing, status: 'expired' }, now);
  return outcome.trade;
}
