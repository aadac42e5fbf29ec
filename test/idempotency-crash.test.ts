/**
 * Issue 10 item 1, with a real crash: the real server (src/node.ts) on real PostgreSQL runs an
 * operator top-up with an Idempotency-Key and is killed with SIGKILL after the top-up's journal is
 * written and before its response is stored. A retry after restart — and after any takeover window
 * (the records are aged by a day) — credits the balance exactly once and answers the top-up.
 *
 * The kill lands at that point deterministically: a trigger the test installs makes the statement
 * that stores the response wait on an advisory lock the test holds (seen in pg_locks); the kill
 * then also ends that backend, as a crash of the machine would.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRoleUrl, createAppSchema } from './support/app-role.js';
import { OPERATOR_KEY, type TestApp } from './support/harness.js';
import { httpCall, type ServerProcess, spawnServer } from './support/server-process.js';
import { world } from './support/world.js';

const url = process.env.DATABASE_URL;
const STORE_LOCK = 10_001;

describe.runIf(url)('an idempotent top-up interrupted by SIGKILL (real server, PostgreSQL)', () => {
  const schema = `t_icrash_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
  let dir: string;
  let sql: postgres.Sql;
  let made: Awaited<ReturnType<typeof createAppSchema>> | undefined;
  const asOwner = async (statements: string) => {
    const owner = postgres(url!, { max: 1, onnotice: () => {} });
    try {
      await owner.unsafe(statements);
    } finally {
      await owner.end();
    }
  };
  let child: ServerProcess | undefined;

  async function startServer(): Promise<string> {
    child = await spawnServer({
      ...process.env,
      DATABASE_URL: appRoleUrl(url!, schema),
      DATA_DIR: dir,
      PORT: '0',
      OPERATOR_API_KEY: OPERATOR_KEY,
      MEDIA_WORKER: 'off',
    });
    return child.baseUrl;
  }

  async function kill(signal: NodeJS.Signals) {
    const proc = child!;
    child = undefined;
    await proc.stop(signal);
  }

  async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  const journalsOf = async (holder: string) =>
    Number((await sql`select count(*)::int as n from postings where holder = ${holder}`)[0]!.n);
  const balanceOf = async (holder: string) =>
    (await sql`select amount from balances where holder = ${holder} and currency = 'CNY'`)[0]?.amount ?? '0';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'haipai-idem-crash-'));
    // Made and migrated as the owner; the server and this test's reads run as the application role.
    made = await createAppSchema(url!, schema);
    sql = postgres(appRoleUrl(url!, schema), { max: 4, onnotice: () => {} });
    // Fault injection: storing a response waits while the test holds STORE_LOCK. Only the table's
    // owner may put a trigger on it, so this (and its removal below) runs as DATABASE_URL's user.
    await asOwner(`
      create function ${schema}.hold_response_store() returns trigger language plpgsql as $$
      begin perform pg_advisory_xact_lock_shared(${STORE_LOCK}); return new; end $$;
      create trigger hold_response_store before insert or update on ${schema}.idempotency_keys
        for each row when (new.status is not null) execute function ${schema}.hold_response_store();`);
  });
  afterAll(async () => {
    if (child) await kill('SIGKILL');
    await sql.end();
    await made?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps nothing of a top-up killed before its response was stored; the retry credits once', async () => {
    let base = await startServer();
    const w = world({ call: httpCall(base) } as TestApp);
    const p = await w.platform();
    const acc = await w.account(p);
    const topUp = (b: string) =>
      httpCall(b)('POST', '/v1/balances/top-ups', {
        key: OPERATOR_KEY,
        body: { holderId: acc, currency: 'CNY', amount: 700 },
        headers: { 'idempotency-key': 'crash-topup-1' },
      });

    const locker = await sql.reserve();
    let blockedPid: number;
    try {
      await locker`select pg_advisory_lock(${STORE_LOCK})`;
      const inFlight = topUp(base);
      inFlight.catch(() => {}); // awaited below, after the kill
      blockedPid = await until('the response store to wait on the test’s lock', async () => {
        const rows = await sql`
          select pid from pg_locks where locktype = 'advisory' and objid = ${STORE_LOCK} and not granted`;
        return rows[0]?.pid as number | undefined;
      });
      // The journal is written, the response not yet: nothing of the request is visible outside it.
      expect(await journalsOf(acc)).toBe(0);
      expect(await balanceOf(acc)).toBe('0');

      await kill('SIGKILL');
      await expect(inFlight).rejects.toThrow(); // the client saw no answer, so it retries
      // A crash of the machine takes the server's connections with it: the backend ends where it waits.
      await sql`select pg_terminate_backend(${blockedPid})`;
    } finally {
      await locker`select pg_advisory_unlock(${STORE_LOCK})`;
      locker.release();
    }
    await until('the killed server’s backend to end', async () => {
      const rows = await sql`select 1 from pg_stat_activity where pid = ${blockedPid}`;
      return rows.length === 0 ? true : undefined;
    });
    expect(await journalsOf(acc)).toBe(0);

    // The retry comes a day later: past any window after which an unfinished claim may be taken over.
    await sql`update idempotency_keys set locked_at = locked_at - interval '1 day'`;
    await asOwner(`drop trigger hold_response_store on ${schema}.idempotency_keys`);
    base = await startServer();
    const retry = await topUp(base);
    expect(retry.status).toBe(201);
    expect(retry.body.postings).toEqual(expect.arrayContaining([{ holder: acc, role: 'topup', amount: 700 }]));
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(await journalsOf(acc)).toBe(1);
    expect(await balanceOf(acc)).toBe('700');

    // And once more: the stored answer, the same journal, still one top-up.
    const again = await topUp(base);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(retry.body.id);
    expect(await balanceOf(acc)).toBe('700');

    await kill('SIGTERM');
  });

  it('a duplicate waits for the open transaction that holds its key, and gives up with a 409 after 15 s', async () => {
    const base = await startServer();
    const w = world({ call: httpCall(base) } as TestApp);
    const acc = await w.account(await w.platform());
    const topUp = () =>
      httpCall(base)('POST', '/v1/balances/top-ups', {
        key: OPERATOR_KEY,
        body: { holderId: acc, currency: 'CNY', amount: 5 },
        headers: { 'idempotency-key': 'held-1' },
      });
    // Another request's transaction, still open, has claimed the key.
    const holder = await sql.reserve();
    try {
      await holder`begin`;
      await holder`insert into idempotency_keys (principal, key, request_hash, locked_at, expires_at)
        values ('operator:operator', 'held-1', decode('00', 'hex'), now(), now() + interval '1 day')`;
      const waited = await topUp();
      expect(waited.status).toBe(409);
      expect(waited.body.code).toBe('idempotency_in_progress');
    } finally {
      await holder`rollback`;
      holder.release();
    }
    // That transaction rolled back: the key is free and the request runs.
    expect((await topUp()).status).toBe(201);
    expect(await balanceOf(acc)).toBe('5');
    await kill('SIGTERM');
  });
});
