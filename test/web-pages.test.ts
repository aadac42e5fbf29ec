import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boardPseudonym } from '../src/features/board/pseudonym.js';
import { integrateLog } from '../src/features/tlog/integrate.js';
import { startBrowserSession } from './support/browser.js';
import { startTestApp, type TestApp } from './support/harness.js';
import { marketWorld } from './support/market.js';

// The web pages in Debian's chromium, driven by playwright-core, against data this file makes
// through the API: a registered work with a derivative, an edition, two settled trades and open
// listings. Every page must load with no request to another origin and no serious a11y issue.
let t: TestApp;
let m: ReturnType<typeof marketWorld>;
let s: Awaited<ReturnType<typeof scenario>>;
let b: Awaited<ReturnType<typeof startBrowserSession>>;

async function scenario() {
  const world = await m.work({ size: 10, royaltyBps: 500 });
  const { p, off, creator, edition, asset } = world;
  const [b1, b2] = await m.accounts(p, 2);
  for (const buyer of [b1!, b2!]) await m.topUp(buyer, 100_000);
  const primary = await m.list(p, { kind: 'fixed', sellerId: creator, editionId: edition.id, quantity: 5, price: 12800 });
  const first = m.ok(await m.buy(p, primary.id, b1!), 201);
  const second = m.ok(await m.buy(p, primary.id, b2!), 201);
  const resale = await m.list(p, { kind: 'fixed', sellerId: b1, unitId: first.unitId, price: 25600 });
  const derivative = await m.registeredAsset(p, off, creator, { title: 'Qipao of Light, remixed', parents: [asset.id] });
  await integrateLog(t.deps);
  return { ...world, b1: b1!, b2: b2!, first, second, resale, derivative };
}

beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '0' });
  m = marketWorld(t);
  s = await scenario();
  b = await startBrowserSession(t);
});
afterAll(async () => {
  await b?.close();
  await t?.close();
});

async function open(path: string, opts: { locale?: string } = {}): Promise<Page> {
  const page = await b.newPage(opts);
  const res = await page.goto(`${b.base}${path}`);
  expect(res?.status(), path).toBe(200);
  return page;
}

async function verdict(page: Page) {
  const panel = page.locator('#verify');
  await expect.poll(() => panel.getAttribute('data-state')).toMatch(/^(verified|failed)$/);
  return { state: await panel.getAttribute('data-state'), status: await panel.locator('[data-role=status]').innerText() };
}

