/**
 * Prices with how many trades were at each, sorted: a group of the board's statistics (one
 * currency and category on one UTC day), and the figures of any union of such groups. Exact
 * integers throughout (bigint), the same figures the board has always published:
 *
 *   mean   = floor((2·volume + count) / (2·count))           volume / count, rounded half up
 *   median = the middle price; for an even count floor((lo + hi + 1) / 2), the mean of the two
 *            middle prices rounded half up. lo and hi are the prices ranked (n+1)/2 and n/2+1
 *            (integer division), the same trade when n is odd.
 *
 * Prices are positive, so "half up" is also "half away from zero".
 */
export class PriceDistribution {
  /** Distinct prices, ascending. */
  readonly prices: BigInt64Array;
  /** running[i] = trades at prices[0..i]. */
  readonly running: Float64Array;
  readonly count: number;
  readonly volume: bigint;

  /** `counts` maps a price to its trades; prices whose count is not positive are left out. */
  constructor(counts: Map<bigint, number>) {
    const kept = [...counts.entries()].filter(([, n]) => n > 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    this.prices = BigInt64Array.from(kept.map(([p]) => p));
    this.running = new Float64Array(kept.length);
    let count = 0;
    let volume = 0n;
    kept.forEach(([p, n], i) => {
      count += n;
      volume += p * BigInt(n);
      this.running[i] = count;
    });
    this.count = count;
    this.volume = volume;
  }

  /** Trades at or below `price`. */
  countUpTo(price: bigint): number {
    let lo = 0;
    let hi = this.prices.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.prices[mid]! <= price) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? 0 : this.running[lo - 1]!;
  }
}

/** The price ranked `rank` (1-based) among all trades of `parts`: the lowest price with that many trades at or below it. */
function ranked(parts: PriceDistribution[], rank: number, min: bigint, max: bigint): bigint {
  let lo = min;
  let hi = max;
  while (lo < hi) {
    const mid = (lo + hi) / 2n;
    let n = 0;
    for (const d of parts) n += d.countUpTo(mid);
    if (n >= rank) hi = mid;
    else lo = mid + 1n;
  }
  return lo;
}

/** Count, volume, mean, median, min and max of the trades of `parts` together; null when there are none. */
export function figures(parts: PriceDistribution[]) {
  const some = parts.filter((d) => d.count > 0);
  if (!some.length) return null;
  const count = some.reduce((s, d) => s + d.count, 0);
  const volume = some.reduce((s, d) => s + d.volume, 0n);
  let min = some[0]!.prices[0]!;
  let max = some[0]!.prices[some[0]!.prices.length - 1]!;
  for (const d of some) {
    if (d.prices[0]! < min) min = d.prices[0]!;
    if (d.prices[d.prices.length - 1]! > max) max = d.prices[d.prices.length - 1]!;
  }
  const n = BigInt(count);
  const lo = ranked(some, Math.floor((count + 1) / 2), min, max);
  const hi = count % 2 ? lo : ranked(some, count / 2 + 1, min, max);
  return {
    count,
    volume: Number(volume),
    mean: Number((2n * volume + n) / (2n * n)),
    median: Number((lo + hi + 1n) / 2n),
    min: Number(min),
    max: Number(max),
  };
}
