import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { largestRemainder, type ParentNode, splitSale } from './split.js';

const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);

describe('largestRemainder', () => {
  it('splits exactly and deterministically', () => {
    expect(largestRemainder(100n, [1n, 1n, 1n])).toEqual([34n, 33n, 33n]);
    expect(largestRemainder(10n, [5000n, 5000n])).toEqual([5n, 5n]);
    expect(largestRemainder(1n, [3333n, 3334n, 3333n])).toEqual([0n, 1n, 0n]);
  });
  it('always sums to the total, each part within one of its exact share', () => {
    fc.assert(
      fc.property(
        fc.bigInt(0n, 10n ** 15n),
        fc.array(fc.integer({ min: 0, max: 10000 }), { minLength: 1, maxLength: 12 }),
        (total, ws) => {
          fc.pre(ws.some((w) => w > 0));
          const weights = ws.map(BigInt);
          const parts = largestRemainder(total, weights);
          expect(sum(parts)).toBe(total);
          const W = sum(weights);
          parts.forEach((p, i) => {
            const exactFloor = (total * weights[i]!) / W;
            expect(p === exactFloor || p === exactFloor + 1n).toBe(true);
          });
        },
      ),
    );
  });
});

describe('splitSale', () => {
  const base = {
    buyerId: 'acc_BUYER',
    sellerId: 'acc_SELLER',
    platformId: 'plt_P',
    work: { rightsHolderId: 'acc_RH', creators: [{ accountId: 'acc_C1', shareBps: 10000 }], parents: [] },
  };

  it('pays fee, royalty and proceeds from the price', () => {
    const postings = splitSale({ ...base, price: 10_000n, feeBps: 250, royaltyBps: 1000 });
    expect(postings).toEqual([
      { holder: 'acc_BUYER', role: 'buyer', amount: -10_000n },
      { holder: 'plt_P', role: 'platform_fee', amount: 250n },
      { holder: 'acc_SELLER', role: 'seller', amount: 8750n },
      { holder: 'acc_C1', role: 'royalty', amount: 1000n },
    ]);
  });

  it('lets royalties flow up a derivative chain by the parents licence shares', () => {
    const grandparent: ParentNode = { rightsHolderId: 'acc_GP', derivativeRoyaltyBps: 5000, parents: [] };
    const parent: ParentNode = { rightsHolderId: 'acc_PA', derivativeRoyaltyBps: 2000, parents: [grandparent] };
    const postings = splitSale({
      ...base,
      price: 100_000n,
      feeBps: 0,
      royaltyBps: 1000,
      work: {
        rightsHolderId: 'acc_RH',
        creators: [
          { accountId: 'acc_C1', shareBps: 6000 },
          { accountId: 'acc_C2', shareBps: 4000 },
        ],
        parents: [parent],
      },
    });
    // royalty 10,000: parent's cut 2,000 of which half (1,000) flows on to the grandparent
    expect(postings.filter((p) => p.role !== 'buyer' && p.role !== 'seller')).toEqual([
      { holder: 'acc_GP', role: 'parent_royalty', amount: 1000n },
      { holder: 'acc_PA', role: 'parent_royalty', amount: 1000n },
      { holder: 'acc_C1', role: 'royalty', amount: 4800n },
      { holder: 'acc_C2', role: 'royalty', amount: 3200n },
    ]);
  });

  const parentArb: fc.Arbitrary<ParentNode> = fc.letrec<{ node: ParentNode }>((tie) => ({
    node: fc.record({
      rightsHolderId: fc.constantFrom('acc_X', 'acc_Y', 'acc_Z'),
      derivativeRoyaltyBps: fc.integer({ min: 0, max: 10000 }),
      parents: fc.oneof({ depthSize: 'small' }, fc.constant([]), fc.array(tie('node'), { maxLength: 2 })),
    }),
  })).node;

  it('conserves money for any price, fee, royalty, creators and derivative tree', () => {
    fc.assert(
      fc.property(
        fc.bigInt(1n, 10n ** 12n),
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 0, max: 5000 }),
        fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 6 }),
        fc.array(parentArb, { maxLength: 3 }),
        (price, feeBps, royaltyBps, rawShares, parents) => {
          const total = rawShares.reduce((a, b) => a + b, 0);
          const shares = largestRemainder(10000n, rawShares.map(BigInt)).map(Number);
          fc.pre(shares.every((s) => s > 0) && total > 0);
          const creators = shares.map((s, i) => ({ accountId: `acc_C${i}`, shareBps: s }));
          const postings = splitSale({
            ...base,
            price,
            feeBps,
            royaltyBps,
            work: { rightsHolderId: 'acc_RH', creators, parents },
          });
          expect(sum(postings.map((p) => p.amount))).toBe(0n);
          expect(postings.filter((p) => p.amount < 0n)).toEqual([{ holder: 'acc_BUYER', role: 'buyer', amount: -price }]);
          expect(
            splitSale({ ...base, price, feeBps, royaltyBps, work: { rightsHolderId: 'acc_RH', creators, parents } }),
          ).toEqual(postings);
        },
      ),
    );
  });
});
