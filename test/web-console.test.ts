import { createHash } from 'node:crypto';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLogger } from '../src/ports/logger.js';
import { parseMediaWorkerConfig } from '../workers/media/config.js';
import { type MediaWorker, startMediaWorker } from '../workers/media/worker.js';
import { sceneSvg } from './media-fixtures.js';
import { startBrowserSession } from './support/browser.js';
import { OPERATOR_KEY, startTestApp, type TestApp } from './support/harness.js';
import { world } from './support/world.js';

// The officials' console in chromium: sign in with an official's key, see a submission's images
// beside the registered work they nearly duplicate (with Hamming distances), start the review and
// approve it through the forms; the API then shows the work registered.
let t: TestApp;
let w: ReturnType<typeof world>;
let worker: MediaWorker;
let b: Awaited<ReturnType<typeof startBrowserSession>>;
let s: Awaited<ReturnType<typeof scenario>>;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function upload(key: string, accountId: string, bytes: Uint8Array, mediaType = 'image/png') {
  const created = w.ok(
    await t.call('POST', '/v1/uploads', {
      key,
      body: { accountId, mediaType, size: bytes.length, sha256: sha256(bytes) },
    }),
    201,
  );
  const put = await fetch(created.uploadUrl, { method: 'PUT', headers: created.headers, body: bytes as BodyInit });
  expect(put.status).toBe(200);
  w.ok(await t.call('POST', `/v1/uploads/${created.id}/complete`, { key }), 200);
  return created.id as string;
}

/** A registered work with an image, and another party's submission of the same image resized and recompressed. */
async function scenario() {
  const p = await w.platform('Console');
  const official = await w.official('Reviewer Chen');
  const creator = await w.account(p);
  const lookalikes = await w.platform('Lookalikes');
  const copier = await w.account(lookalikes);
  const original = await sharp(sceneSvg(7, 800, 600))
    .png()
    .toBuffer();
  const copy = await sharp(original).resize(600).jpeg({ quality: 70 }).toBuffer();
  const first = await upload(p.key, creator, original);
  const registered = await w.registeredAsset(p, official, creator, {
    title: 'Cloud Brocade',
    files: [{ uploadId: first, purpose: 'preview' }],
  });
  const second = await upload(lookalikes.key, copier, copy, 'image/jpeg');
  const submitted = w.ok(
    await t.call('POST', '/v1/assets', {
      key: lookalikes.key,
      body: w.assetBody(copier, { title: 'Cloud Brocade (copy?)', files: [{ uploadId: second, purpose: 'preview' }] }),
    }),
    201,
  );
  w.ok(await t.call('POST', `/v1/assets/${submitted.id}/submit`, { key: lookalikes.key }), 200);
  const edition = await w.edition(p, registered.id, 3);
  const unit = (await w.mint(p, edition.id, 1)).units[0];
  return { p, official, creator, registered, submitted, unit };
}

beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '0', MEDIA_SUBMIT_WAIT: '20' });
  w = world(t);
  worker = startMediaWorker(
    { db: t.deps.db, blobs: t.deps.blobs, clock: t.clock, log: new MemoryLogger(), sharp },
    parseMediaWorkerConfig({ MEDIA_POLL_INTERVAL: '0.05' }),
  );
  s = await scenario();
  b = await startBrowserSession(t);
});
afterAll(async () => {
  await b?.close();
  await worker?.stop();
  await t?.close();
});

async function signIn(key: string, path = '/console?lang=en'): Promise<Page> {
  const page = await b.newPage();
  await page.goto(`${b.base}${path}`);
  await page.fill('input[name=key]', key);
  await page.click('button[type=submit]');
  await page.waitForLoadState();
  return page;
}

