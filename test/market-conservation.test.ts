import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { foldPendingCredits } from '../src/features/ledger/fold.js';
import { runScheduledWork } from '../src/scheduled.js';
import { OPERATOR_KEY, startTestApp, type TestApp } from './support/harness.js';
import { marketWorld } from './support/market.js';

let t: TestApp;
let m: ReturnType<typeof marketWorld>;
beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '0' });
  m = marketWorld(t);
});
afterAll(async () => t?.close());

/** mulberry32: a seeded generator, so a failing run can be replayed. */
function generator(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  return { next, int, pick };
}

it('random concurrent trades, top-ups, cancellations, licence grants and royalty reports conserve money; every journal balances', async () => {
  const seed = Number(process.env.MARKET_SEED ?? Date.now() % 1_000_000);
  const g = generator(seed);
  const db = t.deps.db;

  const p1 = await m.platform('Mall');
  const second = m.ok(await t.call('POST', '/v1/platforms', { key: OPERATOR_KEY, body: { name: 'Studio', feeBps: 250 } }), 201);
  const p2 = { id: second.platform.id as string, key: second.apiKey.secret as string };
  const a = await m.work({ p: p1, royaltyBps: 1000, size: 40 });
  const b = await m.work({
    p: p2,
    royaltyBps: 1500,
    size: 40,
    asset: {
      parents: [a.asset.id],
      licence: { commercialUse: 'personal', derivativesAllowed: true, derivativeRoyaltyBps: 2000 },
    },
  });
  const traders = [...(await m.accounts(p1, 10)), ...(await m.accounts(p2, 10))];
  const keyOf = new Map<string, string>([
    [a.creator, p1.key],
    [b.creator, p2.key],
    ...traders.slice(0, 10).map((x) => [x, p1.key] as [string, string]),
    ...traders.slice(10).map((x) => [x, p2.key] as [string, string]),
  ]);
  let topped = 0;
  const topUp = async (holder: string, amount: number) => {
    const res = await t.call('POST', '/v1/balances/top-ups', {
      key: OPERATOR_KEY,
      body: { holderId: holder, currency: 'CNY', amount },
    });
    if (res.status === 201) topped += amount;
    return res;
  };
  await Promise.all(traders.map((x) => topUp(x, g.int(2_000, 20_000))));

  const day = new Date(t.clock.now().getTime() + 86400_000).toISOString();
  await m.list(p1, { kind: 'fixed', sellerId: a.creator, editionId: a.edition.id, quantity: 25, price: 1_000 });
  await m.list(p2, {
    kind: 'dutch',
    sellerId: b.creator,
    editionId: b.edition.id,
    quantity: 25,
    startPrice: 3_000,
    floorPrice: 999,
    endsAt: day,
  });

  // Licence offers on both works (b derives from a, so its licence payments flow up to a's holder).
  const licenceOffers: { id: string }[] = [];
  for (const [i, w] of [a, a, a, b, b].entries()) {
    const res = await t.call('POST', `/v1/assets/${w.asset.id}/licence-offers`, {
      key: w === a ? p1.key : p2.key,
      body: {
        uses: [g.pick(['game_item', 'advertising'] as const)],
        territories: [g.pick(['CN', 'JP', 'worldwide'] as const)],
        startsAt: t.clock.now().toISOString(),
        endsAt: new Date(t.clock.now().getTime() + (i + 1) * 3600_000).toISOString(),
        exclusivity: g.pick(['exclusive', 'sole', 'non_exclusive'] as const),
        currency: 'CNY',
        upfrontFee: g.int(0, 3_000),
        royaltyBps: g.int(0, 2_000),
        minimumGuarantee: g.int(0, 2_000),
        creatorShareBps: g.int(0, 5_000),
      },
    });
    licenceOffers.push(m.ok(res, 201));
  }

  const statuses: number[] = [];
  const call = async (method: string, path: string, key: string, body?: unknown) => {
    const res = await t.call(method, path, { key, body });
    statuses.push(res.status);
    if (process.env.MARKET_DEBUG) console.log(method, path, res.status, res.body?.code);
    return res;
  };

  for (let round = 0; round < 8; round++) {
    const listings = await db
      .selectFrom('listings')
      .select(['id', 'seller_id', 'unit_id'])
      .where('status', '=', 'open')
      .execute();
    const resales = listings.filter((l) => l.unit_id !== null);
    const reserved = await db.selectFrom('trades').select(['id', 'buyer_id']).where('status', '=', 'reserved').execute();
    const units = await db.selectFrom('units').select(['id', 'owner_id']).where('owner_id', 'in', traders).execute();
    const grants = await db.selectFrom('licence_grants').select(['id', 'licensee_id', 'ends_at']).execute();
    const ops: (() => Promise<unknown>)[] = [];
    for (let i = 0; i < 30; i++) {
      const who = g.pick(traders);
      const r = g.next();
      const licensing = g.next();
      if (licensing < 0.1) {
        const offer = g.pick(licenceOffers);
        ops.push(() => call('POST', `/v1/licence-offers/${offer.id}/accept`, keyOf.get(who)!, { licenseeId: who }));
      } else if (licensing < 0.18 && grants.length) {
        const grant = g.pick(grants);
        const now = t.clock.now();
        const periodEnd = new Date(Math.min(grant.ends_at.getTime(), now.getTime()));
        ops.push(() =>
          call('POST', `/v1/licence-grants/${grant.id}/royalty-reports`, keyOf.get(grant.licensee_id)!, {
            periodEnd: periodEnd.toISOString(),
            lines: [{ currency: 'CNY', revenue: g.int(0, 20_000) }],
          }),
        );
      } else if (r < 0.15) ops.push(() => topUp(who, g.int(1, 5_000)));
      else if (r < 0.5 && listings.length) {
        const l = g.pick(listings);
        ops.push(() => call('POST', `/v1/listings/${l.id}/purchase`, keyOf.get(who)!, { buyerId: who, settle: g.next() < 0.7 }));
      } else if (r < 0.6 && reserved.length) {
        const tr = g.pick(reserved);
        ops.push(() => call('POST', `/v1/trades/${tr.id}/settle`, keyOf.get(tr.buyer_id)!));
      } else if (r < 0.67 && reserved.length) {
        const tr = g.pick(reserved);
        ops.push(() => call('POST', `/v1/trades/${tr.id}/cancel`, keyOf.get(tr.buyer_id)!));
      } else if (r < 0.77 && units.length) {
        const u = g.pick(units);
        ops.push(() =>
          call('POST', '/v1/listings', keyOf.get(u.owner_id)!, {
            kind: 'fixed',
            sellerId: u.owner_id,
            unitId: u.id,
            price: g.int(100, 4_000),
            currency: 'CNY',
          }),
        );
      } else if (r < 0.82 && resales.length) {
        const l = g.pick(resales);
        ops.push(() => call('POST', `/v1/listings/${l.id}/cancel`, keyOf.get(l.seller_id)!));
      } else if (r < 0.92 && units.length) {
        const u = g.pick(units);
        const buyer = g.pick(traders.filter((x) => x !== u.owner_id));
        ops.push(async () => {
          const offer = await call('POST', `/v1/units/${u.id}/offers`, keyOf.get(buyer)!, {
            buyerId: buyer,
            currency: 'CNY',
            amount: g.int(100, 3_000),
            expiresAt: new Date(t.clock.now().getTime() + 3600_000).toISOString(),
          });
          if (offer.status === 201)
            await call('POST', `/v1/offers/${offer.body.id}/accept`, keyOf.get(u.owner_id)!, { sellerId: u.owner_id });
        });
      } else if (units.length) {
        const u = g.pick(units);
        const to = g.pick(traders.filter((x) => x !== u.owner_id));
        ops.push(() =>
          call('POST', `/v1/units/${u.id}/transfers`, keyOf.get(u.owner_id)!, { fromAccountId: u.owner_id, toAccountId: to }),
        );
      }
    }
    await Promise.all(ops.map((op) => op()));
    if (round % 3 === 2) {
      // Far enough for licence terms to end (and grants to expire) during the run.
      t.clock.advance(46 * 60);
      await runScheduledWork(t.deps);
    }
  }

  // Nothing failed on our side: every refusal was a 4xx with a reason.
  if (process.env.MARKET_DEBUG) {
    const lines = (t.deps.log as unknown as { lines: { level: string; fields?: Record<string, unknown> }[] }).lines;
    for (const l of lines.filter((x) => x.level === 'error'))
      console.log('ERROR', l.fields?.error, String(l.fields?.stack).split('\n').slice(1, 6).join(' | '));
  }
  expect(
    statuses.filter((s) => s >= 500),
    `seed ${seed}`,
  ).toEqual([]);
  expect(statuses.filter((s) => s === 201).length, `seed ${seed}`).toBeGreaterThan(10);

  // Money in equals money held: the sum of every balance but the outside world's, with the sales'
  // fees and royalties not folded into them yet (schema/0027), is the sum of top-ups.
  const { rows: held } = await sql<{ n: string }>`
    select ((select coalesce(sum(amount), 0) from balances where holder <> 'external' and currency = 'CNY')
          + (select coalesce(sum(p.amount), 0) from postings p join journals j on j.id = p.journal_id
             where p.deferred and p.balance_after is null and j.currency = 'CNY'))::text as n`.execute(db);
  expect(BigInt(held[0]!.n), `seed ${seed}`).toBe(BigInt(topped));
  // The outside world keeps no balance row (nothing locks it); its postings are what came in.
  const external = await db
    .selectFrom('postings')
    .select((eb) => eb.fn.sum<string>('amount').as('n'))
    .where('holder', '=', 'external')
    .executeTakeFirstOrThrow();
  expect(BigInt(external.n)).toBe(-BigInt(topped));

  // Every journal sums to zero; no balance is negative; balances are the sum of their postings
  // folded into them, and of all of them once the scheduler has folded the pending ones.
  const { rows: unbalanced } = await sql<{ journal_id: string }>`
    select journal_id from postings group by journal_id having sum(amount) <> 0`.execute(db);
  expect(unbalanced).toEqual([]);
  const negative = await db
    .selectFrom('balances')
    .select('holder')
    .where('holder', '<>', 'external')
    .where('amount', '<', 0n)
    .execute();
  expect(negative).toEqual([]);
  const drift = async (pending: boolean) =>
    (
      await sql<{ holder: string }>`
        select b.holder from balances b
        left join (select p.holder, j.currency, sum(p.amount) as total from postings p join journals j on j.id = p.journal_id
                   where ${pending} or not (p.deferred and p.balance_after is null)
                   group by p.holder, j.currency) s on s.holder = b.holder and s.currency = b.currency
        where b.amount <> coalesce(s.total, 0)`.execute(db)
    ).rows;
  expect(await drift(false)).toEqual([]);
  await foldPendingCredits(db, t.clock.now());
  expect(await drift(true)).toEqual([]);

  // Every settled trade has exactly one journal, in which the buyer paid the price.
  const settled = await db.selectFrom('trades').selectAll().where('status', '=', 'settled').execute();
  expect(settled.length).toBeGreaterThan(0);
  for (const trade of settled) {
    const paid = await db
      .selectFrom('postings')
      .select(['holder', 'amount'])
      .where('journal_id', '=', trade.journal_id!)
      .where('role', '=', 'buyer')
      .execute();
    expect(paid).toEqual([{ holder: trade.buyer_id, amount: -trade.price }]);
  }
  const { rows: journalsPerTrade } = await sql<{ trade_id: string }>`
    select trade_id from journals where trade_id is not null group by trade_id having count(*) <> 1`.execute(db);
  expect(journalsPerTrade).toEqual([]);

  // Every grant's fee journal took the upfront fee from the licensee; every royalty journal took
  // the royalty and the true-up, and nothing else.
  const grantsMade = await db.selectFrom('licence_grants').selectAll().execute();
  for (const grant of grantsMade.filter((x) => x.fee_journal_id)) {
    const paid = await db
      .selectFrom('postings')
      .select(['holder', 'amount'])
      .where('journal_id', '=', grant.fee_journal_id!)
      .where('role', '=', 'buyer')
      .execute();
    expect(paid).toEqual([{ holder: grant.licensee_id, amount: -grant.upfront_fee }]);
  }
  const lines = await db
    .selectFrom('royalty_report_lines')
    .innerJoin('royalty_reports', 'royalty_reports.id', 'royalty_report_lines.report_id')
    .innerJoin('licence_grants', 'licence_grants.id', 'royalty_reports.grant_id')
    .select([
      'royalty_report_lines.journal_id',
      'royalty_report_lines.royalty',
      'royalty_report_lines.true_up',
      'licence_grants.licensee_id',
    ])
    .where('royalty_report_lines.journal_id', 'is not', null)
    .execute();
  for (const line of lines) {
    const paid = await db
      .selectFrom('postings')
      .select(['holder', 'amount'])
      .where('journal_id', '=', line.journal_id!)
      .where('role', '=', 'buyer')
      .execute();
    expect(paid).toEqual([{ holder: line.licensee_id, amount: -(line.royalty + line.true_up) }]);
  }
  expect(grantsMade.length, `seed ${seed}`).toBeGreaterThan(0);
  if (process.env.MARKET_DEBUG) console.log('grants', grantsMade.length, 'royalty journals', lines.length);

  // Ownership agrees with the transfer history, and no unit is reserved twice or listed twice.
  const { rows: mismatched } = await sql<{ id: string }>`
    select u.id from units u
    join lateral (select to_id from unit_transfers t where t.unit_id = u.id order by t.at desc, t.id desc limit 1) last on true
    where last.to_id <> u.owner_id`.execute(db);
  expect(mismatched).toEqual([]);
  const { rows: overSold } = await sql<{ id: string }>`
    select l.id from listings l
    where l.sold <> (select count(*) from trades t where t.listing_id = l.id and t.status in ('reserved', 'settled'))`.execute(
    db,
  );
  expect(overSold).toEqual([]);
});
