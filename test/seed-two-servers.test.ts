import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHaipaiClient, items, unwrap } from '../clients/typescript/src/index.js';
import { runSeed } from './support/seed-process.js';
import { type ServerProcess, spawnServer } from './support/server-process.js';

// Two embedded instances side by side (each its own PORT and DATA_DIR), as a newcomer would start
// them; `npm run seed` fills one, reading the operator key from that instance's DATA_DIR.
let dir: string;
const servers: ServerProcess[] = [];

function serverEnv(name: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: join(dir, name),
    PORT: '0',
    NOTICE_PERIOD: '0',
  };
  delete env.DATABASE_URL;
  delete env.OPERATOR_API_KEY;
  return env;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'haipai-two-'));
  servers.push(...(await Promise.all([spawnServer(serverEnv('one')), spawnServer(serverEnv('two'))])));
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop('SIGTERM')));
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('seeds one of two embedded servers running at once, without OPERATOR_API_KEY, into a living board', async () => {
  const [one, two] = servers as [ServerProcess, ServerProcess];
  expect(one.baseUrl).not.toBe(two.baseUrl);

  const seeded = await runSeed(one.baseUrl, join(dir, 'one'));
  expect(seeded.stdout).toContain(`operator key from ${join(dir, 'one', 'operator-api-key')}`);

  const board = createHaipaiClient({ baseUrl: one.baseUrl });
  const trades = [];
  for await (const trade of items((after) => board.GET('/v1/board/trades', { params: { query: { after, limit: 5 } } }))) {
    trades.push(trade);
  }
  // Fixed-price sales (primary and secondary), an accepted offer, a Dutch purchase, and the English
  // and sealed-bid auctions that ended during the seed, each with its place in the log.
  expect(trades.length).toBeGreaterThanOrEqual(13);
  expect(new Set(trades.map((t) => t.market))).toEqual(new Set(['fixed', 'offer', 'dutch', 'english', 'sealed']));
  expect(trades.every((t) => t.currency === 'CNY' && t.price > 0)).toBe(true);

  const listings = unwrap(await board.GET('/v1/board/listings', { params: { query: { limit: 100 } } })).data;
  const auctions = listings.filter((l) => l.kind !== 'fixed');
  expect(new Set(auctions.map((l) => l.kind))).toEqual(new Set(['english', 'dutch', 'sealed']));
  expect(auctions.every((l) => l.endsAt !== null && new Date(l.endsAt) > new Date())).toBe(true);
  expect(listings.some((l) => l.kind === 'fixed')).toBe(true);

  const stats = unwrap(await board.GET('/v1/board/stats'));
  const cny = stats.total.find((s) => s.currency === 'CNY')!;
  expect(cny.count).toBe(trades.length);
  expect(cny.volume).toBe(trades.reduce((sum, t) => sum + t.price, 0));
  expect(stats.byCategory.length).toBeGreaterThanOrEqual(5);

  // The licence register shows the seed's grants: an exclusive worldwide game licence and a
  // non-exclusive advertising one, each licensee by its pseudonym.
  const licences = unwrap(await board.GET('/v1/board/licences')).data;
  expect(licences.map((g) => g.exclusivity).sort()).toEqual(['exclusive', 'non_exclusive']);
  expect(licences.every((g) => /^p_[0-9a-f]{16}$/.test(g.licensee))).toBe(true);

  // The other instance is untouched: its own database, its own (empty) board.
  const other = createHaipaiClient({ baseUrl: two.baseUrl });
  expect(unwrap(await other.GET('/v1/board/trades')).data).toEqual([]);
}, 900_000);
