import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dutchPrice } from '../src/features/market/dutch-price.js';
import { currentPrice, findListing } from '../src/features/market/listings.repo.js';
import { startTestApp, type TestApp } from './support/harness.js';
import { marketWorld } from './support/market.js';

// The board is public: every call here goes without a key. Listings are in EUR so that nothing
// else in this file's database shows up in them.
let t: TestApp;
let m: ReturnType<typeof marketWorld>;

type Item = {
  id: string;
  kind: string;
  price: number | null;
  priceBasis: string | null;
  endsAt: string | null;
  createdAt: string;
  asset: { id: string; kind: string; category: string; title: string; registrationNumber: string };
  edition: { size: number; serial: number | null; remaining: number | null; label: string };
};
type Page = { data: Item[]; nextCursor: string | null; asOf: string };

const at = (seconds: number) => new Date(t.clock.now().getTime() + seconds * 1000).toISOString();
const HOUR = 3600;
const DAY = 86400;

/** The listings of the scenario by letter; see beforeAll. */
const L: Record<string, { id: string; createdAt: string; endsAt: string | null; startsAt: string }> = {};
let dutchListing: { startPrice: number; floorPrice: number; startsAt: string; endsAt: string };

beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '0' });
  m = marketWorld(t);
  const p = await m.platform();
  // W1: a garment in digital_creative; W2: a collectible in brand_marketing.
  const w1 = await m.work({ p, size: 10 });
  const w2 = await m.work({ p, size: 10, asset: { kind: 'collectible', category: 'brand_marketing', title: 'Jade Rabbit' } });
  const [c1, c2, bidder] = await m.accounts(p, 3);
  await m.topUp(bidder!, 2_150, 'EUR'); // bids are funded: 1,500 on D and 650 on H
  const u = (await m.mint(p, w1.edition.id, 3, c1)).units as { id: string }[];
  const v = (await m.mint(p, w2.edition.id, 3, c2)).units as { id: string }[];
  const list = async (key: string, body: Record<string, unknown>) => {
    L[key] = await m.list(p, { currency: 'EUR', ...body });
  };

  await list('A', { kind: 'fixed', sellerId: c1, unitId: u[0]!.id, price: 1000 });
  await list('B', { kind: 'fixed', sellerId: w1.creator, editionId: w1.edition.id, quantity: 3, price: 500 });
  await list('C', {
    kind: 'dutch',
    sellerId: w2.creator,
    editionId: w2.edition.id,
    startPrice: 3000,
    floorPrice: 1000,
    endsAt: at(HOUR),
  });
  dutchListing = { startPrice: 3000, floorPrice: 1000, startsAt: L.C!.startsAt, endsAt: L.C!.endsAt! };
  await list('D', { kind: 'english', sellerId: c2, unitId: v[0]!.id, startPrice: 700, minIncrement: 100, endsAt: at(2 * DAY) });
  m.ok(await t.call('POST', `/v1/listings/${L.D!.id}/bids`, { key: p.key, body: { bidderId: bidder, amount: 1500 } }), 201);
  await list('E', { kind: 'english', sellerId: c2, unitId: v[1]!.id, startPrice: 800, minIncrement: 100, endsAt: at(3 * DAY) });
  await list('F', { kind: 'sealed', sellerId: c2, unitId: v[2]!.id, endsAt: at(DAY), revealEndsAt: at(2 * DAY) });
  // Not open on the board: ends in a minute (fixed, English), cancelled, not started yet.
  await list('G', { kind: 'fixed', sellerId: c1, unitId: u[1]!.id, price: 1200, endsAt: at(60) });
  await list('H', {
    kind: 'english',
    sellerId: c1,
    unitId: u[2]!.id,
    startPrice: 600,
    minIncrement: 50,
    antiSnipeSeconds: 0,
    endsAt: at(60),
  });
  m.ok(await t.call('POST', `/v1/listings/${L.H!.id}/bids`, { key: p.key, body: { bidderId: bidder, amount: 650 } }), 201);
  await list('I', { kind: 'fixed', sellerId: w2.creator, editionId: w2.edition.id, price: 999 });
  m.ok(await t.call('POST', `/v1/listings/${L.I!.id}/cancel`, { key: p.key }), 200);
  await list('J', { kind: 'fixed', sellerId: w1.creator, editionId: w1.edition.id, price: 400, startsAt: at(DAY) });

  t.clock.advance(120); // G and H are past their end; nothing has marked them yet
});
afterAll(async () => t?.close());

async function board(query: string): Promise<Page> {
  return m.ok(await t.call('GET', `/v1/board/listings?currency=EUR&${query}`), 200);
}

