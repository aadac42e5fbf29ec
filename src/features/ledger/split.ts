/**
 * How a sale's price is divided (docs/architecture.md, "Money"): the platform fee, the royalty, and the
 * seller's proceeds; the royalty among the work's creators by their shares, after each parent's
 * cut (its licence's `derivativeRoyaltyBps` of the royalty) flows up to the parent's rights holder
 * — and, recursively, on up the derivative chain. All in integer minor units, split by the
 * largest-remainder method with ties broken by position, so the parts always sum exactly to the
 * whole and the same inputs always give the same postings.
 */

/** Split `total` in proportion to `weights` (largest remainder; earlier positions win ties). */
export function largestRemainder(total: bigint, weights: readonly bigint[]): bigint[] {
  const sum = weights.reduce((a, b) => a + b, 0n);
  if (total < 0n) throw new RangeError('total must not be negative');
  if (sum <= 0n) throw new RangeError('weights must sum to more than zero');
  const parts = weights.map((w) => (total * w) / sum);
  let left = total - parts.reduce((a, b) => a + b, 0n);
  const order = weights
    .map((w, i) => ({ i, rem: (total * w) % sum }))
    .sort((a, b) => (a.rem === b.rem ? a.i - b.i : a.rem > b.rem ? -1 : 1));
  for (const { i } of order) {
    if (left === 0n) break;
    parts[i]! += 1n;
    left -= 1n;
  }
  return parts;
}

export interface WorkNode {
  rightsHolderId: string;
  /** Creators and their shares in basis points (summing to 10000). */
  creators: readonly { accountId: string; shareBps: number }[];
  parents: readonly ParentNode[];
}

export interface ParentNode {
  rightsHolderId: string;
  /** The parent licence's share of a derivative's royalty. */
  derivativeRoyaltyBps: number;
  parents: readonly ParentNode[];
}

export interface SplitInput {
  price: bigint;
  feeBps: number;
  royaltyBps: number;
  buyerId: string;
  sellerId: string;
  platformId: string;
  work: WorkNode;
}

export type PostingRole = 'buyer' | 'seller' | 'platform_fee' | 'royalty' | 'parent_royalty';
export interface Posting {
  holder: string;
  role: PostingRole;
  amount: bigint;
}

const BPS = 10000n;

/** The postings of one sale: the buyer pays the price; everyone else's parts sum to it. */
export function splitSale(input: SplitInput): Posting[] {
  if (input.price <= 0n) throw new RangeError('price must be positive');
  if (input.feeBps + input.royaltyBps > 10000) throw new RangeError('fee and royalty exceed the price');
  const [fee, royalty, proceeds] = largestRemainder(input.price, [
    BigInt(input.feeBps),
    BigInt(input.royaltyBps),
    BPS - BigInt(input.feeBps) - BigInt(input.royaltyBps),
  ]) as [bigint, bigint, bigint];
  const postings: Posting[] = [
    { holder: input.buyerId, role: 'buyer', amount: -input.price },
    { holder: input.platformId, role: 'platform_fee', amount: fee },
    { holder: input.sellerId, role: 'seller', amount: proceeds },
  ];
  const [toParents, toCreators] = splitUpstream(royalty, input.work.parents);
  postings.push(...toParents);
  const creatorParts = largestRemainder(
    toCreators,
    input.work.creators.map((c) => BigInt(c.shareBps)),
  );
  postings.push(
    ...input.work.creators.map((c, i) => ({ holder: c.accountId, role: 'royalty' as const, amount: creatorParts[i]! })),
  );
  return postings.filter((p) => p.amount !== 0n);
}

/**
 * Divides `amount` between the parents (by their bps; what is left stays below) and recurses:
 * each parent's cut is split again between its own parents and its rights holder.
 * Returns the parents' postings and what remains for the work itself.
 */
function splitUpstream(amount: bigint, parents: readonly ParentNode[], depth = 0): [Posting[], bigint] {
  if (parents.length === 0 || amount === 0n) return [[], amount];
  if (depth > 32) throw new RangeError('derivative chain too deep');
  const claimed = parents.reduce((s, p) => s + BigInt(p.derivativeRoyaltyBps), 0n);
  // If parents together claim more than the whole, they share all of it by their claims.
  const weights = [...parents.map((p) => BigInt(p.derivativeRoyaltyBps)), claimed >= BPS ? 0n : BPS - claimed];
  const parts = weights.some((w) => w > 0n) ? largestRemainder(amount, weights) : [...parents.map(() => 0n), amount];
  const postings: Posting[] = [];
  parents.forEach((parent, i) => {
    const [upstream, own] = splitUpstream(parts[i]!, parent.parents, depth + 1);
    postings.push(...upstream);
    if (own !== 0n) postings.push({ holder: parent.rightsHolderId, role: 'parent_royalty', amount: own });
  });
  return [postings, parts.at(-1)!];
}