describe('web pages in chromium', () => {
  it('/ says what Haipai is, in Chinese by default and in English on request', async () => {
    const zh = await open('/');
    expect(await zh.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(await zh.locator('h1').innerText()).toContain('虚拟时尚知识产权');
    expect(await zh.locator('a[href="/board"]').count()).toBeGreaterThan(0);
    expect(await zh.locator('a[href="/log/checkpoint"]').count()).toBeGreaterThan(0);
    await b.expectAccessible(zh);

    const en = await open('/?lang=en');
    expect(await en.locator('html').getAttribute('lang')).toBe('en');
    expect(await en.locator('h1').innerText()).toContain('virtual fashion IP registry');
    // Links keep the chosen language.
    expect(await en.locator('a[href="/board?lang=en"]').count()).toBeGreaterThan(0);

    const byHeader = await open('/', { locale: 'en-US' });
    expect(await byHeader.locator('html').getAttribute('lang')).toBe('en');
    await b.screenshots('/', 'home');
  });

  it('/docs renders the operations, /log/* included, from assets served by the app', async () => {
    const page = await open('/docs?lang=en');
    await expect.poll(() => page.locator('.opblock').count(), { timeout: 20_000 }).toBeGreaterThan(50);
    const paths = await page.locator('.opblock-summary-path').allInnerTexts();
    expect(paths.map((x) => x.replace(/\u200b/g, ''))).toEqual(
      expect.arrayContaining(['/v1/board/listings', '/log/checkpoint', '/log/vkey', '/log/tile/entries/{path}']),
    );
    expect(await page.locator('#flows').textContent()).toContain('/v1/assets/$ASSET/review');
    await b.expectAccessible(page);
    await b.screenshots('/docs?lang=en', 'docs', async (p) => {
      await p.locator('.opblock').first().waitFor();
    });
    // Swagger UI's page is large: the accessibility scan of ~100 operations takes a while on a busy machine.
  }, 240_000);

  it('/board shows open listings with the API filters, recent trades as pseudonyms, and draws the price index', async () => {
    const page = await open('/board');
    const listings = page.locator('#listings-table');
    expect(await listings.innerText()).toContain('Qipao of Light');
    expect(await listings.innerText()).toContain('256.00 CNY');
    const trades = await page.locator('#trades-table').innerText();
    expect(trades).toContain(await boardPseudonym(s.b1));
    expect(trades).toContain(await boardPseudonym(s.b2));
    expect(trades).toContain('128.00 CNY');
    expect(trades).not.toMatch(/acc_/);
    await expect.poll(() => page.locator('#price-chart').getAttribute('data-drawn')).toBe('true');
    expect(await page.locator('#price-chart canvas').count()).toBe(1);
    await b.expectAccessible(page);

    // The filter form is a plain GET: it works without JavaScript and with the API's names.
    const sorted = await open('/board?sort=price_desc&listingKind=fixed&currency=CNY');
    const rows = await sorted.locator('#listings-table tbody tr td.num').allInnerTexts();
    expect(rows[0]).toBe('256.00 CNY');
    expect(rows).toHaveLength(2);
    const none = await open('/board?listingKind=english');
    expect(await none.locator('#listings-table').count()).toBe(0);
    expect(await none.locator('main').innerText()).toContain('没有符合条件的在售挂牌');
    const bad = await b.newPage();
    expect((await bad.goto(`${b.base}/board?sort=cheapest`))?.status()).toBe(400);
    await b.screenshots('/board', 'board', async (p) => {
      await p.locator('#price-chart canvas').waitFor();
    });
  });

  it('/works/{id} shows the public record: registration, licence in words, timeline, lineage, editions', async () => {
    const page = await open(`/works/${s.asset.id}?lang=en`);
    expect(await page.locator('h1').innerText()).toBe('Qipao of Light');
    expect(await page.locator('#registration-number').innerText()).toBe(s.asset.registrationNumber);
    const licence = await page.locator('#licence').innerText();
    expect(licence).toContain('Commercial use by individuals, not by companies.');
    expect(licence).toContain('owes this work');
    const timeline = await page.locator('#timeline').innerText();
    for (const step of ['Submitted for registration', 'Review started', 'Notice over; registered'])
      expect(timeline).toContain(step);
    expect(await page.locator('#lineage').innerText()).toContain('Qipao of Light, remixed');
    expect(await page.locator('#editions').innerText()).toContain(s.edition.id);
    await b.expectAccessible(page);

    const child = await open(`/works/${s.derivative.id}`);
    expect(await child.locator('#lineage a').first().getAttribute('href')).toBe(`/works/${s.asset.id}`);
    const missing = await b.newPage();
    expect((await missing.goto(`${b.base}/works/ast_01JABCDEFGHJKMNPQRSTVWXYZ1`))?.status()).toBe(404);
    await b.screenshots(`/works/${s.asset.id}`, 'work');
  });

  it('/units/{id} shows the chain of owners as pseudonyms', async () => {
    const page = await open(`/units/${s.first.unitId}?lang=en`);
    const owners = await page.locator('#owners').innerText();
    expect(owners).toContain('Minted');
    expect(owners).toContain('Trade');
    expect(owners).toContain(await boardPseudonym(s.creator));
    expect(await page.locator('#current-owner').innerText()).toBe(await boardPseudonym(s.b1));
    await b.expectAccessible(page);
    await b.screenshots(`/units/${s.first.unitId}`, 'unit');
  });

  it('a trade certificate verifies in the browser against the signed checkpoint', async () => {
    const page = await open(`/trades/${s.first.id}/certificate?lang=en`);
    const { state, status } = await verdict(page);
    const size = Number((await t.call('GET', '/log/checkpoint')).text.split('\n')[1]);
    expect({ state, status }).toEqual({
      state: 'verified',
      status: `Verified at tree size ${size}: the signed checkpoint includes this record.`,
    });
    expect(await page.locator('#verify li[data-ok=true]').count()).toBe(4);
    await b.expectAccessible(page);
    await b.screenshots(`/trades/${s.first.id}/certificate`, 'trade-certificate', async (p) => {
      await verdict(p);
    });
  });

  it('names the failure when the tlog-proof is tampered with', async () => {
    const flipHash = (proof: string) => {
      const lines = proof.split('\n');
      const at = lines.findIndex((l) => /^[A-Za-z0-9+/]{43}=$/.test(l));
      const hash = Buffer.from(lines[at]!, 'base64');
      hash[0]! ^= 1;
      lines[at] = hash.toString('base64');
      return lines.join('\n');
    };
    const cases = [
      { tamper: flipHash, reason: /not_included: the proof does not place this entry at index \d+/ },
      {
        tamper: (proof: string) => proof.replace(/\n— (\S+) (\S)/, (_m, name, c) => `\n— ${name} ${c === 'A' ? 'B' : 'A'}`),
        reason: /invalid_signature|unverified_note/,
      },
    ];
    for (const { tamper, reason } of cases) {
      const page = await b.newPage();
      await page.route('**/v1/log/entries/*/tlog-proof', async (route) => {
        const res = await route.fetch();
        await route.fulfill({ response: res, body: tamper(await res.text()) });
      });
      await page.goto(`${b.base}/trades/${s.second.id}/certificate?lang=en`);
      const { state, status } = await verdict(page);
      expect(state).toBe('failed');
      expect(status).toMatch(/^Verification failed: The proof's checkpoint is signed/);
      expect(status).toMatch(reason);
      expect(await page.locator('#verify li[data-ok=false] .reason').innerText()).toMatch(reason);
    }
  });

  it("a work's registration certificate verifies in the browser", async () => {
    const page = await open(`/works/${s.asset.id}/certificate`);
    const { state, status } = await verdict(page);
    expect(state).toBe('verified');
    expect(status).toMatch(/^已验证：日志大小 \d+ 时的签名检查点包含此记录。$/);
    expect(await page.locator('main').innerText()).toContain(s.asset.registrationNumber);
    await b.expectAccessible(page);
    await b.screenshots(`/works/${s.asset.id}/certificate?lang=en`, 'work-certificate', async (p) => {
      await verdict(p);
    });
  });

  it('no page asked another origin for anything, and no script failed', () => {
    expect(b.foreignRequests).toEqual([]);
    expect(b.pageErrors).toEqual([]);
  });
});
