import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ENDPOINTS_PER_PLATFORM } from '../src/features/webhooks/endpoints.service.js';
import { nodeWebhookTransport } from '../src/features/webhooks/node-transport.js';
import { encodeCursor } from '../src/http/pagination.js';
import { runScheduledWork } from '../src/scheduled.js';
import { OPERATOR_KEY, startTestApp, type TestApp } from './support/harness.js';
import { world } from './support/world.js';

// Production settings: no WEBHOOK_ALLOW_HTTP_LOCAL.
let t: TestApp;
let w: ReturnType<typeof world>;
beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '0' });
  w = world(t);
});
afterAll(async () => t?.close());

const create = (key: string, body: unknown) => t.call('POST', '/v1/webhook-endpoints', { key, body });

describe('webhook endpoint URLs', () => {
  it.each([
    ['http://hooks.example.com/haipai', 'invalid_webhook_url'],
    ['https://user:secret@hooks.example.com/haipai', 'invalid_webhook_url'],
    ['hooks.example.com/haipai', 'invalid_webhook_url'],
    ['https://10.0.0.1/haipai', 'private_address'],
    ['https://169.254.169.254/latest/meta-data/', 'private_address'],
    ['https://[::1]/haipai', 'private_address'],
    ['https://localhost/haipai', 'private_address'],
    ['https://localhost:8443/haipai', 'private_address'],
    ['https://127.1/haipai', 'private_address'],
    ['https://[::ffff:10.0.0.1]/haipai', 'private_address'],
    ['https://100.64.1.1/haipai', 'private_address'],
    ['https://[fd00::1]/haipai', 'private_address'],
  ])('refuses %s with %s', async (url, code) => {
    const p = await w.platform();
    const res = await create(p.key, { url, eventTypes: ['*'] });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    expect(res.body.code).toBe(code);
    const list = w.ok(await t.call('GET', '/v1/webhook-endpoints', { key: p.key }), 200);
    expect(list.data).toEqual([]);
  });

  it('refuses at delivery a host name that resolves to a private address (Node transport)', async () => {
    const p = await w.platform();
    const holder = await w.account(p);
    // "vm" is in this machine's /etc/hosts as 127.0.0.1: a name, so accepted when registered …
    const ep = w.ok(await create(p.key, { url: 'https://vm/haipai', eventTypes: ['asset.*'] }), 201);
    w.ok(await t.call('POST', '/v1/assets', { key: p.key, body: w.assetBody(holder) }), 201);
    const saved = (t.deps as { webhookTransport?: unknown }).webhookTransport;
    Object.assign(t.deps, { webhookTransport: nodeWebhookTransport({ allowPrivate: false }) });
    try {
      await runScheduledWork(t.deps);
    } finally {
      Object.assign(t.deps, { webhookTransport: saved });
    }
    // … and refused when the delivery connects: nothing was sent, the attempt says why.
    const attempts = w.ok(await t.call('GET', `/v1/webhook-endpoints/${ep.id}/deliveries`, { key: p.key }), 200);
    expect(attempts.data).toHaveLength(1);
    expect(attempts.data[0]).toMatchObject({ succeeded: false, statusCode: null, attempt: 1 });
    expect(attempts.data[0].error).toMatch(/^private_address: vm resolves to 127\.0\.0\.1/);
  });
});

