import { fromHex, toHex } from '../../crypto/bytes.js';
import type { Db } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import type { Principal } from '../../http/env.js';
import { AppError, conflict, unprocessable } from '../../http/problem.js';
import { newId } from '../../ids.js';
import type { Clock } from '../../ports/clock.js';
import { quotaExceeded } from '../quotas/quota-exceeded.js';
import { acceptedOrThrow, assertMayBid, assertRunningAuction, lockAuctionForBidder, type Verdict } from './auction-guards.js';
import { commitmentOf, commitmentPreimage, sealedMinimum } from './auction-rules.js';
import { commitmentOfBidder, recordListingEvent } from './auctions.repo.js';
import { moveBidHolds } from './bid-holds.js';
import { auctionDue, closeLockedAuction } from './closing.service.js';

export interface CommitResult {
  commitment: Row<'sealed_bids'>;
  /** The id of the commitment this one replaced, if the bidder had committed before. */
  replaces: string | null;
  /** False when the same commitment was sent again: nothing changed. */
  changed: boolean;
}

/**
 * Commits a sealed bid before the deadline (`ends_at`). One commitment per bidder: committing
 * again before the deadline replaces the earlier one (a new id and commit time, so the
 * replacement ranks as a new commitment in tie-breaks); sending the identical commitment again
 * changes nothing. The commitment is public at once; the amount stays secret until the reveal.
 *
 * The first commitment puts up the listing's `bid_deposit` (if it asks for one) from the bidder's
 * balance onto its hold (409 `insufficient_funds` if the balance is too low); the closing gives it
 * back after a reveal, or gives it to the seller if the commitment was never revealed. Each
 * commitment is a permanent log leaf, so a bidder may make at most `maxCommitments` on a listing
 * (429 `quota_exceeded`), counted on the bidder's row under the listing lock.
 */
export async function commitSealedBid(
  db: Db,
  principal: Principal,
  listingId: string,
  input: { bidderId: string; commitment: string },
  clock: Clock,
  maxCommitments: number,
): Promise<CommitResult> {
  const verdict = await db.transaction().execute(async (trx): Promise<Verdict<CommitResult>> => {
    const { bidder, listing, now } = await lockAuctionForBidder(trx, principal, listingId, input.bidderId, clock);
    if (listing.kind === 'sealed' && auctionDue(listing, now)) {
      await closeLockedAuction(trx, listing, now);
      return { refused: commitOver(listing) };
    }
    assertRunningAuction(listing, 'sealed', now);
    if (now >= listing.ends_at!) throw commitOver(listing);
    await assertMayBid(trx, listing, bidder);

    const bytes = fromHex(input.commitment);
    const earlier = await commitmentOfBidder(trx, listing.id, bidder.id);
    if (earlier && toHex(earlier.commitment) === input.commitment) {
      return { ok: { commitment: earlier, replaces: null, changed: false } };
    }
    if (earlier && earlier.commitments >= maxCommitments) {
      throw quotaExceeded(
        'commitments_per_listing',
        maxCommitments,
        `Account ${bidder.id} has made the most commitments allowed on listing ${listing.id} (${maxCommitments}).`,
      );
    }
    if (!earlier && listing.bid_deposit !== null) {
      await moveBidHolds(
        trx,
        listing,
        [{ bidderId: bidder.id, amount: listing.bid_deposit }],
        `Deposit of a sealed bid on listing ${listing.id}`,
        now,
      );
    }
    const id = newId('bid');
    const commitment = earlier
      ? await trx
          .updateTable('sealed_bids')
          .set({ id, commitment: bytes, committed_at: now, commitments: earlier.commitments + 1 })
          .where('id', '=', earlier.id)
          .returningAll()
          .executeTakeFirstOrThrow()
      : await trx
          .insertInto('sealed_bids')
          .values({ id, listing_id: listing.id, bidder_id: bidder.id, commitment: bytes, committed_at: now })
          .returningAll()
          .executeTakeFirstOrThrow();
    await recordListingEvent(trx, listing, {
      type: 'sealed_bid.committed',
      at: now,
      // The commitment only: the amount is not known to anyone but the bidder until the reveal.
      facts: {
        listingId: listing.id,
        commitmentId: id,
        bidderId: bidder.id,
        commitment: input.commitment,
        replaces: earlier?.id ?? null,
        deposit: !earlier && listing.bid_deposit !== null ? Number(listing.bid_deposit) : undefined,
      },
    });
    return { ok: { commitment, replaces: earlier?.id ?? null, changed: true } };
  });
  return acceptedOrThrow(verdict);
}

