import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dutchPrice } from '../src/features/market/dutch-price.js';
import { runMarketWork } from '../src/scheduled.js';
import { startTestApp, type TestApp } from './support/harness.js';
import { marketWorld } from './support/market.js';

// The board's price sorts order by a stored sort key (README "Performance", schema/0026): set when
// a listing is made, raised by every accepted bid, refreshed for Dutch listings by the scheduler.
// Each test lists in a currency of its own, so that the board shows only its listings. With
// TEST_DATABASE_URL set, the simultaneous bids below are concurrent transactions on PostgreSQL.
let t: TestApp;
let m: ReturnType<typeof marketWorld>;
let p: { id: string; key: string };
let seller: string;
let units: string[];

type Item = { id: string; kind: string; price: number | null };
type Page = { data: Item[]; nextCursor: string | null; asOf: string };

const HOUR = 3600;
const at = (seconds: number) => new Date(t.clock.now().getTime() + seconds * 1000).toISOString();

beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '0' });
  m = marketWorld(t);
  const w = await m.work({ size: 40 });
  p = w.p;
  seller = (await m.accounts(p, 1))[0]!;
  units = ((await m.mint(p, w.edition.id, 40, seller)).units as { id: string }[]).map((u) => u.id);
});
afterAll(async () => t?.close());

let nextUnit = 0;
async function list(currency: string, body: Record<string, unknown>): Promise<string> {
  const listing = await m.list(p, { currency, sellerId: seller, unitId: units[nextUnit++], ...body });
  return listing.id as string;
}
const fixed = (currency: string, price: number) => list(currency, { kind: 'fixed', price });
const english = (currency: string, startPrice: number) =>
  list(currency, { kind: 'english', startPrice, minIncrement: 10, antiSnipeSeconds: 0, endsAt: at(2 * 24 * HOUR) });
const dutch = (currency: string, startPrice: number, floorPrice: number) =>
  list(currency, { kind: 'dutch', startPrice, floorPrice, endsAt: at(2 * HOUR) });

async function bidders(n: number, currency: string): Promise<string[]> {
  const accounts = await m.accounts(p, n);
  for (const a of accounts) await m.topUp(a, 1_000_000, currency);
  return accounts;
}
const bid = (listingId: string, bidderId: string, amount: number) =>
  t.call('POST', `/v1/listings/${listingId}/bids`, { key: p.key, body: { bidderId, amount } });

async function page(query: string, after?: string | null): Promise<Page> {
  const cursor = after ? `&after=${encodeURIComponent(after)}` : '';
  return m.ok(await t.call('GET', `/v1/board/listings?${query}${cursor}`), 200);
}

/** Every page of a walk, in order. */
async function walk(query: string, between?: (pageNo: number) => Promise<void>): Promise<Item[]> {
  const items: Item[] = [];
  let after: string | null = null;
  let n = 0;
  do {
    const p: Page = await page(query, after);
    items.push(...p.data);
    after = p.nextCursor;
    n++;
    if (after && between) await between(n);
  } while (after && n < 50);
  return items;
}

/** The same items ordered by the price they show (ties by id in the sort's direction), sealed last by id. */
function byShownPrice(items: Item[], dir: 'asc' | 'desc'): Item[] {
  const sign = dir === 'asc' ? 1 : -1;
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...items].sort((a, b) => {
    if (a.price === null || b.price === null) return a.price === b.price ? cmp(a.id, b.id) : a.price === null ? 1 : -1;
    return sign * (a.price - b.price || cmp(a.id, b.id));
  });
}

