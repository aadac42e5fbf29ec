import { sql } from 'kysely';
import type { Db, Trx } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import { AppError } from '../../http/problem.js';
import { workTradeRefusal } from '../cases/work-gate.js';
import { recordEvent } from '../events/events.repo.js';
import { bidHoldOf, spendableOf } from '../ledger/ledger.repo.js';
import { takeUnsoldUnit } from '../market/primary-units.js';
import { reserveTrade, settleTrade } from '../market/trades.service.js';
import { editionOf, findListing, type Listing, lockListing } from './auctions.repo.js';
import { cancelCardBidsAtClose, captureWinningCardBid, cardBidOf } from './card-bid-actions.js';
import { decideWinner, settleBidHolds } from './closing-decision.js';

export type CloseOutcome =
  | { result: 'not_due' }
  /** The unit is held by another live reservation; the next run tries again. */
  | { result: 'deferred'; reason: 'unit_reserved' | 'work_under_case' }
  | { result: 'closed'; tradeId: string; winnerId: string; amount: bigint; settled: boolean }
  | {
      result: 'expired';
      reason: 'no_bids' | 'reserve_not_met' | 'no_valid_reveal' | 'no_bidder_paid' | 'unit_unavailable' | 'work_revoked';
    };

/** Ended and not yet closed: an English auction after its (possibly extended) end, a sealed one after its reveal phase. */
export function auctionDue(listing: Listing, now: Date): boolean {
  if (listing.status !== 'open') return false;
  if (listing.kind === 'english') return listing.ends_at !== null && listing.ends_at <= now;
  if (listing.kind === 'sealed') return listing.reveal_ends_at !== null && listing.reveal_ends_at <= now;
  return false;
}

/**
 * Refusals of `settleTrade` that leave the winner's reservation standing: the winner then pays
 * with `POST /v1/trades/{id}/settle` before the reservation lapses. `insufficient_funds` comes
 * from the journal, which settleTrade posts last, so the call runs in a savepoint.
 */
const SETTLE_LATER = new Set(['insufficient_funds', 'unit_frozen']);

/**
 * Closes one auction whose listing row the caller has locked (`lockListing`). Idempotent: a
 * listing that is no longer open, or not yet due, is left as it is.
 *
 * A winner at or above the reserve gets the unit reserved at the winning amount on the balance
 * rail, and the trade settles at once from the winner's hold and balance when they cover it;
 * everyone else's hold is given back (an unrevealed commitment's deposit goes to the seller).
 * A winning card bid is reserved on the stripe rail and its authorisation marked for capture; every
 * other card authorisation is marked for cancelling (both sent after commit).
 * Otherwise the listing expires and the unit stays with the seller. When a winner's reservation
 * is released unpaid, the listing is open again past its end and this runs again: the next valid
 * bid inherits the sale.
 */
export async function closeLockedAuction(trx: Trx, listing: Listing, now: Date): Promise<CloseOutcome> {
  if (!auctionDue(listing, now)) return { result: 'not_due' };
  const edition = await editionOf(trx, listing.edition_id);
  const d = await decideWinner(trx, listing);
  const { winner, facts } = d;

  const expire = async (reason: Extract<CloseOutcome, { result: 'expired' }>['reason']): Promise<CloseOutcome> => {
    await settleBidHolds(trx, listing, d, null, now);
    await cancelCardBidsAtClose(trx, listing.id, null, now);
    await trx.updateTable('listings').set({ status: 'expired', updated_at: now }).where('id', '=', listing.id).execute();
    await recordEvent(trx, {
      type: 'listing.expired',
      at: now,
      assetId: edition.assetId,
      unitId: listing.unit_id ?? undefined,
      platformId: listing.platform_id,
      facts: { listingId: listing.id, kind: listing.kind, reason, ...facts },
    });
    return { result: 'expired', reason };
  };
  if (!winner) return expire(d.noWinner);
  // An IP case: a revoked work is never sold (the bidders' holds go back); a work whose trading a
  // case has suspended waits for the decision (features/cases).
  const gate = await workTradeRefusal(trx, edition.assetId);
  if (gate === 'work_revoked') return expire('work_revoked');
  if (gate === 'work_under_case') return { result: 'deferred', reason: 'work_under_case' };

  const unit = await auctionedUnit(trx, listing, now);
  if (!unit) return expire('unit_unavailable');
  const live = await trx
    .selectFrom('trades')
    .select('id')
    .where('unit_id', '=', unit.id)
    .where('status', '=', 'reserved')
    .executeTakeFirst();
  if (live) return { result: 'deferred', reason: 'unit_reserved' };

  await settleBidHolds(trx, listing, d, winner.bidderId, now);
  // A winning card bid whose authorisation still stands pays by capturing it (the trade settles on
  // the stripe rail when Stripe reports the capture); any other winner pays from its balance.
  const card = listing.kind === 'english' ? await cardBidOf(trx, winner.bidId) : undefined;
  const onCard = card && card.bid_action === null && card.canceled_at === null ? card : undefined;
  await cancelCardBidsAtClose(trx, listing.id, onCard?.id ?? null, now);
  await trx
    .updateTable('listings')
    .set({ status: 'closed', sold: listing.sold + 1, updated_at: now })
    .where('id', '=', listing.id)
    .execute();
  const trade = await reserveTrade(
    trx,
    {
      unitId: unit.id,
      sellerId: listing.seller_id,
      buyerId: winner.bidderId,
      platformId: listing.platform_id,
      currency: listing.currency,
      price: winner.amount,
      rail: onCard ? 'stripe' : 'balance',
      listingId: listing.id,
    },
    now,
  );
  if (onCard) await captureWinningCardBid(trx, onCard.id, trade.id, now);
  await recordEvent(trx, {
    type: 'listing.closed',
    at: now,
    assetId: edition.assetId,
    unitId: unit.id,
    platformId: listing.platform_id,
    facts: {
      listingId: listing.id,
      kind: listing.kind,
      winnerId: winner.bidderId,
      amount: Number(winner.amount),
      currency: listing.currency,
      [listing.kind === 'english' ? 'bidId' : 'commitmentId']: winner.bidId,
      tradeId: trade.id,
      rail: trade.rail,
      ...facts,
    },
  });

  let settled = false;
  const funds =
    (await spendableOf(trx, winner.bidderId, listing.currency)) +
    (await spendableOf(trx, bidHoldOf(listing.id, winner.bidderId), listing.currency));
  if (!onCard && !unit.frozen && funds >= winner.amount) {
    // settleTrade posts its journal last, so a refusal for funds comes after its other writes:
    // the savepoint undoes them and the reservation stands.
    await sql`savepoint settle_winner`.execute(trx);
    try {
      await settleTrade(trx, trade.id, now);
      await sql`release savepoint settle_winner`.execute(trx);
      settled = true;
    } catch (err) {
      // A concurrent debit of the winner's balance between our read and settleTrade's lock.
      if (!(err instanceof AppError && SETTLE_LATER.has(err.code))) throw err;
      await sql`rollback to savepoint settle_winner`.execute(trx);
    }
  }
  return { result: 'closed', tradeId: trade.id, winnerId: winner.bidderId, amount: winner.amount, settled };
}

