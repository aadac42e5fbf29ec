import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { startTestApp, type TestApp } from './support/harness.js';
import { marketWorld } from './support/market.js';

/*
 * BOARD_CACHE_MS (src/http/public-page-cache.ts): board pages may be served from memory for that
 * long, never longer; a write through the same app shows on the very next read. "Elsewhere" is a
 * second app on the same database, as another server process would be.
 */
const TTL_MS = 1000;
let t: TestApp;
let m: ReturnType<typeof marketWorld>;
let elsewhere: ReturnType<typeof marketWorld>;

beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '0', BOARD_CACHE_MS: String(TTL_MS) });
  m = marketWorld(t);
  const other = createApp({ ...t.deps });
  elsewhere = marketWorld({
    ...t,
    app: other,
    call: async (method, path, opts = {}) => {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.key) headers.authorization = `Bearer ${opts.key}`;
      if (opts.body !== undefined) headers['content-type'] = 'application/json';
      const res = await other.request(path, {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      });
      const text = await res.text();
      return { status: res.status, body: JSON.parse(text), headers: res.headers, text };
    },
  });
});
afterAll(async () => t?.close());

const ids = async (path: string): Promise<string[]> =>
  (m.ok(await t.call('GET', path), 200).data as { id: string }[]).map((x) => x.id);

describe('the board cache', () => {
  it('shows a trade or listing made through this app on the next read, and one made elsewhere within BOARD_CACHE_MS', async () => {
    const { p, creator, edition } = await m.work({ size: 10 });
    const [buyer] = await m.accounts(p, 1);
    await m.topUp(buyer!, 100_000, 'GBP');
    const sell = (via: typeof m, price: number) =>
      via.list(p, { kind: 'fixed', currency: 'GBP', sellerId: creator, editionId: edition.id, quantity: 1, price });
    const trades = '/v1/board/trades?currency=GBP';
    const listings = '/v1/board/listings?currency=GBP';
    const tradeCount = async () =>
      (m.ok(await t.call('GET', '/v1/board/stats?currency=GBP'), 200).total as { count: number }[])[0]?.count ?? 0;
    expect(await ids(trades)).toEqual([]);
    expect(await ids(listings)).toEqual([]);
    expect(await tradeCount()).toBe(0);

    // Through this app: the write drops the cache.
    const here = await sell(m, 1000);
    expect(await ids(listings)).toEqual([here.id]);
    const first = m.ok(await m.buy(p, here.id, buyer!), 201);
    expect(await ids(trades)).toEqual([first.id]);
    expect(await ids(listings)).toEqual([]);
    expect(await tradeCount()).toBe(1);

    // Elsewhere: the pages read a moment ago may stay as they were, but for BOARD_CACHE_MS at most.
    const there = await sell(elsewhere, 2000);
    const second = elsewhere.ok(await elsewhere.buy(p, there.id, buyer!), 201);
    const another = await sell(elsewhere, 3000);
    expect(await ids(trades)).toEqual([first.id]);
    expect(await ids(listings)).toEqual([]);
    expect(await tradeCount()).toBe(1);
    t.clock.advance(TTL_MS / 1000);
    expect(await ids(trades)).toEqual([second.id, first.id]);
    expect(await ids(listings)).toEqual([another.id]);
    expect(await tradeCount()).toBe(2);
  });

  it('keeps no error answer and tells pages apart by their whole query', async () => {
    m.problem(await t.call('GET', '/v1/board/trades?after=abc'), 400, 'invalid_cursor');
    m.problem(await t.call('GET', '/v1/board/trades?after=abc'), 400, 'invalid_cursor');
    const one = m.ok(await t.call('GET', '/v1/board/trades?currency=GBP&limit=1'), 200);
    const two = m.ok(await t.call('GET', '/v1/board/trades?currency=GBP&limit=2'), 200);
    expect(one.data).toHaveLength(1);
    expect(two.data).toHaveLength(2);
  });
});
