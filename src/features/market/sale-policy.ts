import type { AcquiredVia, ListingKind } from '../../db/schema.js';
import { unprocessable } from '../../http/problem.js';
import { type Party, partyRefusal, type Refusal, type TransferPolicy } from '../editions/policy.js';

export interface SaleFacts {
  policy: TransferPolicy;
  licenceTransferable: boolean;
  /** How the unit is sold: a listing of this kind, or an accepted offer. */
  via: ListingKind | 'offer';
  /** See `isResale`. */
  resale: boolean;
  /** The unit being sold, when there is one yet (a primary sale may mint it at purchase). */
  unit?: { acquired_via: AcquiredVia; acquired_at: Date };
  /** Changes of owner of the unit (not mints) in the 24 hours before now. */
  transfersInLastDay?: number;
  /** Absent when an offer is made: the owner is checked when it accepts. */
  seller?: Party;
  /** Absent when listing: buyers are checked when they buy. */
  buyer?: Party;
  now: Date;
}

/**
 * A sale is a resale unless the work's rights holder sells a unit that has never left it (it was
 * minted to them): the issuer's first sale is the primary market, everything after it secondary.
 */
export function isResale(sellerId: string, rightsHolderId: string, unit: { acquired_via: AcquiredVia } | undefined): boolean {
  return !(sellerId === rightsHolderId && (unit === undefined || unit.acquired_via === 'mint'));
}

/**
 * The first rule that refuses a sale, in a fixed order, or null when every rule allows it. The
 * same edition policy as gifts (editions/policy.ts): the licence, auctions (English, Dutch and
 * sealed-bid are all auctions; the mainland preset forbids them with continuous matching),
 * resale and its holding time, the daily limit of changes of owner, and real name and age of
 * each side.
 */
export function saleRefusal(f: SaleFacts): Refusal | null {
  if (!f.licenceTransferable) return { rule: 'licence_not_transferable', detail: "The work's licence does not allow transfers." };
  if (f.via !== 'fixed' && f.via !== 'offer' && !f.policy.auctionsAllowed) {
    return { rule: 'auctions_not_allowed', detail: `This edition's policy does not allow auctions (${f.via}).` };
  }
  if (f.resale && !f.policy.resaleAllowed) {
    return { rule: 'resale_not_allowed', detail: "This edition's policy does not allow resale." };
  }
  if (f.resale && f.unit) {
    const fromGift = f.unit.acquired_via === 'gift' && f.policy.recipientHoldSeconds > f.policy.resaleHoldSeconds;
    const hold = fromGift ? f.policy.recipientHoldSeconds : f.policy.resaleHoldSeconds;
    const allowedAt = new Date(f.unit.acquired_at.getTime() + hold * 1000);
    if (f.now < allowedAt) {
      return {
        rule: fromGift ? 'recipient_holding_time' : 'resale_holding_time',
        detail: `A unit ${fromGift ? 'received as a gift' : 'acquired'} must be held ${hold} seconds before it is sold.`,
        allowedAt: allowedAt.toISOString(),
      };
    }
  }
  if (f.policy.transfersPerDay !== null && (f.transfersInLastDay ?? 0) >= f.policy.transfersPerDay) {
    return {
      rule: 'daily_transfer_limit',
      detail: `This unit may change owner at most ${f.policy.transfersPerDay} times in 24 hours.`,
    };
  }
  return (
    (f.seller ? partyRefusal(f.policy, f.seller, 'seller') : null) ?? (f.buyer ? partyRefusal(f.policy, f.buyer, 'buyer') : null)
  );
}

/** Refuses a sale whose fee and royalty would together take more than the whole price. */
export function checkFees(feeBps: number, royaltyBps: number) {
  if (feeBps + royaltyBps > 10000) {
    throw unprocessable(
      'fees_exceed_price',
      `The platform fee (${feeBps} bps) and the royalty (${royaltyBps} bps) together exceed the price.`,
      { feeBps, royaltyBps },
    );
  }
}
