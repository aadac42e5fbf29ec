import { sha256, toHex } from '../../crypto/bytes.js';

/**
 * The sealed-bid commitment scheme, in one place so the service, the verification view and
 * anyone re-checking an outcome use the same definition:
 *
 *   commitment = lowercase hex of SHA-256( UTF-8( "<amount>:<salt>" ) )
 *
 * `<amount>` is the bid in minor units of the listing's currency, written in base 10 with no sign,
 * no leading zeros, no separators and no exponent (what `String(12500)` gives: "12500").
 * `<salt>` is 16–128 characters of [A-Za-z0-9_-] chosen by the bidder (at least 16 random
 * characters, so the amount cannot be found by trying every plausible value). Example:
 * amount 12500, salt "k3P9xQ2mZ7vB1nW4" → preimage "12500:k3P9xQ2mZ7vB1nW4".
 */
export const SALT_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;
export const COMMITMENT_PATTERN = /^[0-9a-f]{64}$/;

export function commitmentPreimage(amount: bigint | number, salt: string): string {
  return `${BigInt(amount).toString(10)}:${salt}`;
}

export async function commitmentOf(amount: bigint | number, salt: string): Promise<string> {
  return toHex(await sha256(commitmentPreimage(amount, salt)));
}

export interface SealedEntry {
  id: string;
  bidderId: string;
  committedAt: Date;
  /** Present only when the bidder revealed a preimage that hashes to the commitment. */
  amount: bigint | null;
}

/**
 * The winning sealed bid: the highest revealed amount that is at least `minimum`; ties go to
 * the earliest commitment (committedAt, then id). Unrevealed commitments forfeit. Pure, so the
 * closing code and the public verification view cannot disagree.
 */
export function sealedWinner<T extends SealedEntry>(entries: readonly T[], minimum: bigint): T | null {
  let best: T | null = null;
  for (const e of entries) {
    if (e.amount === null || e.amount < minimum) continue;
    if (
      best === null ||
      e.amount > best.amount! ||
      (e.amount === best.amount &&
        (e.committedAt < best.committedAt || (e.committedAt.getTime() === best.committedAt.getTime() && e.id < best.id)))
    ) {
      best = e;
    }
  }
  return best;
}

/** The least amount a sealed bid must reveal: the reserve, or the start price, or one minor unit. */
export function sealedMinimum(listing: { reserve_price: bigint | null; start_price: bigint | null }): bigint {
  let min = 1n;
  if (listing.start_price !== null && listing.start_price > min) min = listing.start_price;
  if (listing.reserve_price !== null && listing.reserve_price > min) min = listing.reserve_price;
  return min;
}

/** The least acceptable English bid: the start price, then the highest bid plus the increment. */
export function englishMinimum(
  listing: { start_price: bigint | null; min_increment: bigint | null },
  highest: bigint | null,
): bigint {
  if (highest === null) return listing.start_price ?? 1n;
  return highest + (listing.min_increment ?? 1n);
}

/**
 * Anti-sniping: a bid that lands within the last `antiSnipeSeconds` moves the end to
 * now + antiSnipeSeconds, so others always have that long to answer. Returns the end after the bid.
 */
export function endAfterBid(endsAt: Date, now: Date, antiSnipeSeconds: number | null): Date {
  const window = (antiSnipeSeconds ?? 0) * 1000;
  if (window <= 0 || endsAt.getTime() - now.getTime() > window) return endsAt;
  return new Date(now.getTime() + window);
}
