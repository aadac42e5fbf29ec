/**
 * The certificate pages list who cosigned the checkpoint they are verified against, checked in
 * chromium with the witness keys the server is configured with (TLOG_WITNESSES), and say whether
 * the quorum (TLOG_WITNESS_QUORUM) is met. Real witnesses cosign over HTTP; a tampered proof
 * shows which cosignature fails and that the quorum is then not met.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectCosignatures } from '../src/features/tlog/cosign.service.js';
import { integrateLog } from '../src/features/tlog/integrate.js';
import { generateSignerKey, verifierKeyFromSigner } from '../src/features/tlog/note.js';
import { startBrowserSession } from './support/browser.js';
import { startTestApp, TEST_LOG_ORIGIN, type TestApp } from './support/harness.js';
import { marketWorld } from './support/market.js';
import { startWitness, type TestWitness } from './support/witness.js';
import { independentCosignatureCheck, independentKeyId } from './witness/cosignature-independent.js';

let t: TestApp;
let b: Awaited<ReturnType<typeof startBrowserSession>>;
let vkey: string;
let ipoffice: TestWitness;
let exchange: TestWitness;
let court: TestWitness;
let stranger: TestWitness;
let s: { assetId: string; tradeId: string };
/** An app, four witnesses, a sale and chromium: more than the default hook timeout on a loaded machine. */
const SETUP_TIMEOUT = 240_000;

const keyIdOf = (w: TestWitness) => independentKeyId(w.cosigner.name, Buffer.from(w.cosigner.publicKey)).toString('hex');

beforeAll(async () => {
  const logKey = await generateSignerKey(TEST_LOG_ORIGIN);
  vkey = await verifierKeyFromSigner(logKey);
  ipoffice = await startWitness({ name: 'ipoffice.example/witness', logKeys: [vkey] });
  exchange = await startWitness({ name: 'exchange.example/witness', logKeys: [vkey] });
  // Configured, but it witnesses another log: it answers 404 and never cosigns this one.
  court = await startWitness({
    name: 'court.example/witness',
    logKeys: [await verifierKeyFromSigner(await generateSignerKey('other.example/log'))],
  });
  // Not configured on this site at all.
  stranger = await startWitness({ name: 'stranger.example/witness', logKeys: [vkey] });
  t = await startTestApp({
    NOTICE_PERIOD: '0',
    TLOG_SIGNING_KEY: logKey,
    TLOG_WITNESSES: JSON.stringify([
      { url: await ipoffice.listen(), key: ipoffice.cosigner.verifierKey },
      { url: await exchange.listen(), key: exchange.cosigner.verifierKey },
      { url: await court.listen(), key: court.cosigner.verifierKey },
    ]),
    TLOG_WITNESS_QUORUM: '2',
    TLOG_WITNESS_ATTEMPTS: '1',
  });
  const m = marketWorld(t);
  const { p, creator, edition, asset } = await m.work({ size: 3, royaltyBps: 500 });
  const [buyer] = await m.accounts(p, 1);
  await m.topUp(buyer!, 100_000);
  const listing = await m.list(p, { kind: 'fixed', sellerId: creator, editionId: edition.id, quantity: 1, price: 12800 });
  const trade = m.ok(await m.buy(p, listing.id, buyer!), 201);
  await integrateLog(t.deps);
  expect(await collectCosignatures(t.deps)).toMatchObject({ cosigned: 2, quorum: 2 });
  s = { assetId: asset.id, tradeId: trade.id };
  b = await startBrowserSession(t);
}, SETUP_TIMEOUT);
afterAll(async () => {
  await b?.close();
  await t?.close();
  for (const w of [ipoffice, exchange, court, stranger]) await w?.close();
});

/** The witness panel once the browser has checked it: its state, status line and table rows. */
async function cosigners(page: Page) {
  const panel = page.locator('#witnesses');
  await expect.poll(() => panel.getAttribute('data-state')).toMatch(/^(verified|failed|none|skipped)$/);
  const rows = await panel
    .locator('tbody tr')
    .evaluateAll((trs) =>
      trs.map((tr) => [tr.getAttribute('data-verdict'), ...[...tr.querySelectorAll('td')].map((td) => td.textContent)]),
    );
  return {
    state: await panel.getAttribute('data-state'),
    quorum: await panel.getAttribute('data-quorum'),
    status: await panel.locator('[data-role=status]').innerText(),
    rows,
  };
}

