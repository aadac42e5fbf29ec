import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/harness.js';
import { marketWorld } from './support/market.js';

let t: TestApp;
let m: ReturnType<typeof marketWorld>;
const DAY = 86400;
let day1: string;
let day2: string;

/**
 * Known trades on two UTC days (the clock is moved to noon first, so a day never turns mid-test):
 *   day 1: digital_creative 100, 201; brand_marketing 50; and one JPY trade of 999
 *   day 2: digital_creative 300, 401; brand_marketing 75, 76
 */
beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '0' });
  m = marketWorld(t);
  const now = t.clock.now().getTime();
  t.clock.advance((Math.ceil(now / (DAY * 1000)) * DAY * 1000 + (DAY / 2) * 1000 - now) / 1000);
  const p = await m.platform();
  const creative = await m.work({ p, size: 20 });
  const brand = await m.work({ p, size: 20, asset: { category: 'brand_marketing' } });
  const [buyer] = await m.accounts(p, 1);
  await m.topUp(buyer!, 1_000_000, 'CHF');
  await m.topUp(buyer!, 1_000_000, 'JPY');
  const sell = async (w: typeof creative, price: number, currency = 'CHF') => {
    const listing = await m.list(p, { kind: 'fixed', currency, sellerId: w.creator, editionId: w.edition.id, price });
    const trade = m.ok(await m.buy(p, listing.id, buyer!), 201);
    expect(trade.status).toBe('settled');
    return trade.settledAt as string;
  };
  day1 = (await sell(creative, 100)).slice(0, 10);
  await sell(creative, 201);
  await sell(brand, 50);
  await sell(brand, 999, 'JPY');
  t.clock.advance(DAY);
  day2 = (await sell(creative, 300)).slice(0, 10);
  await sell(creative, 401);
  await sell(brand, 75);
  await sell(brand, 76);
});
afterAll(async () => t?.close());

const stats = async (query: string) => m.ok(await t.call('GET', `/v1/board/stats?${query}`), 200);

describe('GET /v1/board/stats', () => {
  it('gives exact integer volume, count, mean and median per currency, category and UTC day', async () => {
    const body = await stats('currency=CHF');
    expect(body.total).toEqual([
      // 50 75 76 100 201 300 401: median 100; mean 1203 / 7 = 171.86 → 172
      { currency: 'CHF', count: 7, volume: 1203, mean: 172, median: 100, min: 50, max: 401 },
    ]);
    expect(body.byCategory).toEqual([
      // 50 75 76: mean 201 / 3 = 67
      { currency: 'CHF', category: 'brand_marketing', count: 3, volume: 201, mean: 67, median: 75, min: 50, max: 76 },
      // 100 201 300 401: even count, median (201 + 300) / 2 = 250.5 → 251; mean 1002 / 4 = 250.5 → 251 (half up)
      { currency: 'CHF', category: 'digital_creative', count: 4, volume: 1002, mean: 251, median: 251, min: 100, max: 401 },
    ]);
    expect(body.byDay).toEqual([
      // 50 100 201
      { currency: 'CHF', day: day1, count: 3, volume: 351, mean: 117, median: 100, min: 50, max: 201 },
      // 75 76 300 401: median (76 + 300) / 2 = 188; mean 852 / 4 = 213
      { currency: 'CHF', day: day2, count: 4, volume: 852, mean: 213, median: 188, min: 75, max: 401 },
    ]);
  });

  it('keeps currencies apart and takes a window [from, to) and a category', async () => {
    const all = await stats('');
    expect(all.total.map((r: { currency: string; count: number }) => [r.currency, r.count])).toEqual([
      ['CHF', 7],
      ['JPY', 1],
    ]);
    expect(all.byDay.filter((r: { currency: string }) => r.currency === 'JPY')).toEqual([
      { currency: 'JPY', day: day1, count: 1, volume: 999, mean: 999, median: 999, min: 999, max: 999 },
    ]);

    const second = await stats(`currency=CHF&from=${day2}`);
    expect(second.from).toBe(`${day2}T00:00:00.000Z`);
    expect(second.total).toEqual([{ currency: 'CHF', count: 4, volume: 852, mean: 213, median: 188, min: 75, max: 401 }]);
    const first = await stats(`currency=CHF&to=${day2}&from=${day1}`);
    expect(first.to).toBe(`${day2}T00:00:00.000Z`);
    expect(first.byDay.map((r: { day: string }) => r.day)).toEqual([day1]);
    const creative = await stats(`currency=CHF&category=digital_creative&from=${day1}T12:00:00Z`);
    // 100 and 201 were sold a few seconds after noon of day 1, so all four count.
    expect(creative.total).toEqual([{ currency: 'CHF', count: 4, volume: 1002, mean: 251, median: 251, min: 100, max: 401 }]);
    expect((await stats(`from=${day1}&to=${day1}T12:00:00Z`)).total).toEqual([]);
  });

  it('refuses a bad window with problems', async () => {
    m.problem(await t.call('GET', `/v1/board/stats?from=${day2}&to=${day1}`), 400, 'invalid_range');
    m.problem(await t.call('GET', '/v1/board/stats?from=2020-01-01&to=2022-01-01'), 400, 'range_too_long');
    m.problem(await t.call('GET', '/v1/board/stats?from=yesterday'), 400, 'validation_failed');
    m.problem(await t.call('GET', '/v1/board/stats?currency=chf'), 400, 'validation_failed');
  });
});
