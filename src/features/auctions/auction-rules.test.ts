import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { commitmentOf, commitmentPreimage, endAfterBid, englishMinimum, sealedMinimum, sealedWinner } from './auction-rules.js';

describe('sealed-bid commitments', () => {
  it('hash the UTF-8 string "<amount>:<salt>" with the amount in plain base 10', async () => {
    expect(commitmentPreimage(12500n, 'k3P9xQ2mZ7vB1nW4')).toBe('12500:k3P9xQ2mZ7vB1nW4');
    expect(commitmentPreimage(9007199254740991, 'salt')).toBe('9007199254740991:salt');
    const expected = createHash('sha256').update('12500:k3P9xQ2mZ7vB1nW4', 'utf8').digest('hex');
    expect(await commitmentOf(12500, 'k3P9xQ2mZ7vB1nW4')).toBe(expected);
  });

  it('pick the highest valid reveal, ties to the earliest commitment, unrevealed ones forfeit', () => {
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
    const entries = [
      { id: 'bid_3', bidderId: 'c', committedAt: at(3), amount: 600n },
      { id: 'bid_2', bidderId: 'b', committedAt: at(2), amount: 600n },
      { id: 'bid_1', bidderId: 'a', committedAt: at(2), amount: 600n },
      { id: 'bid_4', bidderId: 'd', committedAt: at(1), amount: null },
      { id: 'bid_5', bidderId: 'e', committedAt: at(0), amount: 100n },
    ];
    expect(sealedWinner(entries, 200n)?.bidderId).toBe('a');
    expect(sealedWinner(entries, 601n)).toBeNull();
    expect(sealedWinner([], 1n)).toBeNull();
  });

  it('need at least the reserve, or the start price, or one unit', () => {
    expect(sealedMinimum({ reserve_price: null, start_price: null })).toBe(1n);
    expect(sealedMinimum({ reserve_price: 500n, start_price: 200n })).toBe(500n);
    expect(sealedMinimum({ reserve_price: null, start_price: 200n })).toBe(200n);
  });
});

describe('English auctions', () => {
  it('accept the start price first, then the highest bid plus the increment', () => {
    expect(englishMinimum({ start_price: 1000n, min_increment: 100n }, null)).toBe(1000n);
    expect(englishMinimum({ start_price: 1000n, min_increment: 100n }, 1250n)).toBe(1350n);
  });

  it('extend the end only for bids inside the anti-sniping window', () => {
    const end = new Date('2026-01-01T12:00:00Z');
    const ahead = (s: number) => new Date(end.getTime() - s * 1000);
    expect(endAfterBid(end, ahead(120), 60)).toEqual(end);
    expect(endAfterBid(end, ahead(60), 60)).toEqual(end);
    expect(endAfterBid(end, ahead(10), 60)).toEqual(new Date(ahead(10).getTime() + 60_000));
    expect(endAfterBid(end, ahead(10), 0)).toEqual(end);
    expect(endAfterBid(end, ahead(10), null)).toEqual(end);
  });
});
