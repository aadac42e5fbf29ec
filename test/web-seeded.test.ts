import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowser } from './support/browser.js';
import { runSeed } from './support/seed-process.js';
import { type ServerProcess, spawnServer } from './support/server-process.js';

// The pages on a living market: the real Node entry as a child process (embedded PGlite and
// s3rver, as `npm start` runs it), filled by `npm run seed` exactly as a newcomer would, then read
// in Debian's chromium in Chinese and in English. Any request to another origin, any script error
// and any console error (a failed load included) fails the run; every page passes the axe scan.
let dir: string;
let server: ServerProcess;
let b: Awaited<ReturnType<typeof startBrowser>>;
let seeded: { qipaoId: string; qipaoTradeId: string; checkpointSize: () => Promise<number> };

const QIPAO = '旗袍之光 Qipao of Light';
const NIGHT = '旗袍之光·夜 Qipao of Light — Night Remix';
const LANGS = [
  { lang: 'zh-CN', query: '' },
  { lang: 'en', query: '?lang=en' },
] as const;
const WORDS = {
  'zh-CN': {
    listingKinds: ['一口价', '英式拍卖', '荷式拍卖', '密封拍卖'],
    markets: ['一口价', '报价成交', '荷式拍卖', '英式拍卖', '密封拍卖'],
    owners: ['铸造', '赠送', '交易'],
    verified: /^已验证：日志大小 (\d+) 时的签名检查点包含此记录。$/,
    self: '本作品',
  },
  en: {
    listingKinds: ['Fixed price', 'English auction', 'Dutch auction', 'Sealed-bid auction'],
    markets: ['Fixed price', 'Accepted offer', 'Dutch auction', 'English auction', 'Sealed-bid auction'],
    owners: ['Minted', 'Gift', 'Trade'],
    verified: /^Verified at tree size (\d+): the signed checkpoint includes this record\.$/,
    self: 'this work',
  },
} as const;

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${server.baseUrl}${path}`);
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'haipai-seeded-'));
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: join(dir, 'data'), PORT: '0', NOTICE_PERIOD: '0' };
  delete env.DATABASE_URL;
  delete env.OPERATOR_API_KEY;
  server = await spawnServer(env);
  await runSeed(server.baseUrl, join(dir, 'data'));
  const trades = await api<{ data: { id: string; price: number; market: string; asset: { id: string; title: string } }[] }>(
    '/v1/board/trades?limit=100',
  );
  // The seed's secondary sale of the first Qipao unit (minted, given, then sold for 128.00 CNY).
  const qipaoTrade = trades.data.find((t) => t.asset.title === QIPAO && t.market === 'fixed' && t.price === 12_800);
  expect(qipaoTrade, 'the seed sells a Qipao unit for 12800').toBeDefined();
  seeded = {
    qipaoId: qipaoTrade!.asset.id,
    qipaoTradeId: qipaoTrade!.id,
    checkpointSize: async () => Number((await (await fetch(`${server.baseUrl}/log/checkpoint`)).text()).split('\n')[1]),
  };
  b = await startBrowser(server.baseUrl);
}, 900_000);

afterAll(async () => {
  await b?.close();
  await server?.stop('SIGTERM');
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function open(path: string, locale: string): Promise<Page> {
  const page = await b.newPage({ locale });
  const res = await page.goto(`${server.baseUrl}${path}`);
  expect(res?.status(), path).toBe(200);
  return page;
}

/** The certificate's verdict once the browser has checked it (the log integrates every write). */
async function verdict(page: Page) {
  const panel = page.locator('#verify');
  await expect.poll(() => panel.getAttribute('data-state'), { timeout: 30_000 }).toMatch(/^(verified|failed)$/);
  return { state: await panel.getAttribute('data-state'), status: await panel.locator('[data-role=status]').innerText() };
}

const cellsOfColumn = (page: Page, table: string, header: string) =>
  page.locator(`${table} tbody tr`).evaluateAll(
    (rows, [tableSel, head]) => {
      const heads = [...document.querySelectorAll(`${tableSel} thead th`)].map((th) => th.textContent?.trim());
      const at = heads.indexOf(head);
      return rows.map((r) => r.querySelectorAll('td')[at]?.textContent?.trim() ?? '');
    },
    [table, header] as const,
  );

describe('pages on a seeded market, in chromium', () => {
  for (const { lang, query } of LANGS) {
    const words = WORDS[lang];

    it(`/board (${lang}): listings of every kind, the recent trades of every market, the chart drawn`, async () => {
      const page = await open(`/board${query}`, lang);
      expect(await page.locator('html').getAttribute('lang')).toBe(lang);
      const market = lang === 'en' ? 'Sale' : '方式';
      const listingKinds = new Set(await cellsOfColumn(page, '#listings-table', market));
      for (const kind of words.listingKinds) expect(listingKinds, kind).toContain(kind);
      const tradeMarkets = new Set(await cellsOfColumn(page, '#trades-table', market));
      for (const kind of words.markets) expect(tradeMarkets, kind).toContain(kind);
      const prices = await cellsOfColumn(page, '#trades-table', lang === 'en' ? 'Price' : '价格');
      expect(prices.length).toBeGreaterThanOrEqual(13);
      for (const price of prices) expect(price).toMatch(/^\d{1,3}(,\d{3})*\.\d{2} CNY$/);
      expect(await page.locator('#trades-table').innerText()).not.toMatch(/acc_/);

      // The chart: drawn by uPlot from the page's own figures, a line per category that traded.
      await expect.poll(() => page.locator('#price-chart').getAttribute('data-drawn')).toBe('true');
      expect(await page.locator('#price-chart canvas').count()).toBe(1);
      const index = JSON.parse((await page.locator('#price-index').textContent())!) as {
        series: { values: (number | null)[] }[];
      };
      expect(index.series.length).toBeGreaterThanOrEqual(3);
      for (const s of index.series) expect(s.values.some((v) => v !== null && v > 0)).toBe(true);
      expect(await page.locator('#price-chart .u-legend .u-series').count()).toBe(index.series.length + 1);
      await b.expectAccessible(page);
      await page.context().close();
    });

    it(`a seeded work and its derivative (${lang}): the graph links them both ways`, async () => {
      const page = await open(`/works/${seeded.qipaoId}${query}`, lang);
      expect(await page.locator('h1').innerText()).toBe(QIPAO);
      expect(await page.locator('#registration-number').innerText()).toMatch(/^HP-\d{4}-\d{6}$/);
      const self = page.locator(`#lineage g[data-node="${seeded.qipaoId}"]`);
      expect(await self.getAttribute('data-generation')).toBe('0');
      expect(await self.textContent()).toContain(words.self);
      // The seed's preview, drawn by the media pipeline, is served by the app (lazy: scrolled to).
      const preview = page.locator('img.preview').first();
      await preview.scrollIntoViewIfNeeded();
      await expect.poll(() => preview.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
      const child = page.locator('#lineage g[data-generation="1"] a', { hasText: 'Night Remix' });
      expect(await child.locator('title').textContent()).toBe(NIGHT);
      await b.expectAccessible(page);

      // Following the link, as a reader would, reaches the derivative; its graph leads back.
      await Promise.all([page.waitForURL(/\/works\/ast_/), child.click()]);
      expect(await page.locator('h1').innerText()).toBe(NIGHT);
      const parent = page.locator('#lineage g[data-generation="-1"] a');
      expect(await parent.getAttribute('href')).toBe(
        lang === 'en' ? `/works/${seeded.qipaoId}?lang=en` : `/works/${seeded.qipaoId}`,
      );
      expect(await page.locator('#lineage path[data-parent]').count()).toBe(1);
      await b.expectAccessible(page);
      await page.context().close();
    });

    it(`a trade certificate (${lang}) verifies in the browser, and leads to the unit's chain of owners`, async () => {
      const page = await open(`/trades/${seeded.qipaoTradeId}/certificate${query}`, lang);
      const { state, status } = await verdict(page);
      expect(state, status).toBe('verified');
      const size = Number(words.verified.exec(status)?.[1]);
      expect(size).toBeGreaterThan(0);
      expect(size).toBeLessThanOrEqual(await seeded.checkpointSize());
      expect(await page.locator('main').innerText()).toContain('128.00 CNY');
      await b.expectAccessible(page);

      await Promise.all([page.waitForURL(/\/units\/unt_/), page.locator('#cert-h a[href*="/units/"]').click()]);
      const owners = await cellsOfColumn(page, '#owners', lang === 'en' ? 'How' : '方式');
      expect(owners).toEqual([...words.owners]);
      expect(await page.locator('#current-owner').innerText()).toMatch(/^p_[0-9a-f]{16}$/);
      await b.expectAccessible(page);
      await page.context().close();
    });

    it(`the work's registration certificate (${lang}) verifies in the browser`, async () => {
      const page = await open(`/works/${seeded.qipaoId}/certificate${query}`, lang);
      const { state, status } = await verdict(page);
      expect(state, status).toBe('verified');
      expect(status).toMatch(words.verified);
      await b.expectAccessible(page);
      await page.context().close();
    });
  }

  it('without JavaScript, a phone still reads the board, the work and its graph, and the certificate', async () => {
    const page = await b.newPage({ viewport: 'phone', locale: 'en', javaScript: false });
    await page.goto(`${server.baseUrl}/board`);
    expect(await page.locator('#listings-table tbody tr').count()).toBeGreaterThan(5);
    expect(await page.locator('#trades-table tbody tr').count()).toBeGreaterThanOrEqual(13);
    // The chart is not drawn, but its figures are in the table beside it.
    expect(await page.locator('#price-chart canvas').count()).toBe(0);
    expect(await page.locator('details table tbody tr').count()).toBeGreaterThan(0);
    await page.goto(`${server.baseUrl}/works/${seeded.qipaoId}`);
    await Promise.all([page.waitForURL(/\/works\/ast_/), page.locator('#lineage g[data-generation="1"] a').first().click()]);
    expect(await page.locator('h1').innerText()).toBe(NIGHT);
    await page.goto(`${server.baseUrl}/trades/${seeded.qipaoTradeId}/certificate`);
    expect(await page.locator('#verify').getAttribute('data-state')).toBe('idle');
    expect(await page.locator('#verify').innerText()).toContain('JavaScript');
    expect(await page.locator('main').innerText()).toContain('128.00 CNY');
    // Nothing wider than the phone but the tables' own scrolling boxes.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.context().close();
  });

  it('screenshots of the seeded pages at phone and desktop widths', async () => {
    await b.screenshots('/board?lang=en', 'seeded-board', async (p) => {
      await p.locator('#price-chart canvas').waitFor();
    });
    await b.screenshots(`/works/${seeded.qipaoId}`, 'seeded-work');
    await b.screenshots(`/trades/${seeded.qipaoTradeId}/certificate`, 'seeded-trade-certificate', async (p) => {
      await verdict(p);
    });
    await b.screenshots(`/works/${seeded.qipaoId}/certificate?lang=en`, 'seeded-work-certificate', async (p) => {
      await verdict(p);
    });
  });

  it('no page asked another origin for anything, and nothing went wrong in any console', () => {
    expect(b.foreignRequests).toEqual([]);
    expect(b.pageErrors).toEqual([]);
    expect(b.consoleErrors).toEqual([]);
  });
});
