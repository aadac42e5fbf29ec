import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR_KEY, startTestApp, type TestApp } from './support/harness.js';
import { world } from './support/world.js';

let t: TestApp;
let w: ReturnType<typeof world>;
beforeAll(async () => {
  t = await startTestApp();
  w = world(t);
});
afterAll(async () => t?.close());

const topUp = (holderId: string, amount: number, currency = 'CNY', headers?: Record<string, string>) =>
  t.call('POST', '/v1/balances/top-ups', { key: OPERATOR_KEY, body: { holderId, currency, amount }, headers });

describe('clearing balances', () => {
  it('top-ups credit a balance through a balanced journal; statements show the running balance', async () => {
    const p = await w.platform();
    const acc = await w.account(p);
    const j = w.ok(await topUp(acc, 10_000), 201);
    expect(j.postings).toEqual(
      expect.arrayContaining([
        { holder: 'external', role: 'topup_source', amount: -10_000 },
        { holder: acc, role: 'topup', amount: 10_000 },
      ]),
    );
    w.ok(await topUp(acc, 2_500), 201);
    w.ok(await topUp(acc, 99, 'USD'), 201);
    const balances = w.ok(await t.call('GET', `/v1/balances/${acc}`, { key: p.key }), 200);
    expect(balances.balances).toEqual([
      { currency: 'CNY', amount: 12_500, owed: 0 },
      { currency: 'USD', amount: 99, owed: 0 },
    ]);
    const st = w.ok(await t.call('GET', `/v1/balances/${acc}/statement?currency=CNY`, { key: p.key }), 200);
    expect(st.data.map((r: { amount: number; balanceAfter: number }) => [r.amount, r.balanceAfter])).toEqual([
      [10_000, 10_000],
      [2_500, 12_500],
    ]);
    const journal = w.ok(await t.call('GET', `/v1/journals/${j.id}`, { key: p.key }), 200);
    expect(journal.kind).toBe('topup');
    const other = await w.platform('Other');
    expect((await t.call('GET', `/v1/journals/${j.id}`, { key: other.key })).status).toBe(404);
    expect((await t.call('GET', `/v1/balances/${acc}`, { key: other.key })).status).toBe(404);
  });

  it('refuses bad amounts and unknown holders, writing nothing', async () => {
    const p = await w.platform();
    const acc = await w.account(p);
    for (const body of [
      { holderId: acc, currency: 'CNY', amount: 1.5 },
      { holderId: acc, currency: 'CNY', amount: -5 },
      { holderId: acc, currency: 'cny', amount: 5 },
      { holderId: acc, currency: 'CNY', amount: '5' },
    ]) {
      const res = await t.call('POST', '/v1/balances/top-ups', { key: OPERATOR_KEY, body });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
    const ghost = await topUp('acc_01M8FXYA6ASVZE1ZXJ0JVQSYYT', 5);
    expect(ghost.status).toBe(404);
    const byPlatform = await t.call('POST', '/v1/balances/top-ups', {
      key: p.key,
      body: { holderId: acc, currency: 'CNY', amount: 5 },
    });
    expect(byPlatform.status).toBe(403);
    expect(w.ok(await t.call('GET', `/v1/balances/${acc}`, { key: p.key }), 200).balances).toEqual([]);
  });

  it('the database itself refuses an unbalanced journal, a negative balance, and changes to postings', async () => {
    const p = await w.platform();
    const acc = await w.account(p);
    const j = w.ok(await topUp(acc, 100), 201);
    const { db } = t.deps;
    await expect(
      db.transaction().execute(async (trx) => {
        await trx
          .insertInto('journals')
          .values({ id: 'jnl_01M8FXYA6ASVZE1ZXJ0JVQSYYT', kind: 'topup', currency: 'CNY', created_at: new Date() })
          .execute();
        await trx
          .insertInto('postings')
          .values({ journal_id: 'jnl_01M8FXYA6ASVZE1ZXJ0JVQSYYT', holder: acc, role: 'topup', amount: 5n })
          .execute();
      }),
    ).rejects.toThrow(/does not balance/);
    await expect(
      db.transaction().execute(async (trx) => {
        await trx
          .insertInto('journals')
          .values({ id: 'jnl_01M8FXYA6ASVZE1ZXJ0JVQSYYV', kind: 'topup', currency: 'CNY', created_at: new Date() })
          .execute();
        await trx
          .insertInto('postings')
          .values([
            { journal_id: 'jnl_01M8FXYA6ASVZE1ZXJ0JVQSYYV', holder: acc, role: 'buyer', amount: -101n },
            { journal_id: 'jnl_01M8FXYA6ASVZE1ZXJ0JVQSYYV', holder: 'external', role: 'topup_source', amount: 101n },
          ])
          .execute();
      }),
    ).rejects.toThrow(/balances_check|check constraint/);
    // Refused by the triggers (PGlite), or before them by the application role's privileges (PostgreSQL).
    const refused = /append-only|permission denied/;
    await expect(sql`update postings set amount = 1 where journal_id = ${j.id}`.execute(db)).rejects.toThrow(refused);
    await expect(sql`delete from journals where id = ${j.id}`.execute(db)).rejects.toThrow(refused);
    expect(w.ok(await t.call('GET', `/v1/balances/${acc}`, { key: p.key }), 200).balances).toEqual([
      { currency: 'CNY', amount: 100, owed: 0 },
    ]);
  });

  it('parallel top-ups with one Idempotency-Key credit once; without one, each counts', async () => {
    const p = await w.platform();
    const acc = await w.account(p);
    await Promise.all(Array.from({ length: 10 }, () => topUp(acc, 7, 'CNY', { 'idempotency-key': 'topup-1' })));
    await Promise.all(Array.from({ length: 10 }, () => topUp(acc, 1)));
    expect(w.ok(await t.call('GET', `/v1/balances/${acc}`, { key: p.key }), 200).balances).toEqual([
      { currency: 'CNY', amount: 17, owed: 0 },
    ]);
  });
});
