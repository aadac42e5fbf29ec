import type { Db, Queryable } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import type { Principal } from '../../http/env.js';
import { conflict, notFound } from '../../http/problem.js';
import { iso } from '../../http/schemas.js';
import { actingAccount, mayActFor } from '../parties/access.js';
import { releaseTrade } from './trade-release.service.js';
import { findTrade } from './trades.repo.js';
import { settleTrade } from './trades.service.js';

export function presentTrade(t: Row<'trades'>) {
  return {
    id: t.id,
    listingId: t.listing_id,
    offerId: t.offer_id,
    unitId: t.unit_id,
    sellerId: t.seller_id,
    buyerId: t.buyer_id,
    platformId: t.platform_id,
    currency: t.currency,
    price: Number(t.price),
    feeBps: t.fee_bps,
    royaltyBps: t.royalty_bps,
    rail: t.rail,
    status: t.status,
    reservedUntil: t.reserved_until.toISOString(),
    journalId: t.journal_id,
    createdAt: t.created_at.toISOString(),
    settledAt: iso(t.settled_at),
    releasedAt: iso(t.released_at),
    releaseReason: t.release_reason,
  };
}

/** A trade as its buyer, its seller, their platforms, the fee-earning platform, officials and the operator see it. */
export async function visibleTrade(db: Queryable, principal: Principal, id: string): Promise<Row<'trades'>> {
  const trade = await findTrade(db, id);
  if (!trade) throw notFound('trade', id);
  if (principal.kind === 'operator' || principal.kind === 'official') return trade;
  if (principal.kind === 'platform' && principal.id === trade.platform_id) return trade;
  const parties = await db
    .selectFrom('accounts')
    .select(['id', 'platform_id'])
    .where('id', 'in', [trade.buyer_id, trade.seller_id])
    .execute();
  if (parties.some((a) => mayActFor(principal, a))) return trade;
  throw notFound('trade', id);
}

/** The buyer's actor, and the trade locked; anyone else sees a 404. */
async function buyersTrade(trx: Parameters<typeof settleTrade>[0], principal: Principal, id: string) {
  const trade = await trx.selectFrom('trades').selectAll().where('id', '=', id).forNoKeyUpdate().executeTakeFirst();
  if (!trade) throw notFound('trade', id);
  await actingAccount(trx, principal, trade.buyer_id).catch(() => {
    throw notFound('trade', id);
  });
  return trade;
}

function released(t: Row<'trades'>) {
  return t.release_reason === 'reservation_expired'
    ? conflict('reservation_expired', `The reservation of trade ${t.id} lapsed at ${t.reserved_until.toISOString()}.`)
    : conflict('trade_released', `Trade ${t.id} was released (${t.release_reason}).`, { reason: t.release_reason });
}

/**
 * The buyer settles a reservation from its balance. A reservation past its time is released
 * here if the schedule has not done it yet (that commits), and the settle is refused.
 */
export async function settleReservation(db: Db, principal: Principal, id: string, now: Date): Promise<Row<'trades'>> {
  const outcome = await db.transaction().execute(async (trx) => {
    const trade = await buyersTrade(trx, principal, id);
    if (trade.status === 'released') throw released(trade);
    // A card payment settles a stripe-rail trade through Stripe's webhook, never the balance.
    if (trade.rail === 'stripe' && trade.status === 'reserved') {
      throw conflict('paid_by_card', `Trade ${id} is paid through Stripe; it settles when the payment succeeds.`);
    }
    if (trade.status === 'reserved' && trade.reserved_until <= now) {
      return { lapsed: true, trade: (await releaseTrade(trx, id, 'reservation_expired', now))! } as const;
    }
    return { lapsed: false, trade: await settleTrade(trx, id, now) } as const;
  });
  if (outcome.lapsed) throw released(outcome.trade);
  return outcome.trade;
}

/** The buyer lets an unsettled reservation go. */
export async function cancelReservation(db: Db, principal: Principal, id: string, now: Date): Promise<Row<'trades'>> {
  return db.transaction().execute(async (trx) => {
    const trade = await buyersTrade(trx, principal, id);
    if (trade.status === 'settled') throw conflict('trade_settled', `Trade ${id} is settled; it can no longer be cancelled.`);
    if (trade.status === 'released') throw released(trade);
    return (await releaseTrade(trx, id, 'cancelled_by_buyer', now))!;
  });
}
