import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney, minorUnitDigits } from '../src/web/money.js';
import { startTestApp, type TestApp } from './support/harness.js';
import { marketWorld } from './support/market.js';

// Money on the pages is written with the currency's own minor unit: yen and won have none, yuan
// has fen (2 digits), the Kuwaiti dinar has fils (3). A price of 128000 is ¥128,000 in JPY and
// ¥1,280.00 in CNY; reading both with 2 decimals would show the yen price a hundred times too low.

describe('formatMoney', () => {
  it("uses each currency's minor-unit digits, in both languages", () => {
    expect([minorUnitDigits('JPY'), minorUnitDigits('KRW'), minorUnitDigits('CNY'), minorUnitDigits('KWD')]).toEqual([
      0, 0, 2, 3,
    ]);
    for (const lang of ['zh-CN', 'en'] as const) {
      expect(formatMoney(128000, 'JPY', lang)).toBe('128,000 JPY');
      expect(formatMoney(128000, 'CNY', lang)).toBe('1,280.00 CNY');
      expect(formatMoney(5, 'CNY', lang)).toBe('0.05 CNY');
      expect(formatMoney(-1234, 'USD', lang)).toBe('-12.34 USD');
      expect(formatMoney(1234, 'KWD', lang)).toBe('1.234 KWD');
      expect(formatMoney(null, 'JPY', lang)).toBe('–');
    }
    // No float on the way: the largest safe amount keeps every digit.
    expect(formatMoney(Number.MAX_SAFE_INTEGER, 'CNY', 'en')).toBe('90,071,992,547,409.91 CNY');
  });
});

describe('pages show prices in their currency', () => {
  let t: TestApp;
  let s: { jpyTrade: string; cnyTrade: string };

  beforeAll(async () => {
    t = await startTestApp({ NOTICE_PERIOD: '0' });
    const m = marketWorld(t);
    const { p, creator, edition } = await m.work({ size: 10 });
    const [buyer] = await m.accounts(p, 1);
    await m.topUp(buyer!, 1_000_000, 'JPY');
    await m.topUp(buyer!, 1_000_000, 'CNY');
    const yen = await m.list(p, {
      kind: 'fixed',
      sellerId: creator,
      editionId: edition.id,
      quantity: 2,
      price: 128000,
      currency: 'JPY',
    });
    const yuan = await m.list(p, { kind: 'fixed', sellerId: creator, editionId: edition.id, quantity: 2, price: 128000 });
    s = {
      jpyTrade: m.ok(await m.buy(p, yen.id, buyer!), 201).id,
      cnyTrade: m.ok(await m.buy(p, yuan.id, buyer!), 201).id,
    };
  });
  afterAll(async () => {
    await t?.close();
  });

  const page = async (path: string) => {
    const res = await t.call('GET', path);
    expect(res.status, path).toBe(200);
    return res.text;
  };
  /** The text of the first element with this id (tables on the board). */
  const section = (html: string, id: string) =>
    html.slice(html.indexOf(`id="${id}"`), html.indexOf('</table>', html.indexOf(`id="${id}"`)));

  /** What the page hands its chart script. */
  const chartData = (html: string) =>
    JSON.parse(/<script type="application\/json" id="price-index">(.*?)<\/script>/.exec(html)![1]!);

  for (const lang of ['zh-CN', 'en']) {
    it(`/board in ${lang}: a yen listing and trade have no decimals, a yuan one has two`, async () => {
      const jpy = await page(`/board?currency=JPY&lang=${lang}`);
      expect(section(jpy, 'listings-table')).toContain('128,000 JPY');
      expect(section(jpy, 'trades-table')).toContain('128,000 JPY');
      expect(jpy).not.toContain('1,280.00 JPY');
      // The chart's table and the chart's own data: the day's median in yen, drawn with 0 digits.
      expect(jpy).toMatch(/<td class="num">128,000 JPY<\/td>/);
      expect(chartData(jpy)).toMatchObject({ currency: 'JPY', digits: 0 });
      expect(chartData(jpy).series[0].values.at(-1)).toBe(128000);

      const cny = await page(`/board?currency=CNY&lang=${lang}`);
      expect(section(cny, 'listings-table')).toContain('1,280.00 CNY');
      expect(section(cny, 'trades-table')).toContain('1,280.00 CNY');
      expect(chartData(cny)).toMatchObject({ currency: 'CNY', digits: 2 });
    });

    it(`trade certificates in ${lang} state the price in its currency`, async () => {
      expect(await page(`/trades/${s.jpyTrade}/certificate?lang=${lang}`)).toContain('<dd>128,000 JPY</dd>');
      expect(await page(`/trades/${s.cnyTrade}/certificate?lang=${lang}`)).toContain('<dd>1,280.00 CNY</dd>');
    });
  }
});
