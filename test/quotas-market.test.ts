import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/harness.js';
import { marketWorld } from './support/market.js';

// Quotas on the board (README "Quotas"), counted in the service in the inserting transaction.
// With DATABASE_URL set the parallel requests are real concurrent transactions on PostgreSQL.
let t: TestApp;
let m: ReturnType<typeof marketWorld>;
beforeAll(async () => {
  // MAX_UNPAID_RESERVATIONS stays at its default (3).
  t = await startTestApp({ NOTICE_PERIOD: '0', MAX_OFFERS_PER_UNIT_PER_DAY: '3' });
  m = marketWorld(t);
});
afterAll(async () => t?.close());

/** `n` fixed-price primary listings of one work, each of one unit at 1,000. */
async function listings(n: number) {
  const world = await m.work({ size: n * 2 });
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push((await m.list(world.p, { kind: 'fixed', sellerId: world.creator, editionId: world.edition.id, price: 1_000 })).id);
  }
  return { ...world, listings: out };
}

const reservedBy = async (buyer: string) =>
  (await t.deps.db.selectFrom('trades').select('id').where('buyer_id', '=', buyer).where('status', '=', 'reserved').execute())
    .length;

describe('unpaid reservations', () => {
  it('a buyer holds at most 3 unpaid reservations; concurrent attempts cannot pass the limit', async () => {
    const w = await listings(6);
    const [buyer] = await m.accounts(w.p, 1);
    const results = await Promise.all(w.listings.map((l) => m.buy(w.p, l, buyer!, { settle: false })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    for (const r of results.filter((r) => r.status !== 201)) {
      expect(m.problem(r, 429, 'quota_exceeded')).toMatchObject({ quota: 'unpaid_reservations', limit: 3 });
    }
    expect(await reservedBy(buyer!)).toBe(3);

    // A purchase that pays at once holds nothing unpaid, so it is not limited.
    await m.topUp(buyer!, 5_000);
    const free = results.findIndex((r) => r.status !== 201);
    const paid = m.ok(await m.buy(w.p, w.listings[free]!, buyer!), 201);
    expect(paid.status).toBe('settled');

    // Paying one of the reservations makes room for another.
    const first = results.find((r) => r.status === 201)!;
    m.ok(await t.call('POST', `/v1/trades/${first.body.id}/settle`, { key: w.p.key }), 200);
    const next = results.findIndex((r, i) => r.status !== 201 && i !== free);
    m.ok(await m.buy(w.p, w.listings[next]!, buyer!, { settle: false }), 201);
    expect(await reservedBy(buyer!)).toBe(3);

    // Another buyer has a limit of its own.
    const [other] = await m.accounts(w.p, 1);
    const last = results.findIndex((r, i) => r.status !== 201 && i !== free && i !== next);
    m.ok(await m.buy(w.p, w.listings[last]!, other!, { settle: false }), 201);
  });

  it('a lapsed reservation no longer counts', async () => {
    const w = await listings(4);
    const [buyer] = await m.accounts(w.p, 1);
    for (const l of w.listings.slice(0, 3)) m.ok(await m.buy(w.p, l, buyer!, { settle: false }), 201);
    m.problem(await m.buy(w.p, w.listings[3]!, buyer!, { settle: false }), 429, 'quota_exceeded');
    t.clock.advance(15 * 60 + 1);
    m.ok(await m.buy(w.p, w.listings[3]!, buyer!, { settle: false }), 201);
  });
});

describe('offers', () => {
  it('one account makes at most 3 offers per unit per 24 hours, also when they arrive at once', async () => {
    const world = await m.work();
    const [unit] = (await m.mint(world.p, world.edition.id, 1)).units;
    const [buyer, other] = await m.accounts(world.p, 2);
    const expiresAt = () => new Date(t.clock.now().getTime() + 3_600_000).toISOString();
    const offer = (who: string, amount: number) =>
      t.call('POST', `/v1/units/${unit.id}/offers`, {
        key: world.p.key,
        body: { buyerId: who, currency: 'CNY', amount, expiresAt: expiresAt() },
      });
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => offer(buyer!, 1_000 + i)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    for (const r of results.filter((r) => r.status !== 201)) {
      expect(m.problem(r, 429, 'quota_exceeded')).toMatchObject({ quota: 'offers_per_unit_per_day', limit: 3 });
      expect(Date.parse(r.body.retryAt)).toBeGreaterThan(t.clock.now().getTime());
    }
    const made = await t.deps.db.selectFrom('offers').select('id').where('unit_id', '=', unit.id).execute();
    expect(made).toHaveLength(3);
    // Someone else may still offer; and a day later the buyer may again.
    m.ok(await offer(other!, 2_000), 201);
    t.clock.advance(86_401);
    m.ok(await offer(buyer!, 3_000), 201);
  });
});