describe('webhook endpoints', () => {
  it('are created with a secret shown once, listed, read, disabled and enabled by their platform only', async () => {
    const p = await w.platform();
    const made = w.ok(
      await create(p.key, {
        url: 'https://hooks.example.com/haipai',
        eventTypes: ['unit.*', 'trade.settled', 'unit.*'],
        description: 'Main hook',
      }),
      201,
    );
    expect(made).toMatchObject({
      id: expect.stringMatching(/^whe_/),
      url: 'https://hooks.example.com/haipai',
      eventTypes: ['unit.*', 'trade.settled'],
      description: 'Main hook',
      status: 'enabled',
      disabledReason: null,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
      secrets: [{ createdAt: made.createdAt, expiresAt: null }],
      delivery: { cursor: expect.any(String), pendingEventId: null, failedAttempts: 0, nextAttemptAt: null },
    });
    const read = w.ok(await t.call('GET', `/v1/webhook-endpoints/${made.id}`, { key: p.key }), 200);
    expect(read.secret).toBeUndefined();
    expect(JSON.stringify(read)).not.toContain(made.secret);
    const list = w.ok(await t.call('GET', '/v1/webhook-endpoints', { key: p.key }), 200);
    expect(list.data.map((e: { id: string }) => e.id)).toEqual([made.id]);

    const other = await w.platform('Other');
    for (const [method, path] of [
      ['GET', `/v1/webhook-endpoints/${made.id}`],
      ['POST', `/v1/webhook-endpoints/${made.id}/disable`],
      ['POST', `/v1/webhook-endpoints/${made.id}/rotate-secret`],
      ['GET', `/v1/webhook-endpoints/${made.id}/deliveries`],
    ] as const) {
      const res = await t.call(method, path, { key: other.key });
      expect(res.status, path).toBe(404);
    }
    expect((await t.call('GET', '/v1/webhook-endpoints', { key: other.key })).body.data).toEqual([]);
    expect((await t.call('GET', '/v1/webhook-endpoints', { key: OPERATOR_KEY })).body.code).toBe('wrong_role');
    expect((await t.call('GET', '/v1/webhook-endpoints')).status).toBe(401);

    const off = w.ok(await t.call('POST', `/v1/webhook-endpoints/${made.id}/disable`, { key: p.key }), 200);
    expect(off).toMatchObject({ status: 'disabled', disabledReason: 'manual' });
    const on = w.ok(await t.call('POST', `/v1/webhook-endpoints/${made.id}/enable`, { key: p.key }), 200);
    expect(on).toMatchObject({ status: 'enabled', disabledReason: null });
  });

  it('refuse bad event types, unknown fields and more than the limit', async () => {
    const p = await w.platform();
    const url = 'https://hooks.example.com/haipai';
    for (const eventTypes of [[], ['Unit.Gifted'], ['unit.'], ['unit.*.gifted'], ['**']]) {
      const res = await create(p.key, { url, eventTypes });
      expect(res.status, JSON.stringify(eventTypes)).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
    expect((await create(p.key, { url, eventTypes: ['*'], secret: 'mine' })).body.code).toBe('validation_failed');
    for (let i = 0; i < MAX_ENDPOINTS_PER_PLATFORM; i++) w.ok(await create(p.key, { url, eventTypes: ['*'] }), 201);
    const over = await create(p.key, { url, eventTypes: ['*'] });
    expect(over.status).toBe(409);
    expect(over.body.code).toBe('too_many_endpoints');
    // Pages of endpoints
    const first = w.ok(await t.call('GET', '/v1/webhook-endpoints?limit=15', { key: p.key }), 200);
    const second = w.ok(
      await t.call('GET', `/v1/webhook-endpoints?limit=15&after=${encodeURIComponent(first.nextCursor)}`, { key: p.key }),
      200,
    );
    expect(first.data.length + second.data.length).toBe(MAX_ENDPOINTS_PER_PLATFORM);
    expect(second.nextCursor).toBeNull();
  });

  // The project's lock rule: rows referenced by foreign keys are locked FOR NO KEY UPDATE, never
  // FOR UPDATE, which would wait for (and can deadlock with) every insert that references them.
  it.skipIf(!process.env.DATABASE_URL)('creating one never waits for inserts that reference the platform', async () => {
    const p = await w.platform();
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    let holderPid!: number;
    const holding = new Promise<void>((resolve, reject) => {
      // What an insert of a row referencing the platform (an account, a key) holds until it commits.
      t.deps.db
        .transaction()
        .execute(async (trx) => {
          await sql`select id from platforms where id = ${p.id} for key share`.execute(trx);
          holderPid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)).rows[0]!.pid;
          resolve();
          await finished;
        })
        .catch(reject);
    });
    await holding;
    let done = false;
    const creating = create(p.key, { url: 'https://hooks.example.com/lock', eventTypes: ['*'] }).then((res) => {
      done = true;
      return res.status === 201 ? 'created' : `status ${res.status}`;
    });
    const blocked = (async () => {
      while (!done) {
        const waiting = await sql<{ n: string }>`
          select count(*) as n from pg_stat_activity where ${holderPid} = any(pg_blocking_pids(pid))`.execute(t.deps.db);
        if (Number(waiting.rows[0]?.n) > 0) return 'waited for the key-share lock';
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return 'created';
    })();
    const first = await Promise.race([creating, blocked]);
    finish();
    await creating;
    expect(first).toBe('created');
  });

  it('a secret rotation keeps the previous secret for the grace period asked for', async () => {
    const p = await w.platform();
    const made = w.ok(await create(p.key, { url: 'https://hooks.example.com/h', eventTypes: ['*'] }), 201);
    const bad = await t.call('POST', `/v1/webhook-endpoints/${made.id}/rotate-secret`, {
      key: p.key,
      body: { graceSeconds: -1 },
    });
    expect(bad.status).toBe(400);
    const rotated = w.ok(
      await t.call('POST', `/v1/webhook-endpoints/${made.id}/rotate-secret`, { key: p.key, body: { graceSeconds: 600 } }),
      200,
    );
    expect(rotated.secret).not.toBe(made.secret);
    expect(rotated.secrets.map((s: { expiresAt: string | null }) => s.expiresAt === null)).toEqual([true, false]);
    expect(Date.parse(rotated.secrets[1].expiresAt) - Date.parse(rotated.updatedAt)).toBe(600_000);
    t.clock.advance(601);
    const read = w.ok(await t.call('GET', `/v1/webhook-endpoints/${made.id}`, { key: p.key }), 200);
    expect(read.secrets).toHaveLength(1);
  });
});

