import type { Trx } from '../../db/database.js';
import type { Deps } from '../../deps.js';
import type { Principal } from '../../http/env.js';
import { AppError } from '../../http/problem.js';
import { newId } from '../../ids.js';
import { sendBidActions } from '../stripe/bid-authorisations.service.js';
import { openPaymentIntent, type PaymentView, requestKeyOf } from '../stripe/checkout.service.js';
import { findPaymentByRequestKey, insertPayment, type PaymentRow, updatePayment } from '../stripe/payments.repo.js';
import { requirePayments } from '../stripe/webhook.service.js';
import { acceptedOrThrow, assertMayBid, assertRunningAuction, lockAuctionForBidder, type Verdict } from './auction-guards.js';
import { type Listing, lockListing, recordListingEvent } from './auctions.repo.js';
import { acceptBid, assertBidReaches } from './bid-acceptance.js';
import { refuseCardBid } from './card-bid-actions.js';
import { auctionDue, closeLockedAuction } from './closing.service.js';

type CardBidDeps = Pick<Deps, 'db' | 'clock' | 'payments' | 'log' | 'requestTransaction'>;

export interface PendingCardBid {
  payment: PaymentRow;
  view: PaymentView;
}

/**
 * A bid on the stripe rail (`rail: "stripe"`): the same checks as a balance bid, then a
 * `stripe_payments` row of purpose `bid` in the listing's lock, and after commit a PaymentIntent
 * with manual capture for the bid amount. The bid does not count yet: it becomes an accepted bid
 * when Stripe reports the authorisation (`countAuthorisedBid`, from the webhook), if it still
 * reaches the minimum then. A bidder's newer card bid on the listing replaces its older one still
 * waiting for Stripe (that authorisation is cancelled), so pending bids stay bounded. A retry with
 * the same Idempotency-Key finds the same row and the same PaymentIntent.
 */
export async function placeCardBid(
  deps: CardBidDeps,
  principal: Principal,
  listingId: string,
  input: { bidderId: string; amount: number },
  idempotencyKey: string | undefined,
): Promise<PendingCardBid> {
  requirePayments(deps);
  const requestKey = requestKeyOf(principal, idempotencyKey);
  let payment = requestKey ? await findPaymentByRequestKey(deps.db, requestKey) : undefined;
  if (!payment) {
    const verdict = await deps.db.transaction().execute(async (trx): Promise<Verdict<PaymentRow>> => {
      const { bidder, listing, now } = await lockAuctionForBidder(trx, principal, listingId, input.bidderId, deps.clock);
      if (listing.kind === 'english' && auctionDue(listing, now)) {
        await closeLockedAuction(trx, listing, now);
        return { refused: new AppError(409, 'auction_ended', `The auction of listing ${listing.id} has ended.`) };
      }
      assertRunningAuction(listing, 'english', now);
      await assertMayBid(trx, listing, bidder);
      const amount = BigInt(input.amount);
      await assertBidReaches(trx, listing, amount);
      const waiting = await trx
        .selectFrom('stripe_payments')
        .select('id')
        .where('listing_id', '=', listing.id)
        .where('holder', '=', bidder.id)
        .where('bid_id', 'is', null)
        .where('bid_action', 'is', null)
        .execute();
      for (const w of waiting) await refuseCardBid(trx, w.id, 'replaced', now);
      const row = await insertPayment(
        trx,
        {
          id: newId('stp'),
          purpose: 'bid',
          listingId: listing.id,
          holder: bidder.id,
          currency: listing.currency,
          amount,
          requestKey,
        },
        now,
      );
      return { ok: row };
    });
    payment = acceptedOrThrow(verdict);
  }
  const view = await openPaymentIntent(deps, payment);
  // Cancels decided before the intent existed (a replacement, or the auction ended meanwhile).
  await sendBidActions(deps, { listingId: payment.listing_id! });
  return { payment, view };
}

/**
 * Called from the webhook's transaction with the listing and then the payment row locked, after
 * Stripe's fact was recorded: a card bid Stripe has authorised counts now if it still reaches the
 * minimum and the auction still runs; otherwise it is refused for good and its authorisation
 * cancelled. Decided once (`bid_id` or `bid_refused`), so repeated or late events change nothing.
 * A card bid Stripe cancelled before it counted never counts.
 */
export async function countAuthorisedBid(trx: Trx, p: PaymentRow, now: Date): Promise<void> {
  if (p.bid_id || p.bid_refused || p.bid_action) return;
  if (p.canceled_at) {
    await trx
      .updateTable('stripe_payments')
      .set({ bid_refused: 'payment_canceled', updated_at: now })
      .where('id', '=', p.id)
      .execute();
    return;
  }
  if (!p.authorized_at) return;
  const listing = (await lockListing(trx, p.listing_id!))!;
  if (listing.kind === 'english' && auctionDue(listing, now)) {
    // Ended while Stripe was authorising: the close cancels this authorisation with the others.
    await closeLockedAuction(trx, listing, now);
    return;
  }
  const reason = await refusalOf(trx, listing, p, now);
  if (reason) {
    await refuseCardBid(trx, p.id, reason, now);
    await recordListingEvent(trx, listing, {
      type: 'bid.refused',
      at: now,
      facts: {
        listingId: listing.id,
        paymentId: p.id,
        bidderId: p.holder,
        amount: Number(p.amount),
        currency: p.currency,
        reason,
      },
    });
    return;
  }
  const { bid } = await acceptBid(trx, listing, { bidderId: p.holder, amount: p.amount, rail: 'stripe', paymentId: p.id }, now);
  await updatePayment(trx, p.id, { bid_id: bid.id }, now);
}

/** Why an authorised card bid cannot count now: the checks a bid request makes, judged at the authorisation. */
async function refusalOf(trx: Trx, listing: Listing, p: PaymentRow, now: Date) {
  try {
    assertRunningAuction(listing, 'english', now);
    const bidder = await trx.selectFrom('accounts').selectAll().where('id', '=', p.holder).executeTakeFirstOrThrow();
    await assertMayBid(trx, listing, bidder);
    await assertBidReaches(trx, listing, p.amount);
    return null;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    if (err.code === 'bid_too_low') return 'bid_too_low' as const;
    if (err.code === 'auction_ended' || err.code === 'auction_not_open') return 'auction_ended' as const;
    return 'bidder_refused' as const;
  }
}