function commitOver(listing: { id: string; ends_at: Date | null; reveal_ends_at: Date | null }) {
  return conflict('commit_phase_over', `Commitments to listing ${listing.id} closed at ${listing.ends_at!.toISOString()}.`, {
    endsAt: listing.ends_at!.toISOString(),
    revealEndsAt: listing.reveal_ends_at!.toISOString(),
  });
}

/**
 * Reveals a sealed bid between the commit deadline (`ends_at`) and `reveal_ends_at`. The amount
 * and salt must hash to the bidder's commitment (see auction-rules.ts for the exact preimage) and
 * the amount must reach the reserve. A refused reveal changes nothing: the bidder may try again
 * until the reveal phase ends; a commitment still unrevealed then forfeits. Revealing the same
 * amount and salt twice is harmless.
 */
export async function revealSealedBid(
  db: Db,
  principal: Principal,
  listingId: string,
  input: { bidderId: string; amount: number; salt: string },
  clock: Clock,
): Promise<Row<'sealed_bids'>> {
  const verdict = await db.transaction().execute(async (trx): Promise<Verdict<Row<'sealed_bids'>>> => {
    const { bidder, listing, now } = await lockAuctionForBidder(trx, principal, listingId, input.bidderId, clock);
    if (listing.kind === 'sealed' && auctionDue(listing, now)) {
      await closeLockedAuction(trx, listing, now);
      return { refused: revealOver(listing.id, listing.reveal_ends_at!) };
    }
    if (listing.kind === 'sealed' && listing.status !== 'open' && listing.status !== 'cancelled') {
      throw revealOver(listing.id, listing.reveal_ends_at!);
    }
    assertRunningAuction(listing, 'sealed', now);
    if (now < listing.ends_at!) {
      throw conflict('reveal_phase_not_open', `Reveals of listing ${listing.id} open at ${listing.ends_at!.toISOString()}.`, {
        revealStartsAt: listing.ends_at!.toISOString(),
        revealEndsAt: listing.reveal_ends_at!.toISOString(),
      });
    }

    const sealed = await commitmentOfBidder(trx, listing.id, bidder.id);
    if (!sealed) {
      throw new AppError(404, 'no_commitment', `Account ${bidder.id} made no commitment to listing ${listing.id}.`);
    }
    const amount = BigInt(input.amount);
    if (sealed.revealed_at) {
      if (sealed.amount === amount && sealed.salt === input.salt) return { ok: sealed };
      throw conflict('already_revealed', `The commitment ${sealed.id} was already revealed.`);
    }
    const computed = await commitmentOf(amount, input.salt);
    const committed = toHex(sealed.commitment);
    if (computed !== committed) {
      throw unprocessable(
        'reveal_mismatch',
        `SHA-256 of the preimage "${commitmentPreimage(amount, '')}<salt>" does not equal the commitment ${committed}.`,
        { commitment: committed, computed },
      );
    }
    const minimum = sealedMinimum(listing);
    if (amount < minimum) {
      throw unprocessable('bid_below_reserve', `A sealed bid must be at least ${minimum} (${listing.currency} minor units).`, {
        minimumAmount: Number(minimum),
      });
    }
    const revealed = await trx
      .updateTable('sealed_bids')
      .set({ amount, salt: input.salt, revealed_at: now })
      .where('id', '=', sealed.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordListingEvent(trx, listing, {
      type: 'sealed_bid.revealed',
      at: now,
      facts: {
        listingId: listing.id,
        commitmentId: sealed.id,
        bidderId: bidder.id,
        commitment: committed,
        amount: Number(amount),
        salt: input.salt,
        currency: listing.currency,
      },
    });
    return { ok: revealed };
  });
  return acceptedOrThrow(verdict);
}

function revealOver(listingId: string, revealEndsAt: Date) {
  return conflict('reveal_phase_over', `Reveals of listing ${listingId} closed at ${revealEndsAt.toISOString()}.`, {
    revealEndsAt: revealEndsAt.toISOString(),
  });
}