/**
 * The unit an auction sells, locked: the listed unit while the seller still owns it; for a
 * primary listing, an unsold unit of the edition taken (or minted) the way a primary purchase
 * takes one (`takeUnsoldUnit`, under the edition's lock). Undefined when there is none. Lock
 * order for auctions is listing → edition → unit (see market/listing-state.ts).
 */
async function auctionedUnit(trx: Trx, listing: Listing, now: Date): Promise<Row<'units'> | undefined> {
  if (listing.unit_id) {
    const unit = await trx.selectFrom('units').selectAll().where('id', '=', listing.unit_id).forNoKeyUpdate().executeTakeFirst();
    return unit && unit.owner_id === listing.seller_id ? unit : undefined;
  }
  const edition = await trx
    .selectFrom('editions')
    .select(['id', 'asset_id', 'size'])
    .where('id', '=', listing.edition_id)
    .forNoKeyUpdate()
    .executeTakeFirstOrThrow();
  const unit = await takeUnsoldUnit(trx, edition, { id: listing.seller_id, platform_id: listing.platform_id }, now);
  return unit ?? undefined;
}

/**
 * Lazily closes one auction if it is due: called when an auction is read or bid on after its end,
 * so the outcome never waits for the scheduler. Waits for (rather than skips) a concurrent closer,
 * then finds the listing already closed.
 */
export async function closeAuctionIfDue(db: Db, listingId: string, now: Date): Promise<CloseOutcome> {
  const peek = await findListing(db, listingId);
  if (!peek || !auctionDue(peek, now)) return { result: 'not_due' };
  return db.transaction().execute(async (trx) => {
    const listing = await lockListing(trx, listingId);
    return listing ? closeLockedAuction(trx, listing, now) : { result: 'not_due' as const };
  });
}

/**
 * Scheduled: closes every auction that has ended. One short transaction per listing, picked
 * with FOR UPDATE SKIP LOCKED, so several runners share the work and a listing being bid on or
 * closed elsewhere is simply left to that runner. Returns how many listings it closed or expired.
 */
export async function closeDueAuctions(db: Db, now: Date, max = 500): Promise<number> {
  const passed: string[] = [];
  let done = 0;
  while (passed.length < max) {
    const step = await db.transaction().execute(async (trx) => {
      let q = trx
        .selectFrom('listings')
        .selectAll()
        .where('status', '=', 'open')
        .where((eb) =>
          eb.or([
            eb.and([eb('kind', '=', 'english'), eb('ends_at', '<=', now)]),
            eb.and([eb('kind', '=', 'sealed'), eb('reveal_ends_at', '<=', now)]),
          ]),
        );
      if (passed.length > 0) q = q.where('id', 'not in', passed);
      const listing = await q.orderBy('id').limit(1).forUpdate().skipLocked().executeTakeFirst();
      if (!listing) return null;
      return { id: listing.id, outcome: await closeLockedAuction(trx, listing, now) };
    });
    if (!step) break;
    passed.push(step.id);
    if (step.outcome.result === 'closed' || step.outcome.result === 'expired') done++;
  }
  return done;
}