describe('GET /v1/events', () => {
  it('is for platform keys, and refuses cursors and types it did not issue', async () => {
    const p = await w.platform();
    expect((await t.call('GET', '/v1/events')).status).toBe(401);
    expect((await t.call('GET', '/v1/events', { key: OPERATOR_KEY })).body.code).toBe('wrong_role');
    const empty = w.ok(await t.call('GET', '/v1/events', { key: p.key }), 200);
    expect(empty).toMatchObject({ data: [], hasMore: false, nextCursor: expect.any(String) });
    // A unit-history cursor (an events.seq) means nothing here.
    expect((await t.call('GET', `/v1/events?after=${encodeCursor('12')}`, { key: p.key })).body.code).toBe('invalid_cursor');
    expect((await t.call('GET', '/v1/events?after=garbage', { key: p.key })).body.code).toBe('invalid_cursor');
    expect((await t.call('GET', '/v1/events?types=unit.*,Bad', { key: p.key })).body.code).toBe('invalid_event_type');
    expect((await t.call('GET', '/v1/events?limit=101', { key: p.key })).body.code).toBe('validation_failed');
  });

  it('pages through the events of the platform, and waits at the end for new ones', async () => {
    const p = await w.platform();
    const holder = await w.account(p);
    for (let i = 0; i < 3; i++) w.ok(await t.call('POST', '/v1/assets', { key: p.key, body: w.assetBody(holder) }), 201);
    await runScheduledWork(t.deps);
    const first = w.ok(await t.call('GET', '/v1/events?limit=2', { key: p.key }), 200);
    expect(first.data.map((e: { type: string }) => e.type)).toEqual(['asset.created', 'asset.created']);
    expect(first.hasMore).toBe(true);
    const second = w.ok(
      await t.call('GET', `/v1/events?limit=2&after=${encodeURIComponent(first.nextCursor)}`, { key: p.key }),
      200,
    );
    expect(second.data).toHaveLength(1);
    expect(second.hasMore).toBe(false);
    expect(second.data[0]).toMatchObject({
      type: 'asset.created',
      timestamp: second.data[0].data.at,
      data: {
        id: expect.stringMatching(/^evt_/),
        type: 'asset.created',
        facts: { rightsHolderId: holder },
        logIndex: expect.any(Number),
      },
    });
    const caughtUp = w.ok(await t.call('GET', `/v1/events?after=${encodeURIComponent(second.nextCursor)}`, { key: p.key }), 200);
    expect(caughtUp).toMatchObject({ data: [], hasMore: false, nextCursor: second.nextCursor });
    w.ok(await t.call('POST', '/v1/assets', { key: p.key, body: w.assetBody(holder) }), 201);
    await runScheduledWork(t.deps);
    const later = w.ok(await t.call('GET', `/v1/events?after=${encodeURIComponent(second.nextCursor)}`, { key: p.key }), 200);
    expect(later.data).toHaveLength(1);
    // Types filter
    const none = w.ok(await t.call('GET', '/v1/events?types=unit.*,trade.settled', { key: p.key }), 200);
    expect(none.data).toEqual([]);
    const assets = w.ok(await t.call('GET', '/v1/events?types=asset.created', { key: p.key }), 200);
    expect(assets.data).toHaveLength(4);
    // Another platform sees none of it.
    const other = await w.platform('Other');
    expect(w.ok(await t.call('GET', '/v1/events', { key: other.key }), 200).data).toEqual([]);
  });
});
