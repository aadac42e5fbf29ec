/**
 * The price of a Dutch auction at `now`. It falls linearly from `startPrice` at `startsAt` to
 * `floorPrice` at `endsAt`, measured in milliseconds and computed in integers:
 *
 *   drop  = floor((startPrice − floorPrice) × elapsedMs / durationMs)
 *   price = startPrice − drop
 *
 * so the price is always a whole number of minor units, never below the exact line by a full
 * unit (rounding favours the seller by less than one minor unit), `startPrice` before the start
 * and `floorPrice` from the end on. Every server computes the same price for the same instant.
 */
export function dutchPrice(a: { startPrice: bigint; floorPrice: bigint; startsAt: Date; endsAt: Date }, now: Date): bigint {
  const duration = BigInt(a.endsAt.getTime() - a.startsAt.getTime());
  const elapsed = BigInt(now.getTime() - a.startsAt.getTime());
  if (elapsed >= duration) return a.floorPrice;
  if (elapsed <= 0n) return a.startPrice;
  // BigInt division truncates toward zero; both factors are non-negative here, so it is floor.
  return a.startPrice - ((a.startPrice - a.floorPrice) * elapsed) / duration;
}
