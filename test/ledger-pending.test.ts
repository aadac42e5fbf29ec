import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foldPendingCredits } from '../src/features/ledger/fold.js';
import { EXTERNAL, postJournal, receivableOf } from '../src/features/ledger/ledger.repo.js';
import { runScheduledWork } from '../src/scheduled.js';
import { OPERATOR_KEY, startTestApp, type TestApp } from './support/harness.js';
import { marketWorld } from './support/market.js';

// A sale's platform fee and creator royalty are pending credits (schema/0027): they move no
// balance row until folded. With TEST_DATABASE_URL these run real parallel transactions.
let t: TestApp;
let m: ReturnType<typeof marketWorld>;
beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '0' });
  m = marketWorld(t);
});
afterAll(async () => t?.close());

type Line = { journalId: string; role: string; amount: number; balanceAfter: number; pending: boolean };

/** Every line of a holder's statement, walking its pages (small pages, so cursors are exercised). */
async function statement(holderId: string): Promise<Line[]> {
  const lines: Line[] = [];
  let after: string | undefined;
  do {
    const q = `currency=CNY&limit=7${after ? `&after=${after}` : ''}`;
    const page = m.ok(await t.call('GET', `/v1/balances/${holderId}/statement?${q}`, { key: OPERATOR_KEY }), 200);
    lines.push(...page.data);
    after = page.nextCursor ?? undefined;
  } while (after);
  return lines;
}

/** A statement whose running balance adds up line by line and ends at the holder's balance. */
async function expectConsistentStatement(holderId: string) {
  const lines = await statement(holderId);
  let run = 0;
  for (const l of lines) {
    run += l.amount;
    expect(l.balanceAfter, JSON.stringify(l)).toBe(run);
  }
  expect(await m.balance(holderId)).toBe(run);
  // Folded lines first, then pending ones.
  const firstPending = lines.findIndex((l) => l.pending);
  expect(firstPending === -1 || lines.slice(firstPending).every((l) => l.pending)).toBe(true);
  return lines;
}

/** The balance row as stored (folded credits only) and the holder's postings with their stored running balance. */
async function stored(holder: string) {
  const row = await t.deps.db.selectFrom('balances').select('amount').where('holder', '=', holder).executeTakeFirst();
  const postings = await t.deps.db
    .selectFrom('postings')
    .select(['id', 'amount', 'balance_after', 'applied_seq', 'deferred'])
    .where('holder', '=', holder)
    .orderBy('id')
    .execute();
  return { row: row === undefined ? null : Number(row.amount), postings };
}

/** `n` units of a work paying a 10% royalty, each held by a collector and listed at `price`. */
async function resales(n: number, price: number) {
  const world = await m.work({ royaltyBps: 1000, size: n + 5 });
  const collector = await m.account(world.p);
  const { units } = await m.mint(world.p, world.edition.id, n, collector);
  const listings = [];
  for (const u of units) listings.push(await m.list(world.p, { kind: 'fixed', sellerId: collector, unitId: u.id, price }));
  const buyers = await m.accounts(world.p, n);
  await Promise.all(buyers.map((b) => m.topUp(b, price)));
  return { ...world, collector, listings, buyers };
}

const fold = () => foldPendingCredits(t.deps.db, t.clock.now());

