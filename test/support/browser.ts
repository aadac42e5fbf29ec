import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { serve } from '@hono/node-server';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { nodeWebAssets } from '../../src/web/node-web-assets.js';
import type { TestApp } from './harness.js';

/** Debian's chromium (apt-get install chromium); no browser is ever downloaded. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = join(process.cwd(), 'test-results', 'screenshots');

export const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1280, height: 900 },
} as const;

/**
 * A test app served over HTTP on port 0 with its web assets, and a headless chromium whose every
 * request is watched: anything addressed to another origin is aborted and recorded, and
 * `foreignRequests` must stay empty.
 */
export async function startBrowserSession(t: TestApp) {
  t.deps.webAssets = await nodeWebAssets();
  const server = serve({ fetch: t.app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const session = await startBrowser(base);
  return {
    ...session,
    close: async () => {
      await session.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A headless chromium for the pages at `base` (a test app or a real server process): requests to
 * any other origin are aborted and recorded in `foreignRequests`, uncaught script errors go to
 * `pageErrors` and console errors (a failed load included) to `consoleErrors`.
 */
export async function startBrowser(base: string) {
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const foreignRequests: string[] = [];
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];

  async function newPage(opts: { viewport?: keyof typeof VIEWPORTS; locale?: string; javaScript?: boolean } = {}): Promise<Page> {
    const context: BrowserContext = await browser.newContext({
      viewport: VIEWPORTS[opts.viewport ?? 'desktop'],
      locale: opts.locale ?? 'zh-CN',
      javaScriptEnabled: opts.javaScript ?? true,
    });
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(`${base}/`) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      foreignRequests.push(url);
      return route.abort('blockedbyclient');
    });
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(`${page.url()}: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(`${page.url()}: ${msg.text()}`);
    });
    return page;
  }

  /** No serious or critical accessibility violation on the page as it stands. */
  async function expectAccessible(page: Page) {
    const result = await new AxeBuilder({ page }).analyze();
    const bad = result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) =>
          `${v.id} (${v.impact}) on ${v.nodes.length} nodes, e.g. ${v.nodes
            .slice(0, 3)
            .map((n) => n.target.join(' '))
            .join(', ')}`,
      );
    expect(bad.join('\n'), page.url()).toBe('');
  }

  /** The page at phone and desktop widths, into test-results/screenshots (git-ignored). */
  async function screenshots(
    path: string,
    name: string,
    ready: (page: Page) => Promise<void> = async () => {},
    opts: { locale?: string } = {},
  ) {
    await mkdir(SCREENSHOTS, { recursive: true });
    for (const viewport of Object.keys(VIEWPORTS) as (keyof typeof VIEWPORTS)[]) {
      const page = await newPage({ viewport, locale: opts.locale });
      await page.goto(`${base}${path}`);
      await ready(page);
      await page.screenshot({ path: join(SCREENSHOTS, `${name}-${viewport}.png`), fullPage: true });
      await page.context().close();
    }
  }

  return {
    base,
    foreignRequests,
    pageErrors,
    consoleErrors,
    newPage,
    expectAccessible,
    screenshots,
    close: () => browser.close(),
  };
}
