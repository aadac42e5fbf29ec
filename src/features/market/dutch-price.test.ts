import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dutchPrice } from './dutch-price.js';

const startsAt = new Date('2026-06-01T00:00:00Z');
const endsAt = new Date('2026-06-01T01:40:00Z'); // 6,000 s
const at = (s: number) => new Date(startsAt.getTime() + s * 1000);
const auction = { startPrice: 10_000n, floorPrice: 4_000n, startsAt, endsAt };

describe('dutchPrice', () => {
  it('starts at the start price and ends at the floor', () => {
    expect(dutchPrice(auction, at(-5))).toBe(10_000n);
    expect(dutchPrice(auction, at(0))).toBe(10_000n);
    expect(dutchPrice(auction, at(6000))).toBe(4_000n);
    expect(dutchPrice(auction, at(9000))).toBe(4_000n);
  });
  it('falls linearly with a floored drop', () => {
    expect(dutchPrice(auction, at(3000))).toBe(7_000n);
    // 6000 × 1.5 s / 6000 s = 1.5 → drop 1
    expect(dutchPrice(auction, new Date(startsAt.getTime() + 1500))).toBe(9_999n);
    expect(dutchPrice(auction, new Date(startsAt.getTime() + 999))).toBe(10_000n);
  });
  it('never rises, never leaves [floor, start]', () => {
    fc.assert(
      fc.property(
        fc.bigInt(1n, 10n ** 15n),
        fc.bigInt(0n, 10n ** 15n),
        fc.integer({ min: 1, max: 10 ** 10 }),
        fc.integer({ min: -(10 ** 9), max: 2 * 10 ** 10 }),
        fc.integer({ min: 0, max: 10 ** 6 }),
        (floor, extra, duration, t, dt) => {
          const a = { startPrice: floor + extra, floorPrice: floor, startsAt, endsAt: new Date(startsAt.getTime() + duration) };
          const p1 = dutchPrice(a, new Date(startsAt.getTime() + t));
          const p2 = dutchPrice(a, new Date(startsAt.getTime() + t + dt));
          expect(p1 >= floor && p1 <= floor + extra).toBe(true);
          expect(p2 <= p1).toBe(true);
        },
      ),
    );
  });
});