describe('pending credits', () => {
  it('concurrent resales credit fee and royalty without moving their rows; balances and statements count them; the fold gives what a serial run would', async () => {
    const n = 16;
    const { p, creator, collector, listings, buyers } = await resales(n, 1_000);
    const results = await Promise.all(listings.map((l, i) => m.buy(p, l.id, buyers[i]!)));
    expect(results.map((r) => r.status)).toEqual(Array(n).fill(201));

    // Before the fold: the rows have not moved, the answers count the pending credits.
    expect((await stored(p.id)).row).toBeNull();
    expect((await stored(creator)).postings.every((x) => x.deferred && x.balance_after === null)).toBe(true);
    expect(await m.balance(p.id)).toBe(n * 50);
    expect(await m.balance(creator)).toBe(n * 100);
    expect(await m.balance(collector)).toBe(n * 850);
    const before = await expectConsistentStatement(p.id);
    expect(before).toHaveLength(n);
    expect(before.every((l) => l.pending && l.role === 'platform_fee')).toBe(true);

    // Two folds at once and a third after: each credit is folded once.
    await Promise.all([fold(), fold()]);
    await fold();
    for (const [holder, each] of [
      [p.id, 50],
      [creator, 100],
    ] as const) {
      const s = await stored(holder);
      expect(s.row).toBe(n * each);
      // A serial computation: the running sum in posting order.
      expect(s.postings.map((x) => Number(x.balance_after))).toEqual(s.postings.map((_, i) => (i + 1) * each));
      const after = await expectConsistentStatement(holder);
      expect(after.every((l) => !l.pending)).toBe(true);
      expect(await m.balance(holder)).toBe(n * each);
    }
    // A folded posting is history: it cannot be folded again or changed.
    const [first] = (await stored(p.id)).postings;
    await expect(sql`update postings set balance_after = 1 where id = ${first!.id}`.execute(t.deps.db)).rejects.toThrow(
      /append-only/,
    );
  });

  it('a holder spends its pending royalties at once, never more than it has, while folds and new royalties race', async () => {
    const { p, creator, listings, buyers } = await resales(12, 1_000);
    // Six sales first: 600 of pending royalties, nothing folded.
    const first = await Promise.all(listings.slice(0, 6).map((l, i) => m.buy(p, l.id, buyers[i]!)));
    expect(first.every((r) => r.status === 201)).toBe(true);
    expect(await m.balance(creator)).toBe(600);

    // The creator buys listings of 250 each from another seller while six more sales credit it and
    // the scheduler folds: only money already committed is spendable, so at most 2 + 2 (600 + 600).
    const other = await m.work({ size: 10, p });
    const shop = [];
    for (let i = 0; i < 6; i++) {
      shop.push(await m.list(other.p, { kind: 'fixed', sellerId: other.creator, editionId: other.edition.id, price: 250 }));
    }
    const [spends] = await Promise.all([
      Promise.all(shop.map((l) => m.buy(other.p, l.id, creator))),
      Promise.all(listings.slice(6).map((l, i) => m.buy(p, l.id, buyers[6 + i]!))),
      fold(),
      fold(),
    ]);
    const bought = spends.filter((r) => r.status === 201).length;
    expect(spends.filter((r) => r.status !== 201).every((r) => r.status === 409 && r.body.code === 'insufficient_funds')).toBe(
      true,
    );
    expect(bought).toBeGreaterThanOrEqual(2);
    expect(bought).toBeLessThanOrEqual(4);
    // Nothing overdrawn, nothing counted twice: the balance is what came in less what went out.
    expect(await m.balance(creator)).toBe(1_200 - bought * 250);
    await expectConsistentStatement(creator);
    await fold();
    const lines = await expectConsistentStatement(creator);
    expect(lines.every((l) => !l.pending)).toBe(true);
    expect((await stored(creator)).row).toBe(1_200 - bought * 250);
  });

  it('payouts racing a fold never overdraw the platform or count a credit twice', async () => {
    const { p, listings, buyers } = await resales(8, 1_000);
    await Promise.all(listings.map((l, i) => m.buy(p, l.id, buyers[i]!)));
    expect(await m.balance(p.id)).toBe(400);
    const payout = () =>
      t.deps.db
        .transaction()
        .execute((trx) =>
          postJournal(
            trx,
            {
              kind: 'payout',
              currency: 'CNY',
              postings: [
                { holder: p.id, role: 'payout', amount: -150n },
                { holder: EXTERNAL, role: 'payout_sink', amount: 150n },
              ],
            },
            t.clock.now(),
          ),
        )
        .then(
          () => 'paid',
          (e: { code?: string }) => e.code,
        );
    const [outcomes] = await Promise.all([Promise.all([payout(), payout(), payout()]), fold()]);
    expect(outcomes.sort()).toEqual(['insufficient_funds', 'paid', 'paid']);
    expect(await m.balance(p.id)).toBe(100);
    await fold();
    expect((await stored(p.id)).row).toBe(100);
    await expectConsistentStatement(p.id);
  });

  it('a platform that owes has its debt paid from its fees when they are folded, and its balance says so before', async () => {
    const { p, listings, buyers } = await resales(3, 1_000);
    // The platform comes to owe 120 (a reversal of money it no longer has).
    await t.deps.db.transaction().execute((trx) =>
      postJournal(
        trx,
        {
          kind: 'reversal',
          currency: 'CNY',
          shortfall: 'owe',
          postings: [
            { holder: p.id, role: 'refund', amount: -120n },
            { holder: EXTERNAL, role: 'refund_sink', amount: 120n },
          ],
        },
        t.clock.now(),
      ),
    );
    const owed = async () => m.ok(await t.call('GET', `/v1/balances/${p.id}`, { key: OPERATOR_KEY }), 200);
    expect((await owed()).balances).toEqual([{ currency: 'CNY', amount: 0, owed: 120 }]);
    await Promise.all(listings.map((l, i) => m.buy(p, l.id, buyers[i]!)));
    // 150 of pending fees: 120 will pay the debt.
    expect((await owed()).balances).toEqual([{ currency: 'CNY', amount: 30, owed: 0 }]);
    await runScheduledWork(t.deps);
    expect((await owed()).balances).toEqual([{ currency: 'CNY', amount: 30, owed: 0 }]);
    expect((await stored(p.id)).row).toBe(30);
    expect((await stored(receivableOf(p.id))).row).toBe(0);
    const recoveries = await t.deps.db
      .selectFrom('journals')
      .innerJoin('postings', 'postings.journal_id', 'journals.id')
      .select(['postings.amount'])
      .where('journals.kind', '=', 'recovery')
      .where('postings.holder', '=', p.id)
      .execute();
    expect(recoveries.map((r) => Number(r.amount))).toEqual([-120]);
    await fold();
    expect((await owed()).balances).toEqual([{ currency: 'CNY', amount: 30, owed: 0 }]);
    await expectConsistentStatement(p.id);
  });

  it('a statement walk that has reached the pending lines still sees, once, the credits folded behind it', async () => {
    const { p, listings, buyers } = await resales(6, 1_000);
    const buy = (i: number) => m.buy(p, listings[i]!.id, buyers[i]!);
    for (const i of [0, 1, 2]) await buy(i);
    await fold();
    for (const i of [3, 4, 5]) await buy(i);
    // 3 folded fee lines, then 3 pending ones; pages of 2.
    const page = async (after?: string) =>
      m.ok(
        await t.call('GET', `/v1/balances/${p.id}/statement?currency=CNY&limit=2${after ? `&after=${after}` : ''}`, {
          key: OPERATOR_KEY,
        }),
        200,
      ) as { data: Line[]; nextCursor: string | null };
    const first = await page();
    const second = await page(first.nextCursor!);
    expect([...first.data, ...second.data].map((l) => l.pending)).toEqual([false, false, false, true]);
    // The walk is among the pending lines when the scheduler folds them all, and a seventh sale comes.
    await fold();
    const extra = await m.account(p);
    const late = await m.list(p, { kind: 'fixed', sellerId: buyers[0]!, unitId: listings[0]!.unitId, price: 1_000 });
    await m.topUp(extra, 1_000);
    expect((await m.buy(p, late.id, extra)).status).toBe(201);

    const seen = [...first.data, ...second.data];
    for (let after = second.nextCursor; after; ) {
      const next = await page(after);
      seen.push(...next.data);
      after = next.nextCursor;
    }
    const journals = seen.map((l) => l.journalId);
    expect(new Set(journals).size).toBe(journals.length); // none twice
    expect(journals).toHaveLength(7); // none missed: the two folded behind the walk and the late sale's fee
    expect(new Set(journals)).toEqual(new Set((await statement(p.id)).map((l) => l.journalId)));
  });

  it('a journal that locks no balance row (only the outside world and deferred credits) is still written', async () => {
    const { p } = await m.work({});
    const id = await t.deps.db.transaction().execute((trx) =>
      postJournal(
        trx,
        {
          kind: 'trade',
          currency: 'CNY',
          postings: [
            { holder: EXTERNAL, role: 'buyer', amount: -70n },
            { holder: p.id, role: 'platform_fee', amount: 70n },
          ],
        },
        t.clock.now(),
      ),
    );
    expect(await t.deps.db.selectFrom('journals').select('kind').where('id', '=', id).executeTakeFirst()).toEqual({
      kind: 'trade',
    });
    expect((await stored(p.id)).postings.map((x) => [x.amount, x.deferred, x.balance_after])).toEqual([[70n, true, null]]);
    expect(await m.balance(p.id)).toBe(70);
  });
});