describe('board price sorts on the stored sort key', () => {
  it('orders fixed-price and English listings by their exact price, bids included, sealed-bid ones last', async () => {
    const cur = 'GBP';
    for (const price of [500, 1200, 2000, 3100, 1200]) await fixed(cur, price);
    const e1 = await english(cur, 700);
    const e2 = await english(cur, 1000);
    await english(cur, 1500);
    await list(cur, { kind: 'sealed', endsAt: at(24 * HOUR), revealEndsAt: at(48 * HOUR) });
    const [b1, b2] = await bidders(2, cur);
    m.ok(await bid(e1, b1!, 2500), 201); // from below every fixed price but one to above them
    m.ok(await bid(e2, b2!, 1100), 201);
    m.ok(await bid(e2, b1!, 1210), 201); // past the two listings at 1,200

    for (const dir of ['asc', 'desc'] as const) {
      for (const limit of [1, 3, 100]) {
        const items = await walk(`currency=${cur}&sort=price_${dir}&limit=${limit}`);
        expect(items.length, `${dir} ${limit}`).toBe(9);
        expect(items, `${dir} ${limit}`).toEqual(byShownPrice(items, dir));
      }
    }
    const asc = await walk(`currency=${cur}&sort=price_asc&limit=4`);
    expect(asc.map((i) => i.price)).toEqual([500, 1200, 1200, 1210, 1500, 2000, 2500, 3100, null]);
    // Filters keep the order.
    const auctions = await walk(`currency=${cur}&listingKind=english&sort=price_desc&limit=2`);
    expect(auctions.map((i) => [i.id, i.price])).toEqual([
      [e1, 2500],
      [expect.any(String), 1500],
      [e2, 1210],
    ]);
  });

  it('keeps English listings in price order under simultaneous bids', async () => {
    const cur = 'CHF';
    const auctions = [await english(cur, 1000), await english(cur, 1000), await english(cur, 1000)];
    for (const price of [1500, 3000, 6000]) await fixed(cur, price);
    const accounts = await bidders(8, cur);
    // Rounds of simultaneous bids by everyone on every auction: many are refused as too low.
    for (let round = 1; round <= 3; round++) {
      const answers = await Promise.all(
        accounts.flatMap((a, i) => auctions.map((l, j) => bid(l, a, 1000 + round * 700 * (j + 1) + i * 37))),
      );
      for (const r of answers) expect([201, 409], JSON.stringify(r.body)).toContain(r.status);
    }
    const items = await walk(`currency=${cur}&sort=price_asc&limit=2`);
    expect(items).toEqual(byShownPrice(items, 'asc'));
    // Each auction shows, and is placed by, its highest bid.
    for (const l of auctions) {
      const highest = m.ok(await t.call('GET', `/v1/listings/${l}/auction`), 200).highestBid.amount;
      expect(items.find((i) => i.id === l)!.price).toBe(highest);
    }
    expect(byShownPrice(await walk(`currency=${cur}&sort=price_desc&limit=2`), 'asc')).toEqual(items);
  });

  it('places Dutch listings by their price at the scheduler’s last refresh, and shows the exact price', async () => {
    const cur = 'SEK';
    const steep = await dutch(cur, 4000, 1000); // falls 1,500 an hour
    const gentle = await dutch(cur, 2600, 2500); // falls 50 an hour
    const flat = await fixed(cur, 2560);
    const rows = await t.deps.db.selectFrom('listings').selectAll().where('id', 'in', [steep, gentle]).execute();
    const exact = (id: string, asOf: string) => {
      const l = rows.find((r) => r.id === id)!;
      const a = { startPrice: l.start_price!, floorPrice: l.floor_price!, startsAt: l.starts_at, endsAt: l.ends_at! };
      return Number(dutchPrice(a, new Date(asOf)));
    };
    const desc = () => page(`currency=${cur}&sort=price_desc`);
    expect((await desc()).data.map((i) => i.id)).toEqual([steep, gentle, flat]);

    t.clock.advance(HOUR); // steep is now at about 2,500, gentle at 2,550
    // Before a refresh the places are the old ones, but the prices shown are those of now; the
    // board only reads, so reading does not move them.
    for (let i = 0; i < 2; i++) {
      const stale = await desc();
      expect(stale.data.map((x) => x.id)).toEqual([steep, gentle, flat]);
      expect(stale.data.map((x) => x.price)).toEqual([exact(steep, stale.asOf), exact(gentle, stale.asOf), 2560]);
    }

    await runMarketWork(t.deps);
    const fresh = await desc();
    expect(fresh.data.map((x) => x.id)).toEqual([flat, gentle, steep]);
    expect(fresh.data.map((x) => x.price)).toEqual([2560, exact(gentle, fresh.asOf), exact(steep, fresh.asOf)]);
    expect((await page(`currency=${cur}&sort=price_asc`)).data.map((x) => x.id)).toEqual([steep, gentle, flat]);

    // A key is redone once its price has fallen by 0.5 %, but not within a minute: the steep one
    // (about 0.4 a second) after a minute, the gentle one (50 an hour, 0.5 % is 12) not within five.
    const key = async (id: string) =>
      (await t.deps.db.selectFrom('listings').select('board_price').where('id', '=', id).executeTakeFirstOrThrow()).board_price;
    const [steepKey, gentleKey] = [await key(steep), await key(gentle)];
    t.clock.advance(30);
    await runMarketWork(t.deps);
    expect(await key(steep)).toBe(steepKey);
    t.clock.advance(270);
    await runMarketWork(t.deps);
    expect(Number(await key(steep))).toBeLessThan(Number(steepKey));
    expect(await key(gentle)).toBe(gentleKey);
    const shown = (await desc()).data.find((x) => x.id === gentle)!.price!;
    expect(shown).toBeLessThan(Number(gentleKey));
    expect(shown).toBeGreaterThan(Number(gentleKey) * 0.995);
  });

  it('walks every listing exactly once; one whose price rises past the cursor during the walk shows again', async () => {
    const cur = 'NOK';
    const f = [await fixed(cur, 100), await fixed(cur, 200), await fixed(cur, 300), await fixed(cur, 400)];
    const x = await english(cur, 150);
    const y = await english(cur, 350);
    const [b] = await bidders(1, cur);
    const seen = await walk(`currency=${cur}&sort=price_asc&limit=2`, async (n) => {
      if (n !== 1) return;
      // After the first page (100 and X at 150): X rises behind the cursor to 500, Y ahead of it to 360.
      m.ok(await bid(x, b!, 500), 201);
      m.ok(await bid(y, b!, 360), 201);
    });
    expect(seen.map((i) => [i.id, i.price])).toEqual([
      [f[0], 100],
      [x, 150],
      [f[1], 200],
      [f[2], 300],
      [y, 360],
      [f[3], 400],
      [x, 500],
    ]);
    // Nothing changing, a walk sees each listing once.
    const again = await walk(`currency=${cur}&sort=price_desc&limit=3`);
    expect(again.map((i) => i.id)).toEqual([x, f[3], y, f[2], f[1], f[0]]);
  });
});