describe("the officials' console", () => {
  it("refuses a key that is not an official's, and never puts the key in a URL, a page or a log", async () => {
    const platformPage = await signIn(s.p.key);
    expect(await platformPage.locator('[role=alert]').innerText()).toContain("not a valid official's or operator's key");

    const page = await signIn(s.official.key);
    expect(page.url()).toBe(`${b.base}/console?lang=en`);
    const [cookie] = await page.context().cookies();
    expect(cookie).toMatchObject({ name: 'haipai_console', httpOnly: true, sameSite: 'Strict', path: '/console' });
    expect(cookie!.value).not.toContain(s.official.key);
    expect(await page.evaluate(() => document.cookie)).toBe('');
    expect(await page.content()).not.toContain(s.official.key);
    const logged = JSON.stringify((t.deps.log as MemoryLogger).lines);
    expect(logged).toContain('/console/login');
    expect(logged).not.toContain(s.official.key);
    await b.expectAccessible(page);
  });

  it('shows the submission beside its near-duplicate with the Hamming distances, then approves it through the forms', async () => {
    const page = await signIn(s.official.key);
    const item = page.locator(`section#${s.submitted.id}`);
    expect(await item.locator('h2').innerText()).toContain('Cloud Brocade (copy?)');
    expect(await item.innerText()).toContain('Similar works found');
    const match = item.locator('figure.match').first();
    expect(await match.innerText()).toContain('Cloud Brocade');
    expect(await match.innerText()).toContain(s.registered.registrationNumber);
    const distances = await item.locator('.distance').allInnerTexts();
    expect(distances.length).toBeGreaterThan(0);
    for (const d of distances) expect(Number(d)).toBeLessThanOrEqual(10);
    // Both images load, through the console's proxy (the submission's preview is not public).
    const images = item.locator('img.preview');
    expect(await images.count()).toBeGreaterThanOrEqual(2);
    for (const img of await images.all()) {
      await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    }
    await b.expectAccessible(page);
    await b.screenshots('/console?lang=en', 'console', async (p) => {
      await p.fill('input[name=key]', s.official.key);
      await p.click('button[type=submit]');
      await p.waitForLoadState();
    });

    await item.locator('button[value=start]').click();
    await page.waitForLoadState();
    expect(await page.locator('#notice').innerText()).toContain(`start ${s.submitted.id}`);
    await page.locator(`section#${s.submitted.id} button[value=approve]`).click();
    await page.waitForLoadState();
    expect(await page.locator('#notice').innerText()).toContain(`approve ${s.submitted.id}`);
    expect(await page.locator(`section#${s.submitted.id}`).count()).toBe(0);

    const asset = w.ok(await t.call('GET', `/v1/assets/${s.submitted.id}`, { key: s.official.key }), 200);
    expect(asset.status).toBe('registered');
    const provenance = w.ok(await t.call('GET', `/v1/audit/assets/${s.submitted.id}/provenance`, { key: s.official.key }), 200);
    expect(provenance.reviews.map((r: { action: string; officialId: string }) => [r.action, r.officialId])).toEqual([
      ['start', s.official.id],
      ['approve', s.official.id],
    ]);
  });

  it('refuses a form post without the session token, or from another origin', async () => {
    const page = await signIn(s.official.key);
    const target = `${b.base}/console/works/${s.registered.id}/review`;
    const noToken = await page.evaluate(async (url) => {
      const res = await fetch(url, { method: 'POST', body: new URLSearchParams({ action: 'start' }) });
      return res.status;
    }, target);
    expect(noToken).toBe(403);
    const foreign = await page.request.post(target, {
      form: { action: 'start', csrf: 'x' },
      headers: { origin: 'https://evil.example' },
    });
    expect(foreign.status()).toBe(403);

    // Signing out drops the session; the desk's pages then lead back to the sign-in form.
    await page.click('form[action*="/console/logout"] button');
    await page.waitForLoadState();
    expect(await page.context().cookies()).toEqual([]);
    await page.goto(`${b.base}/console/audit?lang=en`);
    expect(new URL(page.url()).pathname).toBe('/console');
    expect(await page.locator('input[name=key]').count()).toBe(1);
  });

  it('audits ownership and freezes, and shows the operator the access log of official reads', async () => {
    const page = await signIn(s.official.key);
    await page.goto(`${b.base}/console/audit?lang=en&asset=${s.registered.id}`);
    expect(await page.locator('#provenance').innerText()).toContain('Cloud Brocade');
    expect(await page.locator('#ownership').innerText()).toContain(s.creator);
    await b.expectAccessible(page);

    const now = new Date().toISOString();
    await page.goto(`${b.base}/console/audit?lang=en&unit=${s.unit.id}&at=${now}`);
    expect(await page.locator('#owner-at').innerText()).toContain(s.creator);
    await page.fill('form[action*="/freezes"] input[name=reason]', 'Ownership disputed at the desk');
    await page.click('form[action*="/freezes"] button');
    await page.waitForLoadState();
    expect(await page.locator('#notice').innerText()).toContain(`freeze ${s.unit.id}`);
    expect(await page.locator('#freezes').innerText()).toMatch(/official\s+Ownership disputed at the desk/);
    expect(w.ok(await t.call('GET', `/v1/units/${s.unit.id}`), 200).frozen).toBe(true);
    await page.fill('form[action*="/lift"] input[name=reason]', 'Resolved');
    await page.click('form[action*="/lift"] button');
    await page.waitForLoadState();
    expect(await page.locator('#freezes').innerText()).toContain('lifted');
    expect(w.ok(await t.call('GET', `/v1/units/${s.unit.id}`), 200).frozen).toBe(false);

    const operator = await signIn(OPERATOR_KEY);
    await operator.goto(`${b.base}/console/access-log?lang=en`);
    const log = await operator.locator('#access-log').innerText();
    expect(log).toContain(`GET /v1/audit/assets/${s.registered.id}/provenance`);
    expect(log).toContain(s.official.id);
  });

  it('asked no other origin for anything', () => {
    expect(b.foreignRequests).toEqual([]);
    expect(b.pageErrors).toEqual([]);
  });
});
