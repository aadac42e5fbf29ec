import { Kysely, sql } from 'kysely';
import { PostgresJSDialect } from 'kysely-postgres-js';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import type { Database } from '../src/db/schema.js';
import { runScheduledWork } from '../src/scheduled.js';
import { asTestAppRole } from './support/app-role.js';
import { OPERATOR_KEY, startTestApp, type TestApp } from './support/harness.js';
import { marketWorld } from './support/market.js';
import { StatementRecorder } from './support/statement-recorder.js';

/*
 * Public GETs never write: a work whose notice has ended is registered by the scheduler or by the
 * writing request that needs it, an auction past its end is closed by the scheduler, and reads
 * compute what they show. The app below is the same app on a database handle that records every
 * statement; every public read of a world full of things that have come due must run no write,
 * and leave every table as it was.
 */
let t: TestApp;
let m: ReturnType<typeof marketWorld>;
beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '1h' });
  m = marketWorld(t);
});
afterAll(async () => t?.close());

const HOUR = 3600;

describe('public reads', () => {
  it('write nothing, even when notices, auctions, listings and offers have come due', async () => {
    const p = await m.platform();
    const off = await m.official();
    const creator = await m.account(p);
    const asset = await m.registeredAsset(p, off, creator);
    // Its notice ends; the writing request that issues an edition registers it.
    t.clock.advance(HOUR + 1);
    const edition = await m.edition(p, asset.id, 20);
    const units = m.ok(await t.call('POST', `/v1/editions/${edition.id}/mint`, { key: p.key, body: { count: 6 } }), 201)
      .units as { id: string }[];
    const [buyer, bidder] = await m.accounts(p, 2);
    await m.topUp(buyer!, 1_000_000);
    await m.topUp(bidder!, 1_000_000);
    const soon = new Date(t.clock.now().getTime() + 60_000).toISOString();
    const later = new Date(t.clock.now().getTime() + 120_000).toISOString();
    const fixed = await m.list(p, { kind: 'fixed', sellerId: creator, unitId: units[0]!.id, price: 5000 });
    const sold = await m.list(p, { kind: 'fixed', sellerId: creator, unitId: units[1]!.id, price: 7000 });
    m.ok(await m.buy(p, sold.id, buyer!), 201);
    const dutch = await m.list(p, {
      kind: 'dutch',
      sellerId: creator,
      unitId: units[2]!.id,
      startPrice: 9000,
      floorPrice: 1000,
      endsAt: soon,
    });
    const english = await m.list(p, {
      kind: 'english',
      sellerId: creator,
      unitId: units[3]!.id,
      startPrice: 1000,
      minIncrement: 100,
      endsAt: soon,
      antiSnipeSeconds: 0,
    });
    m.ok(await t.call('POST', `/v1/listings/${english.id}/bids`, { key: p.key, body: { bidderId: bidder, amount: 1500 } }), 201);
    const sealed = await m.list(p, {
      kind: 'sealed',
      sellerId: creator,
      unitId: units[4]!.id,
      endsAt: soon,
      revealEndsAt: later,
    });
    const offer = m.ok(
      await t.call('POST', `/v1/units/${units[5]!.id}/offers`, {
        key: p.key,
        body: { buyerId: buyer, currency: 'CNY', amount: 100, expiresAt: soon },
      }),
      201,
    );
    const second = await m.registeredAsset(p, off, creator); // under notice
    await runScheduledWork(t.deps); // integrates the log
    const trade = (await t.deps.db.selectFrom('trades').select('id').executeTakeFirstOrThrow()).id;

    // Everything comes due: the notice ends, the auctions end, the Dutch listing and the offer expire.
    t.clock.advance(HOUR + 1);
    const recorder = new StatementRecorder();
    const reader = createApp({ ...t.deps, db: t.deps.db.withPlugin(recorder) });
    const before = await m.counts();
    const statuses = async () => ({
      assets: await t.deps.db.selectFrom('assets').select(['id', 'status']).orderBy('id').execute(),
      listings: await t.deps.db.selectFrom('listings').select(['id', 'status']).orderBy('id').execute(),
      offers: await t.deps.db.selectFrom('offers').select(['id', 'status']).orderBy('id').execute(),
    });
    const statusesBefore = await statuses();

    const paths = [
      '/v1/assets',
      `/v1/assets/${asset.id}`,
      `/v1/assets/${second.id}`,
      `/v1/assets/${asset.id}/certificate`,
      `/v1/assets/${second.id}/certificate`,
      `/v1/assets/${asset.id}/history`,
      `/v1/assets/${asset.id}/editions`,
      `/v1/editions/${edition.id}`,
      `/v1/editions/${edition.id}/units`,
      `/v1/units/${units[0]!.id}`,
      `/v1/units/${units[1]!.id}/history`,
      `/v1/units/${units[5]!.id}/offers`,
      `/v1/offers/${offer.id}`,
      ...[fixed, sold, dutch, english, sealed].flatMap((l) => [`/v1/listings/${l.id}`, `/v1/board/listings/${l.id}/spec`]),
      `/v1/listings/${english.id}/bids`,
      `/v1/listings/${english.id}/auction`,
      `/v1/listings/${sealed.id}/commitments`,
      `/v1/listings/${sealed.id}/auction`,
      '/v1/board/listings',
      '/v1/board/listings?sort=price_asc',
      '/v1/board/trades',
      '/v1/board/stats',
      '/v1/log/checkpoints',
      '/v1/log/entries/0',
      '/log/checkpoint',
    ];
    for (const path of paths) {
      recorder.reset();
      const res = await reader.request(path);
      expect(res.status, `${path}: ${await res.clone().text()}`).toBeLessThan(500);
      expect(recorder.writes, path).toEqual([]);
      expect(recorder.count, path).toBeGreaterThan(0);
    }
    // On PostgreSQL, the database itself enforces it: the same reads on connections whose every
    // transaction is READ ONLY (a write would fail with 25006 and answer 500).
    if (t.flavour === 'postgres') {
      const { rows } = await sql<{ search_path: string }>`show search_path`.execute(t.deps.db);
      const client = postgres(asTestAppRole(process.env.DATABASE_URL!), {
        max: 2,
        onnotice: () => {},
        types: { bigint: postgres.BigInt },
        connection: { search_path: rows[0]!.search_path, default_transaction_read_only: true },
      });
      await client`select 1`;
      const readOnly = new Kysely<Database>({ dialect: new PostgresJSDialect({ postgres: client }) });
      try {
        const guarded = createApp({ ...t.deps, db: readOnly });
        for (const path of paths) {
          const res = await guarded.request(path);
          expect(res.status, `${path} (read-only): ${await res.clone().text()}`).toBeLessThan(500);
        }
        // …and it would notice a write: a top-up fails there.
        const write = await guarded.request('/v1/balances/top-ups', {
          method: 'POST',
          headers: { authorization: `Bearer ${OPERATOR_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ holderId: buyer, currency: 'CNY', amount: 1 }),
        });
        expect(write.status).toBe(500);
      } finally {
        await readOnly.destroy();
        await client.end();
      }
    }
    expect(await m.counts()).toEqual(before);
    expect(await statuses()).toEqual(statusesBefore);
    // What the reads showed is what has come due, computed rather than written.
    const englishView = m.ok(await t.call('GET', `/v1/listings/${english.id}/auction`), 200);
    expect(englishView).toMatchObject({ status: 'open', phase: 'ended' });
    expect(m.ok(await t.call('GET', `/v1/listings/${dutch.id}`), 200).status).toBe('expired');
    expect(m.ok(await t.call('GET', `/v1/offers/${offer.id}`), 200).status).toBe('expired');
    expect(trade).toMatch(/^trd_/);
    // The recorder does see writes: a top-up through the same reader app is one.
    recorder.reset();
    const topUp = await reader.request('/v1/balances/top-ups', {
      method: 'POST',
      headers: { authorization: `Bearer ${OPERATOR_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ holderId: buyer, currency: 'CNY', amount: 1 }),
    });
    expect(topUp.status).toBe(201);
    expect(recorder.writes.length).toBeGreaterThan(0);

    // The scheduler's tick writes what the reads did not.
    await runScheduledWork(t.deps);
    expect(m.ok(await t.call('GET', `/v1/assets/${second.id}`), 200).status).toBe('registered');
    expect(m.ok(await t.call('GET', `/v1/listings/${english.id}/auction`), 200)).toMatchObject({
      status: 'closed',
      outcome: { result: 'won', winnerId: bidder },
    });
  });
});
