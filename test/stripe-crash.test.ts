/**
 * Issue 5, with a real crash: the real server (src/node.ts) on real PostgreSQL receives a signed
 * payment_intent.succeeded and is killed with SIGKILL while its webhook transaction is open — after
 * it has claimed the event id in stripe_events and recorded the payment fact, before the trade is
 * settled. Nothing of it survives, and on restart Stripe's redeliveries (one, then two at once)
 * settle the trade exactly once.
 *
 * The kill lands at that point deterministically: the test holds the trade row locked from its own
 * connection, so the webhook transaction waits on it (seen in pg_stat_activity, holding its insert
 * into stripe_events) until the process is gone.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRoleUrl, createAppSchema } from './support/app-role.js';
import { OPERATOR_KEY, type TestApp } from './support/harness.js';
import { marketWorld } from './support/market.js';
import { httpCall, type ServerProcess, spawnServer } from './support/server-process.js';
import { type StripeStandIn, startStripeStandIn, stripeHarness } from './support/stripe-standin.js';

const url = process.env.DATABASE_URL;

describe.runIf(url)('a stripe webhook interrupted by SIGKILL (real server, PostgreSQL)', () => {
  const schema = `t_scrash_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
  let dir: string;
  let sql: postgres.Sql;
  let made: Awaited<ReturnType<typeof createAppSchema>> | undefined;
  let standIn: StripeStandIn;
  let child: ServerProcess | undefined;

  /** Starts `node src/node.ts` on this schema and the stand-in; resolves with its base URL once it listens. */
  async function startServer(): Promise<string> {
    const env = {
      ...process.env,
      DATABASE_URL: appRoleUrl(url!, schema),
      DATA_DIR: dir,
      PORT: '0',
      OPERATOR_API_KEY: OPERATOR_KEY,
      NOTICE_PERIOD: '0',
      MEDIA_WORKER: 'off',
      STRIPE_SECRET_KEY: standIn.secretKey,
      STRIPE_WEBHOOK_SECRET: standIn.webhookSecret,
      STRIPE_API_BASE: standIn.base,
    };
    child = await spawnServer(env);
    return child.baseUrl;
  }

  async function kill(signal: NodeJS.Signals) {
    const proc = child!;
    child = undefined;
    await proc.stop(signal);
  }

  /** The market builders over real HTTP, driving the spawned server. */
  function httpMarket(base: string) {
    const call = httpCall(base);
    return { ...marketWorld({ call } as TestApp), call };
  }

  /** Stripe delivering to the spawned server's webhook endpoint. */
  const deliverer = (base: string) =>
    stripeHarness(standIn, { request: (path: string, init: RequestInit) => fetch(`${base}${path}`, init) });

  async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  const stripeEvents = async (id: string) =>
    Number((await sql`select count(*)::int as n from stripe_events where id = ${id}`)[0]!.n);
  const tradeRow = async (id: string) => (await sql`select status from trades where id = ${id}`)[0]!;
  const paymentRow = async (id: string) => (await sql`select succeeded_at from stripe_payments where id = ${id}`)[0]!;
  const journalKinds = async (tradeId: string) =>
    (await sql`select kind from journals where trade_id = ${tradeId} order by created_at, id`).map((r) => r.kind as string);
  const settledEvents = async (tradeId: string) =>
    (await sql`select entry from events where type = 'trade.settled'`).filter((e) => JSON.parse(e.entry).tradeId === tradeId)
      .length;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'haipai-stripe-crash-'));
    standIn = await startStripeStandIn();
    // Made and migrated as the owner; the server and this test's reads run as the application role.
    made = await createAppSchema(url!, schema);
    sql = postgres(appRoleUrl(url!, schema), { max: 4, onnotice: () => {} });
  });
  afterAll(async () => {
    if (child) await kill('SIGKILL');
    await sql.end();
    await made?.drop();
    await standIn?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps nothing of a webhook killed mid-transaction; the redelivery after restart settles once', async () => {
    let base = await startServer();
    let m = httpMarket(base);

    // A collector sells one unit (10% royalty to the creator, 5% platform fee) on the stripe rail.
    const { p, creator, edition } = await m.work({ royaltyBps: 1000 });
    const seller = await m.account(p);
    const buyer = await m.account(p);
    const [unit] = (await m.mint(p, edition.id, 1, seller)).units;
    const listing = await m.list(p, { kind: 'fixed', sellerId: seller, unitId: unit.id, price: 10_000 });
    const trade = m.ok(
      await m.call('POST', `/v1/listings/${listing.id}/purchase`, { key: p.key, body: { buyerId: buyer, rail: 'stripe' } }),
      201,
    );
    expect(trade).toMatchObject({ rail: 'stripe', status: 'reserved' });
    const intent = standIn.intents.get(trade.payment.paymentIntentId)!;
    expect(intent).toBeDefined();
    const event = standIn.signedEvent('payment_intent.succeeded', standIn.succeeded(intent));

    // Hold the trade row: the webhook claims the event and records the payment fact, then waits here.
    const locker = await sql.reserve();
    let blockedPid: number;
    try {
      await locker`begin`;
      await locker`select id from trades where id = ${trade.id} for update`;
      const lockerPid = Number((await locker`select pg_backend_pid() as pid`)[0]!.pid);

      const inFlight = deliverer(base).deliver(event);
      inFlight.catch(() => {}); // awaited below, after the kill
      blockedPid = await until('the webhook transaction to wait on the trade lock', async () => {
        const rows = await sql`
          select a.pid from pg_stat_activity a
          where ${lockerPid}::int = any(pg_blocking_pids(a.pid))
            and a.query ilike '%"trades"%for update%'
            and exists (select 1 from pg_locks l where l.pid = a.pid and l.relation = 'stripe_events'::regclass)`;
        return rows[0]?.pid as number | undefined;
      });
      // The event id is claimed, uncommitted: inserting it elsewhere has to wait for that transaction.
      await expect(
        sql.begin(async (tx) => {
          await tx`set local lock_timeout = '200ms'`;
          await tx`insert into stripe_events (id, type, stripe_created, received_at)
            values (${event.id}, 'probe', now(), now()) on conflict (id) do nothing`;
        }),
      ).rejects.toMatchObject({ code: '55P03' });

      await kill('SIGKILL');
      await expect(inFlight).rejects.toThrow(); // Stripe saw no 2xx, so it will redeliver
    } finally {
      await locker`rollback`;
      locker.release();
    }
    // The dead server's backend gets the lock, cannot answer its client and aborts the transaction.
    await until('the killed server’s backend to end', async () => {
      const rows = await sql`select 1 from pg_stat_activity where pid = ${blockedPid}`;
      return rows.length === 0 ? true : undefined;
    });

    expect(await stripeEvents(event.id)).toBe(0);
    expect(await tradeRow(trade.id)).toMatchObject({ status: 'reserved' });
    expect(await paymentRow(trade.id)).toMatchObject({ succeeded_at: null });
    expect(await journalKinds(trade.id)).toEqual([]);

    // Restart on the same schema; Stripe redelivers, here twice at once, and later once more.
    base = await startServer();
    m = httpMarket(base);
    const s = deliverer(base);
    const replies = await Promise.all([s.deliver(event), s.deliver(event)]);
    expect(replies.map((r) => r.status)).toEqual([200, 200]);
    expect(replies.filter((r) => r.body.duplicate === false)).toHaveLength(1);
    const late = await s.deliver(event);
    expect(late).toMatchObject({ status: 200, body: { eventId: event.id, duplicate: true } });

    expect(await stripeEvents(event.id)).toBe(1);
    expect(await tradeRow(trade.id)).toMatchObject({ status: 'settled' });
    expect(await m.owner(unit.id)).toBe(buyer);
    expect(await settledEvents(trade.id)).toBe(1);
    // payment (external → buyer 10,000), then the one trade journal: 8,500 seller, 1,000 royalty, 500 fee.
    expect(await journalKinds(trade.id)).toEqual(['payment', 'trade']);
    expect(await Promise.all([buyer, seller, creator, p.id].map((h) => m.balance(h)))).toEqual([0, 8_500, 1_000, 500]);

    await kill('SIGTERM');
  });
});