/** The cosignature's time as the page shows it, read independently from the served checkpoint. */
async function cosignedAt(w: TestWitness): Promise<string> {
  const note = (await t.call('GET', '/log/checkpoint')).text;
  const line = note.split('\n').find((l) => l.startsWith(`— ${w.cosigner.name} `))!;
  const seconds = independentCosignatureCheck(w.cosigner.verifierKey, note, line);
  expect(seconds).not.toBeNull();
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

describe('certificate pages show the witnesses that cosigned', () => {
  it("a work certificate lists each cosigner with key ID and time, checked with the site's witness keys; 2 of 3 meets the quorum", async () => {
    const page = await b.newPage();
    await page.goto(`${b.base}/works/${s.assetId}/certificate?lang=en`);
    await expect.poll(() => page.locator('#verify').getAttribute('data-state')).toBe('verified');
    const shown = await cosigners(page);
    expect({ ...shown, rows: [...shown.rows].sort() }).toEqual({
      state: 'verified',
      quorum: 'met',
      status: 'Quorum met: 2 valid cosignatures, 2 required (of 3 witnesses).',
      rows: [
        ['valid', ipoffice.cosigner.name, keyIdOf(ipoffice), await cosignedAt(ipoffice), '✓ valid for the configured key'],
        ['valid', exchange.cosigner.name, keyIdOf(exchange), await cosignedAt(exchange), '✓ valid for the configured key'],
        ['missing', court.cosigner.name, keyIdOf(court), '–', 'no cosignature on this checkpoint'],
      ].sort(),
    });
    await b.expectAccessible(page);
  });

  it('a trade certificate in Chinese says the same', async () => {
    const page = await b.newPage();
    await page.goto(`${b.base}/trades/${s.tradeId}/certificate`);
    const shown = await cosigners(page);
    expect(shown.quorum).toBe('met');
    expect(shown.status).toBe('达到法定数：2 个有效联署，要求 2 个（共 3 个见证人）。');
    expect(shown.rows.map((r) => r[0]).sort()).toEqual(['missing', 'valid', 'valid']);
  });

  it('a tampered cosignature shows as invalid, an unconfigured witness is not counted, and the quorum is not met', async () => {
    const page = await b.newPage();
    await page.route('**/v1/log/entries/*/tlog-proof', async (route) => {
      const res = await route.fetch();
      const proof = await res.text();
      const lines = proof.split('\n');
      // Move the IP office's cosignature one second later: its Ed25519 signature no longer matches.
      const at = lines.findIndex((l) => l.startsWith(`— ${ipoffice.cosigner.name} `));
      const blob = Buffer.from(lines[at]!.split(' ')[2]!, 'base64');
      blob.writeBigUInt64BE(blob.readBigUInt64BE(4) + 1n, 4);
      lines[at] = `— ${ipoffice.cosigner.name} ${blob.toString('base64')}`;
      // A genuine cosignature, by a witness this site does not trust.
      const checkpointText = proof.slice(proof.indexOf('\n\n') + 2, proof.lastIndexOf('\n\n') + 1);
      const extra = (await stranger.cosigner.cosign(checkpointText, 1_800_000_000)).trimEnd();
      lines.splice(lines.length - 1, 0, extra);
      await route.fulfill({ response: res, body: lines.join('\n') });
    });
    await page.goto(`${b.base}/trades/${s.tradeId}/certificate?lang=en`);
    // The log's own signature is untouched: the entry is still proven included.
    await expect.poll(() => page.locator('#verify').getAttribute('data-state')).toBe('verified');
    const shown = await cosigners(page);
    expect(shown.state).toBe('failed');
    expect(shown.quorum).toBe('not-met');
    expect(shown.status).toBe('Quorum not met: 1 valid cosignatures, 2 required (of 3 witnesses).');
    expect(shown.rows).toContainEqual([
      'invalid',
      ipoffice.cosigner.name,
      keyIdOf(ipoffice),
      expect.stringMatching(/ UTC$/),
      '✗ does not verify',
    ]);
    expect(shown.rows).toContainEqual([
      'unknown',
      stranger.cosigner.name,
      keyIdOf(stranger),
      '2027-01-15 08:00:00 UTC',
      'key not configured here, not counted',
    ]);
    expect(shown.rows).toContainEqual([
      'valid',
      exchange.cosigner.name,
      keyIdOf(exchange),
      await cosignedAt(exchange),
      '✓ valid for the configured key',
    ]);
  });

  it('when the inclusion proof fails, the cosignatures are not vouched for', async () => {
    const page = await b.newPage();
    await page.route('**/v1/log/entries/*/tlog-proof', async (route) => {
      const res = await route.fetch();
      await route.fulfill({ response: res, body: (await res.text()).replace(/^index \d+$/m, 'index 999') });
    });
    await page.goto(`${b.base}/trades/${s.tradeId}/certificate?lang=en`);
    await expect.poll(() => page.locator('#verify').getAttribute('data-state')).toBe('failed');
    const shown = await cosigners(page);
    expect(shown).toMatchObject({
      state: 'skipped',
      status: 'Cosignatures not checked: the inclusion proof did not verify.',
      rows: [],
    });
  });

  it('no page asked another origin for anything, and no script failed', () => {
    expect(b.foreignRequests).toEqual([]);
    expect(b.pageErrors).toEqual([]);
  });
});

describe('a site without witnesses', () => {
  let bare: TestApp;
  let bareBrowser: Awaited<ReturnType<typeof startBrowserSession>>;
  let assetId: string;
  beforeAll(async () => {
    bare = await startTestApp({ NOTICE_PERIOD: '0' });
    assetId = (await marketWorld(bare).work({ size: 1, royaltyBps: 0 })).asset.id;
    await integrateLog(bare.deps);
    bareBrowser = await startBrowserSession(bare);
  }, SETUP_TIMEOUT);
  afterAll(async () => {
    await bareBrowser?.close();
    await bare?.close();
  });

  it('says the checkpoint carries the log signature alone, with no quorum to meet', async () => {
    const page = await bareBrowser.newPage();
    await page.goto(`${bareBrowser.base}/works/${assetId}/certificate?lang=en`);
    await expect.poll(() => page.locator('#verify').getAttribute('data-state')).toBe('verified');
    expect(await cosigners(page)).toEqual({
      state: 'none',
      quorum: null,
      status: 'This site has no witnesses configured: the checkpoint carries the log’s signature alone.',
      rows: [],
    });
    expect(await page.locator('#witnesses table').isHidden()).toBe(true);
    expect(bareBrowser.pageErrors).toEqual([]);
  });
});
