import { env, exports } from 'cloudflare:workers';
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresClient } from '../../src/db/postgres.js';
import { call, newAccount, newPlatform, seedWorkWithClosedNotice } from './worker-client.js';

// The web pages rendered by the real Worker in workerd: HTML from hono/jsx over Hyperdrive, the
// built files (npm run build:web) read through the [assets] binding.

let sql: postgres.Sql;
beforeAll(() => {
  sql = postgresClient({ url: env.HYPERDRIVE.connectionString, max: 1 });
});
afterAll(async () => {
  await sql?.end();
});

async function page(path: string) {
  const res = await exports.default.fetch(`https://haipai.test${path}`);
  return { status: res.status, type: res.headers.get('content-type'), html: await res.text() };
}

/** A registered work, one unit sold on the board and settled from the buyer's balance. */
async function settledTrade() {
  const p = await newPlatform('Pages');
  const [seller, buyer] = [await newAccount(p.key, 'Atelier'), await newAccount(p.key, 'Collector')];
  for (const acc of [seller, buyer]) {
    const attested = await call('POST', `/v1/accounts/${acc}/attestations`, {
      key: p.key,
      body: { kycLevel: 'verified', isAdult: true, method: 'id_card_face_match' },
    });
    expect(attested.status, attested.text).toBe(201);
  }
  const assetId = await seedWorkWithClosedNotice(sql, p.id, seller);
  // Reads never write: issuing the edition registers the work whose notice has ended.
  const edition = await call('POST', `/v1/assets/${assetId}/editions`, { key: p.key, body: { size: 5, preset: 'open_market' } });
  expect(edition.status, edition.text).toBe(201);
  const minted = await call('POST', `/v1/editions/${edition.body.id}/mint`, { key: p.key, body: { count: 1 } });
  expect(minted.status, minted.text).toBe(201);
  const topUp = await call('POST', '/v1/balances/top-ups', {
    key: env.OPERATOR_API_KEY,
    body: { holderId: buyer, currency: 'CNY', amount: 10_000 },
  });
  expect(topUp.status, topUp.text).toBe(201);
  const listing = await call('POST', '/v1/listings', {
    key: p.key,
    body: { kind: 'fixed', sellerId: seller, unitId: minted.body.units[0].id, currency: 'CNY', price: 8800 },
  });
  expect(listing.status, listing.text).toBe(201);
  const trade = await call('POST', `/v1/listings/${listing.body.id}/purchase`, { key: p.key, body: { buyerId: buyer } });
  expect(trade.status, trade.text).toBe(201);
  expect(trade.body.status).toBe('settled');
  return { assetId, tradeId: trade.body.id as string };
}

describe('web pages on the Worker', () => {
  it('renders /board with its built files, served through the assets binding', async () => {
    const { assetId, tradeId } = await settledTrade();
    const board = await page('/board?lang=en');
    expect(board.status).toBe(200);
    expect(board.type).toMatch(/^text\/html/);
    expect(board.html).toContain('<html lang="en">');
    expect(board.html).toContain('Qipao 2026');
    expect(board.html).toContain('88.00 CNY');
    expect(board.html).toContain(`/trades/${tradeId}/certificate`);
    const chart = /<script type="module" src="(\/assets\/board-chart\.[A-Z0-9]+\.js)"/.exec(board.html)?.[1];
    expect(chart).toBeDefined();
    const file = await exports.default.fetch(`https://haipai.test${chart}`);
    expect(file.status).toBe(200);
    expect(file.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await file.text()).includes('getElementById("price-chart")')).toBe(true);

    // The work page reads its derivation (the ancestry query) over Hyperdrive too.
    const work = await page(`/works/${assetId}?lang=en`);
    expect(work.status).toBe(200);
    expect(work.html).toContain('<p id="lineage">This work derives from no other, and no public work derives from it yet.</p>');
  });

  it('renders a trade certificate page ready to verify in the browser once the log has the trade', async () => {
    const { tradeId } = await settledTrade();
    let cert = await page(`/trades/${tradeId}/certificate`);
    // The purchase's write schedules log integration after its response (ctx.waitUntil).
    for (let i = 0; i < 50 && !cert.html.includes('data-log-index'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      cert = await page(`/trades/${tradeId}/certificate`);
    }
    expect(cert.status).toBe(200);
    expect(cert.html).toContain('<html lang="zh-CN">');
    expect(cert.html).toContain('交易证书');
    const index = /data-log-index="(\d+)"/.exec(cert.html)?.[1];
    expect(index).toBeDefined();
    expect(cert.html).toMatch(/<script type="module" src="\/assets\/certificate\.[A-Z0-9]+\.js"/);
    const entry = await call('GET', `/v1/log/entries/${index}`);
    expect(JSON.parse(entry.body.entry)).toMatchObject({ type: 'trade.settled', tradeId });
    expect((await page(`/trades/trd_01JABCDEFGHJKMNPQRSTVWXYZ1/certificate`)).status).toBe(404);
  });
});
