import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/harness.js';
import { licensingWorld } from './support/licensing.js';

// With DATABASE_URL set these are real parallel transactions on PostgreSQL.
let t: TestApp;
let l: ReturnType<typeof licensingWorld>;
beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '0' });
  l = licensingWorld(t);
});
afterAll(async () => t?.close());

it('20 licensees accepting 20 overlapping exclusive offers at once: one grant, one fee paid, 19 licence_conflict', async () => {
  const { p, holder, designer, asset } = await l.licensableWork();
  // Every offer overlaps every other in use, territory and time, but none is the same offer.
  const offers = [];
  for (let i = 0; i < 20; i++) {
    const body =
      i % 2 === 0
        ? { uses: ['game_item', 'advertising'], territories: ['worldwide'], startsAt: l.at(i), endsAt: l.at(400 + i) }
        : { uses: ['game_item'], territories: ['CN', 'JP'], startsAt: l.at(0), endsAt: l.at(30 + i), exclusivity: 'sole' };
    offers.push(l.ok(await l.offer(p, asset.id, body), 201));
  }
  const licensees = await l.accounts(p, 20);
  await Promise.all(licensees.map((a) => l.topUp(a, 10_000)));

  const results = await Promise.all(offers.map((o, i) => l.accept(p, o.id, licensees[i]!)));
  const won = results.filter((r) => r.status === 201);
  expect(won, JSON.stringify(results.map((r) => r.body))).toHaveLength(1);
  const lost = results.filter((r) => r.status !== 201);
  expect(new Set(lost.map((r) => `${r.status} ${r.body.code}`))).toEqual(new Set(['409 licence_conflict']));
  expect(lost.every((r) => r.body.conflictingGrantId === won[0]!.body.id)).toBe(true);

  const grants = await t.deps.db.selectFrom('licence_grants').select('id').where('asset_id', '=', asset.id).execute();
  expect(grants).toHaveLength(1);
  // Only the winner paid: 10,000 split 500 platform / 2,000 designer / 7,500 rights holder.
  const winner = won[0]!.body.licenseeId;
  expect(await l.balance(winner)).toBe(0);
  for (const a of licensees.filter((x) => x !== winner)) expect(await l.balance(a)).toBe(10_000);
  expect(await l.balance(p.id)).toBe(500);
  expect(await l.balance(designer)).toBe(2_000);
  expect(await l.balance(holder)).toBe(7_500);
  expect(await l.eventsOfType('licence.granted')).toHaveLength(1);
});

it('10 copies of one royalty report at once (a retry storm without idempotency keys): one report, one payment', async () => {
  const { p, holder, designer, asset } = await l.licensableWork();
  const offer = l.ok(await l.offer(p, asset.id, { upfrontFee: 0, royaltyBps: 1000, territories: ['FR'] }), 201);
  const licensee = await l.account(p);
  await l.topUp(licensee, 50_000);
  const grant = l.ok(await l.accept(p, offer.id, licensee), 201);
  t.clock.advance(86400);
  const periodEnd = l.at(0);
  const results = await Promise.all(
    Array.from({ length: 10 }, () => l.report(p, grant.id, periodEnd, [{ currency: 'CNY', revenue: 100_000 }])),
  );
  expect(results.filter((r) => r.status === 201)).toHaveLength(1);
  expect(new Set(results.filter((r) => r.status !== 201).map((r) => `${r.status} ${r.body.code}`))).toEqual(
    new Set(['409 period_already_reported']),
  );
  // 10% of 100,000 = 10,000, paid once: 500 fee, 2,000 designer, 7,500 rights holder.
  expect(await l.balance(licensee)).toBe(40_000);
  expect(await l.balance(designer)).toBe(2_000);
  expect(await l.balance(holder)).toBe(7_500);
});
