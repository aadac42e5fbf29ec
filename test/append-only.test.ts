/**
 * History cannot be rewritten (schema/0014_append_only_roles.sql). On both databases the triggers
 * refuse UPDATE, DELETE and TRUNCATE of every history table, even for the owner. On PostgreSQL the
 * application connects as a role of its own (the harness's TEST_APP_ROLE, as DATABASE_APP_ROLE in
 * production) that has no such privilege and, owning nothing, cannot disable a trigger.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRewriteHistory } from '../src/db/app-role.js';
import type { Db } from '../src/db/database.js';
import { runAsOwner } from './support/app-role.js';
import { startTestApp, type TestApp } from './support/harness.js';
import { marketWorld } from './support/market.js';

/** The history the issue names, and the rest of what the schema keeps append-only. */
const HISTORY = [
  'events',
  'unit_transfers',
  'unit_freezes',
  'journals',
  'postings',
  'reviews',
  'objections',
  'attestations',
  'official_reads',
  'bids',
  'log_leaves',
  'log_nodes',
  'log_checkpoints',
  'media_screenings',
  'media_screening_matches',
  'webhook_attempts',
  'stripe_events',
];

const url = process.env.DATABASE_URL;
let t: TestApp;
let app: Db;
const asOwner = (statement: string) => runAsOwner(app, statement);

/** The tables whose rows a trigger keeps, and those of them with a TRUNCATE trigger. */
async function guardedTables() {
  const { rows } = await sql<{ table: string; truncate: boolean }>`
    select c.relname as table, bool_or((tr.tgtype & 32) <> 0) as truncate
    from pg_trigger tr
    join pg_class c on c.oid = tr.tgrelid
    join pg_proc p on p.oid = tr.tgfoid
    where c.relnamespace = current_schema()::regnamespace
      and p.proname in ('refuse_change', 'unit_freeze_lift_once')
    group by c.relname`.execute(app);
  return rows;
}

beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '0' });
  app = t.deps.db;
});
afterAll(async () => t?.close());

describe('append-only history', () => {
  it('every history table has a trigger for UPDATE/DELETE and one for TRUNCATE', async () => {
    const guarded = await guardedTables();
    expect(guarded.map((g) => g.table)).toEqual(expect.arrayContaining(HISTORY));
    expect(guarded.filter((g) => !g.truncate).map((g) => g.table)).toEqual([]);
  });

  it('TRUNCATE of any history table is refused by its trigger, even for the owner', async () => {
    const m = marketWorld(t);
    await m.work(); // rows in events, reviews, attestations …: a truncate would have something to remove
    const before = await m.counts();
    for (const { table } of await guardedTables()) {
      await expect(asOwner(`truncate ${table} cascade`), table).rejects.toThrow(/append-only table \w+: TRUNCATE refused/);
    }
    expect(await m.counts()).toEqual(before);
  });

  it('a freeze can be lifted once, and nothing else about it changes', async () => {
    const m = marketWorld(t);
    const world = await m.work();
    const holder = await m.accounts(world.p, 1);
    const [unit] = m.ok(
      await t.call('POST', `/v1/editions/${world.edition.id}/mint`, {
        key: world.p.key,
        body: { count: 1, toAccountId: holder[0] },
      }),
      201,
    ).units;
    const placed = m.ok(
      await t.call('POST', `/v1/units/${unit.id}/freezes`, { key: world.off.key, body: { reason: 'contested' } }),
      201,
    );
    // The lifting goes through the app's own connection: the one UPDATE history allows.
    m.ok(
      await t.call('POST', `/v1/units/${unit.id}/freezes/${placed.id}/lift`, { key: world.off.key, body: { reason: 'cleared' } }),
      200,
    );
    for (const change of [`lifted_at = now()`, `lifted_by = 'someone'`]) {
      await expect(sql.raw(`update unit_freezes set ${change} where id = '${placed.id}'`).execute(app)).rejects.toThrow(
        /a freeze may only be lifted, once/,
      );
    }
    const rewrite = /append-only table unit_freezes|permission denied/;
    await expect(sql.raw(`update unit_freezes set reason = 'x' where id = '${placed.id}'`).execute(app)).rejects.toThrow(rewrite);
    await expect(sql.raw(`delete from unit_freezes where id = '${placed.id}'`).execute(app)).rejects.toThrow(rewrite);
    await expect(asOwner(`update unit_freezes set reason = 'x' where id = '${placed.id}'`)).rejects.toThrow(
      /append-only table unit_freezes/,
    );
    const row = await app.selectFrom('unit_freezes').selectAll().where('id', '=', placed.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ reason: 'contested', lift_reason: 'cleared', lifted_by: world.off.id });
  });
});

describe.runIf(url)('the application role on PostgreSQL', () => {
  const denied = /permission denied|must be owner/;

  it('is neither the owner nor able to UPDATE, DELETE or TRUNCATE any history table', async () => {
    expect(await canRewriteHistory(app)).toBe(false);
    for (const table of HISTORY) {
      const { rows } = await sql<{ column: string }>`
        select attname as column from pg_attribute
        where attrelid = ${table}::regclass and attnum = 1`.execute(app);
      const col = rows[0]!.column;
      // No WHERE clause: on the owner's connection each of these would reach the rows (and the triggers).
      if (table !== 'unit_freezes') {
        await expect(sql.raw(`update ${table} set ${col} = ${col}`).execute(app), `update ${table}`).rejects.toThrow(denied);
      }
      await expect(sql.raw(`delete from ${table}`).execute(app), `delete ${table}`).rejects.toThrow(denied);
      await expect(sql.raw(`truncate ${table}`).execute(app), `truncate ${table}`).rejects.toThrow(denied);
    }
    // unit_freezes: only the lifting's columns.
    await expect(sql`update unit_freezes set cause = cause`.execute(app)).rejects.toThrow(denied);
    await expect(sql`update unit_freezes set lifted_at = lifted_at where false`.execute(app)).resolves.toBeDefined();
  });

  it('cannot disable, drop or bypass the triggers, nor grant itself more', async () => {
    for (const statement of [
      'alter table events disable trigger events_append_only',
      'alter table events disable trigger all',
      'drop trigger events_append_only on events',
      'drop function refuse_change() cascade',
      'set session_replication_role = replica',
      "select haipai_grant_app_role('haipai_test_app')",
    ]) {
      await expect(sql.raw(statement).execute(app), statement).rejects.toThrow(denied);
    }
    await sql`grant update, delete, truncate on events to current_user`.execute(app).catch(() => {});
    expect(await canRewriteHistory(app)).toBe(false);
    // The rows are all still there.
    expect(Number((await sql<{ n: string }>`select count(*) as n from events`.execute(app)).rows[0]!.n)).toBeGreaterThan(0);
  });

  it('still writes everything else: the app works end to end under it', async () => {
    const m = marketWorld(t);
    const world = await m.work();
    const [buyer] = await m.accounts(world.p, 1);
    await m.topUp(buyer!, 10_000);
    const listing = await m.list(world.p, {
      kind: 'fixed',
      sellerId: world.creator,
      editionId: world.edition.id,
      quantity: 1,
      price: 1_000,
    });
    const bought = await m.buy(world.p, listing.id, buyer!);
    expect(bought.status, bought.text).toBe(201);
    expect(await m.balance(buyer!)).toBe(9_000);
    expect(await m.owner(bought.body.unitId)).toBe(buyer);
  });
});
