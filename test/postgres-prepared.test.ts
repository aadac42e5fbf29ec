import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import type { DatabaseHandle } from '../src/db/database.js';
import { openPostgres } from '../src/db/postgres.js';
import { asTestAppRole } from './support/app-role.js';
import { startTestApp, type TestApp } from './support/harness.js';
import { marketWorld } from './support/market.js';

/*
 * The Node server opens its pool with `prepare: true` (src/db/open.ts): every statement Kysely
 * sends, with or without parameters, must then be a named prepared statement of its connection,
 * parsed once and run in one round trip afterwards, and answers must not change.
 */
const url = process.env.DATABASE_URL;
let t: TestApp;
let prepared: DatabaseHandle;

beforeAll(async () => {
  if (!url) return;
  t = await startTestApp({ NOTICE_PERIOD: '0' });
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(t.deps.db);
  // One connection, so that pg_prepared_statements (per session) shows every statement it ran.
  prepared = await openPostgres({ url: asTestAppRole(url), schema: rows[0]!.schema, prepare: true, max: 1 });
});
afterAll(async () => {
  await prepared?.close();
  await t?.close();
});

describe.runIf(url)('a pool that prepares its statements', () => {
  it('prepares the board pages, parameterless ones too, and answers as the unprepared pool does', async () => {
    const m = marketWorld(t);
    const { p, creator, edition } = await m.work({ size: 10 });
    const [buyer] = await m.accounts(p, 1);
    await m.topUp(buyer!, 100_000);
    for (const price of [1000, 2000, 3000]) {
      const listing = await m.list(p, { kind: 'fixed', sellerId: creator, editionId: edition.id, quantity: 1, price });
      if (price < 3000) m.ok(await m.buy(p, listing.id, buyer!), 201);
    }
    const app = createApp({ ...t.deps, db: prepared.db });
    for (const path of ['/v1/board/listings', '/v1/board/trades', '/v1/board/trades?currency=CNY&limit=1']) {
      // `asOf` is the instant of each read: the rest must match.
      const { asOf: _, ...expected } = m.ok(await t.call('GET', path), 200);
      expect(expected.data.length, path).toBeGreaterThan(0);
      // Past the fifth run PostgreSQL may switch to a generic plan: the answer must stay the same.
      for (let run = 0; run < 7; run++) {
        const res = await app.request(path);
        expect(res.status, path).toBe(200);
        const { asOf: __, ...answer } = await res.json();
        expect(answer, path).toEqual(expected);
      }
    }
    const { rows } = await sql<{ statement: string; parameters: number }>`
      select statement, cardinality(parameter_types) as parameters from pg_prepared_statements`.execute(prepared.db);
    const listings = rows.filter((r) => r.statement.includes('from listings l'));
    const trades = rows.filter((r) => r.statement.includes('join log_leaves'));
    expect(listings.length).toBeGreaterThan(0);
    expect(trades.map((r) => r.parameters).sort()).toEqual([0, 1]);
  });
});