/** Every page of a walk, checking that no listing repeats. */
async function walk(query: string, limit: number): Promise<{ items: Item[]; pages: number }> {
  const items: Item[] = [];
  let after: string | null = null;
  let pages = 0;
  do {
    const page: Page = await board(`${query}&limit=${limit}${after ? `&after=${encodeURIComponent(after)}` : ''}`);
    expect(page.data.length).toBeLessThanOrEqual(limit);
    items.push(...page.data);
    after = page.nextCursor;
    pages++;
  } while (after && pages < 20);
  expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
  return { items, pages };
}

const ids = (items: { id: string }[]) => items.map((i) => i.id);
const letters = (items: { id: string }[]) => items.map((i) => Object.keys(L).find((k) => L[k]!.id === i.id) ?? i.id);

describe('GET /v1/board/listings', () => {
  it('shows exactly the open listings: not expired, ended, cancelled or not yet started ones', async () => {
    const { items } = await walk('sort=newest', 100);
    expect(letters(items).sort()).toEqual(['A', 'B', 'C', 'D', 'E', 'F']);
    // The board only reads: the ended fixed listing reads as expired elsewhere, the ended auction is still open in the table.
    expect(m.ok(await t.call('GET', `/v1/listings/${L.G!.id}`), 200).status).toBe('expired');
    const h = await t.deps.db.selectFrom('listings').select('status').where('id', '=', L.H!.id).executeTakeFirstOrThrow();
    expect(h.status).toBe('open');
  });

  it('presents work, edition label, price and its basis', async () => {
    const { items } = await walk('sort=newest', 100);
    const by = (k: string) => items.find((i) => i.id === L[k]!.id)!;
    expect(by('A')).toMatchObject({
      kind: 'fixed',
      price: 1000,
      priceBasis: 'fixed',
      endsAt: null,
      asset: { kind: 'garment', category: 'digital_creative', title: 'Qipao of Light', registrationNumber: expect.any(String) },
      edition: { size: 10, serial: 1, remaining: null, label: '1/10' },
    });
    expect(by('B')).toMatchObject({ price: 500, edition: { serial: null, remaining: 3, label: '3 left' } });
    expect(by('C')).toMatchObject({ kind: 'dutch', priceBasis: 'dutch', asset: { kind: 'collectible', title: 'Jade Rabbit' } });
    expect(by('D')).toMatchObject({ kind: 'english', price: 1500, priceBasis: 'highest_bid' });
    expect(by('E')).toMatchObject({ kind: 'english', price: 800, priceBasis: 'start_price' });
    expect(by('F')).toMatchObject({ kind: 'sealed', price: null, priceBasis: null });
  });

  it('prices a Dutch auction at the request’s instant asOf, exactly as a purchase would', async () => {
    const page = await board('listingKind=dutch');
    expect(ids(page.data)).toEqual([L.C!.id]);
    const asOf = new Date(page.asOf);
    const expected = dutchPrice(
      {
        startPrice: 3000n,
        floorPrice: 1000n,
        startsAt: new Date(dutchListing.startsAt),
        endsAt: new Date(dutchListing.endsAt),
      },
      asOf,
    );
    expect(page.data[0]!.price).toBe(Number(expected));
    expect(page.data[0]!.price).toBeLessThan(3000); // it has been falling for two minutes

    // The SQL formula (schema/0026 `dutch_price`, which the board shows and the Dutch sort keys are
    // refreshed with) against the market's own at many instants, from before the start to after the end.
    const row = await findListing(t.deps.db, L.C!.id);
    const start = row.starts_at.getTime();
    const span = row.ends_at!.getTime() - start;
    for (let i = 0; i < 40; i++) {
      const instant = new Date(start - 5000 + Math.floor((i / 39) * (span + 10_000)) + (i % 7) * 13);
      const { rows } = await sql<{ price: bigint }>`
        select dutch_price(start_price, floor_price, starts_at, ends_at, ${instant}::timestamptz) as price
        from listings where id = ${row.id}`.execute(t.deps.db);
      expect(rows[0]!.price, instant.toISOString()).toBe(currentPrice(row, instant));
    }
  });

  it('filters by work kind, category, listing kind and current price', async () => {
    const sorted = (p: Page) => letters(p.data).sort();
    expect(sorted(await board('kind=collectible'))).toEqual(['C', 'D', 'E', 'F']);
    expect(sorted(await board('kind=garment'))).toEqual(['A', 'B']);
    expect(sorted(await board('category=digital_creative'))).toEqual(['A', 'B']);
    expect(sorted(await board('category=brand_marketing&listingKind=english'))).toEqual(['D', 'E']);
    expect(sorted(await board('listingKind=sealed'))).toEqual(['F']);
    // Price bounds compare the current price; a sealed-bid auction has none and is left out.
    expect(sorted(await board('minPrice=900'))).toEqual(['A', 'C', 'D']);
    expect(sorted(await board('maxPrice=800'))).toEqual(['B', 'E']);
    expect(sorted(await board('minPrice=800&maxPrice=1500'))).toEqual(['A', 'D', 'E']);
    // The Dutch auction started at 3,000 but has fallen: it is in 2,900–2,999 and no longer at 3,000.
    expect(sorted(await board('minPrice=2900&maxPrice=2999'))).toEqual(['C']);
    expect(sorted(await board('minPrice=3000'))).toEqual([]);
    // With a price sort the lower bound is where the walk starts, both ways and across pages.
    const bounded = async (sort: string) => letters((await walk(`sort=${sort}&minPrice=900`, 1)).items);
    expect(await bounded('price_asc')).toEqual(['A', 'D', 'C']);
    expect(await bounded('price_desc')).toEqual(['C', 'D', 'A']);
    expect(letters((await walk('sort=price_asc&minPrice=2900&maxPrice=2999', 1)).items)).toEqual(['C']);
    expect(sorted(await t.call('GET', '/v1/board/listings?currency=USD').then((r) => r.body))).toEqual([]);
  });

  it('sorts by price both ways (sealed last), newest and ending soon, and pages without repeats or gaps', async () => {
    const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const expectations: Record<string, string[]> = {
      price_asc: ['B', 'E', 'A', 'D', 'C', 'F'],
      price_desc: ['C', 'D', 'A', 'E', 'B', 'F'],
      newest: Object.keys(L)
        .filter((k) => 'ABCDEF'.includes(k))
        .sort((a, b) => byId(L[b]!.createdAt, L[a]!.createdAt) || byId(L[b]!.id, L[a]!.id)),
      // Ends: C in an hour, F's commit deadline in a day, D in two, E in three; A and B never end (by id).
      ending_soon: ['C', 'F', 'D', 'E', ...['A', 'B'].sort((a, b) => byId(L[a]!.id, L[b]!.id))],
    };
    for (const [sort, expected] of Object.entries(expectations)) {
      for (const limit of [1, 2, 4, 100]) {
        const { items, pages } = await walk(`sort=${sort}`, limit);
        expect(letters(items), `${sort} limit ${limit}`).toEqual(expected);
        expect(pages).toBe(Math.ceil(6 / limit));
      }
    }
    // Filters and sorts combine, and paging still holds.
    const { items } = await walk('sort=price_desc&kind=collectible', 1);
    expect(letters(items)).toEqual(['C', 'D', 'E', 'F']);
  });

  it('prices every page at its own instant', async () => {
    const first = await board('sort=price_desc&limit=1');
    expect(letters(first.data)).toEqual(['C']);
    t.clock.advance(30); // the Dutch price falls meanwhile
    const second: Page = await board(`sort=price_desc&limit=5&after=${encodeURIComponent(first.nextCursor!)}`);
    expect(Date.parse(second.asOf) - Date.parse(first.asOf)).toBeGreaterThanOrEqual(30_000);
    expect(letters(second.data)).toEqual(['D', 'A', 'E', 'B', 'F']);
    const again = await board('sort=price_desc&limit=1');
    expect(again.data[0]!.price).toBeLessThan(first.data[0]!.price!);
  });

  it('refuses bad input with problems', async () => {
    const get = (q: string) => t.call('GET', `/v1/board/listings?${q}`);
    m.problem(await get('minPrice=10&maxPrice=5'), 400, 'invalid_price_range');
    m.problem(await get('minPrice=-1'), 400, 'validation_failed');
    m.problem(await get('minPrice=1.5'), 400, 'validation_failed');
    m.problem(await get('sort=cheapest'), 400, 'validation_failed');
    m.problem(await get('kind=shoe'), 400, 'validation_failed');
    m.problem(await get('currency=XXXX'), 400, 'validation_failed');
    m.problem(await get('limit=101'), 400, 'validation_failed');
    m.problem(await get('after=bm90LWEtY3Vyc29y'), 400, 'invalid_cursor');
    // A cursor of another list (the trades board) is not one of these.
    const page = await board('sort=newest&limit=1');
    const forged = Buffer.from(JSON.stringify({ k: `${Date.parse(page.asOf)}.x.${L.A!.id}` })).toString('base64url');
    m.problem(await get(`after=${forged}`), 400, 'invalid_cursor');
    // A walk's cursor lasts 15 minutes.
    t.clock.advance(16 * 60);
    m.problem(await get(`sort=newest&after=${encodeURIComponent(page.nextCursor!)}`), 400, 'cursor_expired');
  });

  it('is in the OpenAPI document, public, with problem responses', async () => {
    const doc = m.ok(await t.call('GET', '/openapi.json'), 200);
    for (const path of ['/v1/board/listings', '/v1/board/trades', '/v1/board/stats', '/v1/board/listings/{id}/spec']) {
      const op = doc.paths[path].get;
      expect(op.security, path).toEqual([{}]);
      expect(Object.keys(op.responses['400'].content), path).toEqual(['application/problem+json']);
    }
    expect(doc.paths['/v1/trades/{id}/certificate.tlog-proof'].get.responses['200'].content).toHaveProperty('text/plain');
  });
});
