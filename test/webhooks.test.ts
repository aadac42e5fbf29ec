import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { integrateLog } from '../src/features/tlog/integrate.js';
import { deliverWebhooks } from '../src/features/webhooks/delivery.js';
import { advancePosition, claimEndpoint } from '../src/features/webhooks/delivery.repo.js';
import { logSize } from '../src/features/webhooks/feed.js';
import { nodeWebhookTransport } from '../src/features/webhooks/node-transport.js';
import { runScheduledWork } from '../src/scheduled.js';
import { startTestApp, type TestApp } from './support/harness.js';
import { world } from './support/world.js';

/** One request as the receiver saw it: the raw body bytes and the signature headers. */
interface Received {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  status: number;
  /** The sender's clock when it arrived: what a receiver's clock would read. */
  clockMs: number;
}

/**
 * A real HTTP receiver on 127.0.0.1: answers 500 to requests for which `fail(n)` is true (n counts
 * from 1), 2xx otherwise, after `delayMs`. It notes how many requests overlapped.
 */
async function startReceiver(t: TestApp, opts: { fail?: (n: number) => boolean; delayMs?: number; status?: number } = {}) {
  const received: Received[] = [];
  let n = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      n++;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const h = (name: string) => String(req.headers[name]);
      const status = opts.fail?.(n) ? 500 : (opts.status ?? 204);
      received.push({
        id: h('webhook-id'),
        timestamp: h('webhook-timestamp'),
        signature: h('webhook-signature'),
        body: Buffer.concat(chunks).toString('utf8'),
        status,
        clockMs: t.clock.now().getTime(),
      });
      if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
      inFlight--;
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    delivered: () => received.filter((r) => r.status >= 200 && r.status < 300),
    maxInFlight: () => maxInFlight,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Standard Webhooks verification by the reference library, with the receiver's clock at arrival. */
function verify(secret: string, r: Received) {
  const spy = vi.spyOn(Date, 'now').mockReturnValue(r.clockMs);
  try {
    return new Webhook(secret).verify(r.body, {
      'webhook-id': r.id,
      'webhook-timestamp': r.timestamp,
      'webhook-signature': r.signature,
    });
  } finally {
    spy.mockRestore();
  }
}

let t: TestApp;
let w: ReturnType<typeof world>;
const closers: (() => Promise<void>)[] = [];
beforeAll(async () => {
  // Receivers here listen on 127.0.0.1 over http: the local-development setting allows that.
  t = await startTestApp({ NOTICE_PERIOD: '0', WEBHOOK_ALLOW_HTTP_LOCAL: 'true', WEBHOOK_ATTEMPT_TIMEOUT: '5' });
  w = world(t);
});
afterAll(async () => {
  for (const close of closers) await close();
  await t?.close();
});

async function receiver(opts: Parameters<typeof startReceiver>[1] = {}) {
  const r = await startReceiver(t, opts);
  closers.push(r.close);
  return r;
}

async function endpoint(p: { key: string }, url: string, eventTypes: string[] = ['*']) {
  return w.ok(await t.call('POST', '/v1/webhook-endpoints', { key: p.key, body: { url, eventTypes } }), 201);
}

/** Log integration and delivery rounds, the clock moved past any backoff after each, until `done`. */
async function deliverUntil(done: () => boolean, rounds = 40) {
  for (let i = 0; i < rounds && !done(); i++) {
    await runScheduledWork(t.deps);
    t.clock.advance(2 * 3600);
  }
  expect(done()).toBe(true);
}

/** Every event a platform can replay, from the beginning, `limit` at a time. */
async function replayAll(p: { key: string }, query = '', limit = 2) {
  await integrateLog(t.deps); // the feed follows the log
  // biome-ignore lint/suspicious/noExplicitAny: envelopes are compared whole
  const all: any[] = [];
  let cursor: string | undefined;
  for (;;) {
    const after = cursor ? `&after=${encodeURIComponent(cursor)}` : '';
    const page = w.ok(await t.call('GET', `/v1/events?limit=${limit}${after}${query}`, { key: p.key }), 200);
    all.push(...page.data);
    expect(page.nextCursor).toEqual(expect.any(String));
    cursor = page.nextCursor;
    if (!page.hasMore) return { events: all, cursor: cursor! };
  }
}

/** A registered work, an edition, `mints` units and a gift of the first to another platform's account. */
async function activity(p: { key: string }, mints = 3) {
  const off = await w.official();
  const holder = await w.account(p);
  const asset = await w.registeredAsset(p, off, holder);
  const edition = await w.edition(p, asset.id, 10);
  const { units } = await w.mint(p, edition.id, mints);
  const other = await w.platform('Other');
  const friend = await w.account(other);
  w.ok(
    await t.call('POST', `/v1/units/${units[0].id}/transfers`, {
      key: p.key,
      body: { fromAccountId: holder, toAccountId: friend },
    }),
    201,
  );
  return { holder, asset, edition, units, other, friend };
}

describe('platform webhooks', () => {
  it('a receiver that fails for a while gets every event, in order, as the exact signed bytes', async () => {
    const p = await w.platform();
    const rx = await receiver({ fail: (n) => n <= 3 });
    const ep = await endpoint(p, rx.url);
    expect(ep.secret).toMatch(/^whsec_/);
    await activity(p);

    const { events: expected } = await replayAll(p);
    // asset.created … registered, edition.created, three mints, the gift
    expect(expected.map((e) => e.type)).toEqual(expect.arrayContaining(['asset.created', 'unit.minted', 'unit.gifted']));
    expect(expected.length).toBeGreaterThanOrEqual(9);
    await deliverUntil(() => rx.delivered().length === expected.length);

    // Every request verifies with the reference library, and its webhook-id is the event's id.
    for (const r of rx.received) {
      expect(verify(ep.secret, r)).toEqual(JSON.parse(r.body));
      expect(r.id).toBe(JSON.parse(r.body).data.id);
    }
    // The first event failed three times: each retry carried the same bytes, newly timestamped.
    expect(rx.received.slice(0, 4).map((r) => r.status)).toEqual([500, 500, 500, 204]);
    expect(new Set(rx.received.slice(0, 4).map((r) => r.body)).size).toBe(1);
    expect(new Set(rx.received.slice(0, 4).map((r) => r.timestamp)).size).toBe(4);
    // Delivered exactly once each, in log order: the same events replay gives, byte for byte.
    const delivered = rx.delivered().map((r) => JSON.parse(r.body));
    expect(delivered).toEqual(expected);
    expect(rx.delivered().map((r) => r.body)).toEqual(expected.map((e) => JSON.stringify(e)));
    const indices = delivered.map((e) => e.data.logIndex);
    expect(indices).toEqual([...indices].sort((a, b) => a - b));
    expect(delivered[0]).toMatchObject({ type: delivered[0].data.type, timestamp: delivered[0].data.at });
    expect(rx.maxInFlight()).toBe(1);

    // Every attempt is on record, newest first.
    const attempts = w.ok(await t.call('GET', `/v1/webhook-endpoints/${ep.id}/deliveries?limit=100`, { key: p.key }), 200);
    expect(attempts.data).toHaveLength(rx.received.length);
    const oldest = [...attempts.data].reverse();
    expect(oldest.slice(0, 4)).toMatchObject([
      { attempt: 1, statusCode: 500, succeeded: false, error: 'HTTP 500', eventId: delivered[0].data.id },
      { attempt: 2, statusCode: 500, succeeded: false },
      { attempt: 3, statusCode: 500, succeeded: false },
      { attempt: 4, statusCode: 204, succeeded: true, error: null, nextAttemptAt: null },
    ]);
    for (const a of oldest) expect(a.durationMs).toBeGreaterThanOrEqual(0);
    // Backoff: 10 s, 20 s, 40 s, each less at most a quarter of jitter.
    const waits = oldest
      .slice(0, 3)
      .map((a: { at: string; nextAttemptAt: string }) => (Date.parse(a.nextAttemptAt) - Date.parse(a.at)) / 1000);
    waits.forEach((s: number, i: number) => {
      expect(s).toBeGreaterThanOrEqual(10 * 2 ** i * 0.75 - 0.001);
      expect(s).toBeLessThanOrEqual(10 * 2 ** i);
    });

    const view = w.ok(await t.call('GET', `/v1/webhook-endpoints/${ep.id}`, { key: p.key }), 200);
    expect(view.delivery).toMatchObject({ pendingEventId: null, failedAttempts: 0, nextAttemptAt: null, failingSince: null });
    // Replaying after the endpoint's cursor finds nothing it has not been sent.
    const rest = w.ok(await t.call('GET', `/v1/events?after=${encodeURIComponent(view.delivery.cursor)}`, { key: p.key }), 200);
    expect(rest.data).toEqual([]);
  });

  it('a platform sees its own events and those naming its accounts, filtered by type', async () => {
    const p = await w.platform();
    const rx = await receiver();
    await endpoint(p, rx.url);
    const ctx = await activity(p, 1);
    const otherRx = await receiver();
    // The other platform registers only now: it gets what reaches the log from now on.
    await integrateLog(t.deps);
    await endpoint(ctx.other, otherRx.url, ['unit.*']);
    const holderUnit = ctx.units[0].id;
    // Its account gives the unit back: written for the other platform, naming p's account too.
    w.ok(
      await t.call('POST', `/v1/units/${holderUnit}/transfers`, {
        key: ctx.other.key,
        body: { fromAccountId: ctx.friend, toAccountId: ctx.holder },
      }),
      201,
    );
    const { events: mine } = await replayAll(p);
    const { events: theirs } = await replayAll(ctx.other, '&types=unit.*');
    await deliverUntil(() => rx.delivered().length === mine.length && otherRx.delivered().length === 1);

    // The other platform replays the gift it received and the one it made, but none of p's registry events.
    expect(theirs.map((e) => [e.type, e.data.facts.toId])).toEqual([
      ['unit.gifted', ctx.friend],
      ['unit.gifted', ctx.holder],
    ]);
    expect((await replayAll(ctx.other)).events.every((e) => e.type === 'unit.gifted')).toBe(true);
    // Its endpoint was made after the first gift, so it was sent the second only.
    expect(otherRx.delivered().map((r) => JSON.parse(r.body))).toEqual([theirs[1]]);
    // p gets both gifts: the first it wrote, the second names its account.
    expect(mine.filter((e) => e.type === 'unit.gifted')).toHaveLength(2);
    expect(rx.delivered().map((r) => JSON.parse(r.body))).toEqual(mine);
  });

  it('during a rotation deliveries are signed with both secrets; after the grace period only the new one', async () => {
    const p = await w.platform();
    const holder = await w.account(p);
    const rx = await receiver();
    const ep = await endpoint(p, rx.url, ['asset.*']);
    const newAsset = () => t.call('POST', '/v1/assets', { key: p.key, body: w.assetBody(holder) });

    w.ok(await newAsset(), 201);
    await deliverUntil(() => rx.delivered().length === 1);
    expect(rx.received[0]!.signature.split(' ')).toHaveLength(1);

    const rotated = w.ok(await t.call('POST', `/v1/webhook-endpoints/${ep.id}/rotate-secret`, { key: p.key }), 200);
    expect(rotated.secret).not.toBe(ep.secret);
    expect(rotated.secrets).toHaveLength(2);
    expect(rotated.secrets[0].expiresAt).toBeNull();
    expect(Date.parse(rotated.secrets[1].expiresAt) - t.clock.now().getTime()).toBeGreaterThan(23.9 * 3600 * 1000);

    w.ok(await newAsset(), 201);
    await runScheduledWork(t.deps); // within the grace period
    const during = rx.received[1]!;
    expect(during.signature.split(' ')).toHaveLength(2);
    expect(verify(ep.secret, during)).toBeTruthy();
    expect(verify(rotated.secret, during)).toBeTruthy();

    t.clock.advance(25 * 3600);
    w.ok(await newAsset(), 201);
    await runScheduledWork(t.deps);
    const after = rx.received[2]!;
    expect(after.signature.split(' ')).toHaveLength(1);
    expect(verify(rotated.secret, after)).toBeTruthy();
    expect(() => verify(ep.secret, after)).toThrow(/No matching signature/);
    const view = w.ok(await t.call('GET', `/v1/webhook-endpoints/${ep.id}`, { key: p.key }), 200);
    expect(view.secrets).toEqual([{ createdAt: rotated.secrets[0].createdAt, expiresAt: null }]);

    // A leaked secret is ended at once with graceSeconds 0.
    const urgent = w.ok(
      await t.call('POST', `/v1/webhook-endpoints/${ep.id}/rotate-secret`, { key: p.key, body: { graceSeconds: 0 } }),
      200,
    );
    w.ok(await newAsset(), 201);
    await runScheduledWork(t.deps);
    const last = rx.received[3]!;
    expect(verify(urgent.secret, last)).toBeTruthy();
    expect(() => verify(rotated.secret, last)).toThrow(/No matching signature/);
  });

  it('a disabled endpoint is sent nothing; enabled again, it resumes where it stopped', async () => {
    const p = await w.platform();
    const holder = await w.account(p);
    const rx = await receiver({ fail: (n) => n === 1 });
    const ep = await endpoint(p, rx.url);
    w.ok(await t.call('POST', '/v1/assets', { key: p.key, body: w.assetBody(holder) }), 201);
    await runScheduledWork(t.deps);
    expect(rx.received).toHaveLength(1); // failed; due again in ~10 s

    const disabled = w.ok(await t.call('POST', `/v1/webhook-endpoints/${ep.id}/disable`, { key: p.key }), 200);
    expect(disabled).toMatchObject({ status: 'disabled', disabledReason: 'manual' });
    w.ok(await t.call('POST', '/v1/assets', { key: p.key, body: w.assetBody(holder) }), 201);
    t.clock.advance(3600);
    await runScheduledWork(t.deps);
    expect(rx.received).toHaveLength(1);

    const enabled = w.ok(await t.call('POST', `/v1/webhook-endpoints/${ep.id}/enable`, { key: p.key }), 200);
    expect(enabled).toMatchObject({ status: 'enabled', disabledReason: null });
    await runScheduledWork(t.deps);
    const { events } = await replayAll(p);
    expect(rx.delivered().map((r) => JSON.parse(r.body))).toEqual(events);
    expect(events).toHaveLength(2);
  });

  it('a receiver answering 410 Gone is disabled', async () => {
    const p = await w.platform();
    const holder = await w.account(p);
    const rx = await receiver({ status: 410 });
    const ep = await endpoint(p, rx.url);
    w.ok(await t.call('POST', '/v1/assets', { key: p.key, body: w.assetBody(holder) }), 201);
    await runScheduledWork(t.deps);
    t.clock.advance(3600);
    await runScheduledWork(t.deps);
    expect(rx.received).toHaveLength(1);
    const view = w.ok(await t.call('GET', `/v1/webhook-endpoints/${ep.id}`, { key: p.key }), 200);
    expect(view).toMatchObject({ status: 'disabled', disabledReason: 'gone' });
    expect(view.delivery.pendingEventId).toEqual(expect.stringMatching(/^evt_/));
  });

  it.each([
    ['fetch', undefined],
    ['node', nodeWebhookTransport({ allowPrivate: true })],
  ])('an attempt that gets no answer in time fails and is retried (%s transport)', async (_name, transport) => {
    const p = await w.platform();
    const holder = await w.account(p);
    const rx = await receiver({ delayMs: 3000 }); // answers, but long after the timeout
    const ep = await endpoint(p, rx.url);
    w.ok(await t.call('POST', '/v1/assets', { key: p.key, body: w.assetBody(holder) }), 201);
    await integrateLog(t.deps);
    const deps = { ...t.deps, config: { ...t.deps.config, WEBHOOK_ATTEMPT_TIMEOUT: 1 }, webhookTransport: transport };
    const report = await deliverWebhooks(deps);
    expect(report).toMatchObject({ delivered: 0, failed: 1 });
    const [attempt] = w.ok(await t.call('GET', `/v1/webhook-endpoints/${ep.id}/deliveries`, { key: p.key }), 200).data;
    expect(attempt).toMatchObject({ succeeded: false, statusCode: null, error: 'no response within 1000 ms' });
    expect(attempt.durationMs).toBeGreaterThanOrEqual(900);
    expect(attempt.durationMs).toBeLessThan(2900);
    t.clock.advance(60);
    await deliverWebhooks(t.deps); // 5 s is enough
    expect(rx.delivered()).toHaveLength(2); // the receiver did get the first one, too late: at least once
    expect(rx.delivered()[0]!.body).toBe(rx.delivered()[1]!.body);
  });

  it('two runners at once never send to one endpoint concurrently, and keep the order', async () => {
    const p = await w.platform();
    const receivers = await Promise.all([
      receiver({ delayMs: 15, fail: (n) => n % 4 === 2 }),
      receiver({ delayMs: 5, fail: (n) => n % 3 === 0 }),
      receiver({ delayMs: 10 }),
    ]);
    for (const rx of receivers) await endpoint(p, rx.url);
    await activity(p, 5);
    const { events } = await replayAll(p, '', 100);
    const done = () => receivers.every((rx) => rx.delivered().length >= events.length);
    // Node's transport here, as the Node entry uses it.
    const deps = { ...t.deps, webhookTransport: nodeWebhookTransport({ allowPrivate: true }) };
    for (let round = 0; round < 60 && !done(); round++) {
      await runScheduledWork(t.deps).catch(() => {}); // integrates (and delivers too: a third runner)
      await Promise.all([deliverWebhooks(deps), deliverWebhooks(deps, { concurrency: 2 })]);
      t.clock.advance(2 * 3600);
    }
    for (const rx of receivers) {
      expect(rx.maxInFlight()).toBe(1);
      expect(rx.delivered().map((r) => JSON.parse(r.body))).toEqual(events);
    }
  });

  it('an endpoint held by a runner that died is taken over when its lease ends; the stale runner cannot write', async () => {
    const p = await w.platform();
    const holder = await w.account(p);
    const rx = await receiver();
    const ep = await endpoint(p, rx.url);
    w.ok(await t.call('POST', '/v1/assets', { key: p.key, body: w.assetBody(holder) }), 201);
    await runScheduledWork(t.deps);
    expect(rx.delivered()).toHaveLength(1);
    w.ok(await t.call('POST', '/v1/assets', { key: p.key, body: w.assetBody(holder) }), 201);
    await runScheduledWork(t.deps);
    expect(rx.delivered()).toHaveLength(2);

    // A runner claims the endpoint for a (new) event and dies before doing anything.
    w.ok(await t.call('POST', '/v1/assets', { key: p.key, body: w.assetBody(holder) }), 201);
    await integrateLog(t.deps);
    const lease = { token: 'dead-runner', seconds: 35 };
    const others = await t.deps.db.selectFrom('webhook_endpoints').select('id').where('id', '!=', ep.id).execute();
    const stale = await claimEndpoint(
      t.deps.db,
      t.clock.now(),
      await logSize(t.deps.db),
      lease,
      others.map((o) => o.id),
    );
    expect(stale?.id).toBe(ep.id);
    await deliverWebhooks(t.deps);
    expect(rx.received).toHaveLength(2); // leased: nobody else sends

    t.clock.advance(36);
    await deliverWebhooks(t.deps);
    expect(rx.delivered()).toHaveLength(3);
    // The dead runner wakes up: its lease was taken over, so its write changes nothing.
    const late = await advancePosition(t.deps.db, stale!, 0n, t.clock.now(), lease);
    expect(late).toBeUndefined();
    const view = w.ok(await t.call('GET', `/v1/webhook-endpoints/${ep.id}`, { key: p.key }), 200);
    const { events } = await replayAll(p);
    expect(view.delivery.pendingEventId).toBeNull();
    expect(rx.delivered().map((r) => JSON.parse(r.body))).toEqual(events);
  });
});
