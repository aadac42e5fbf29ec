/**
 * Rate limits (src/http/rate-limit.ts) on Node's in-process store: per API key, per client address,
 * and lower for anonymous reads of the public board and log. The limits are small and the windows
 * an hour long, so no window ends during a test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { parseAppConfig } from '../src/config.js';
import { integrateLog } from '../src/features/tlog/integrate.js';
import { OPERATOR_KEY, startTestApp, type TestApp } from './support/harness.js';
import { world } from './support/world.js';

let t: TestApp;
let w: ReturnType<typeof world>;
let nextAddress = 1;
/** A client address no other test uses: buckets never carry over between tests. */
const freshAddress = () => `198.51.100.${nextAddress++}`;

const LIMITS = {
  OPERATOR_API_KEY: OPERATOR_KEY,
  NOTICE_PERIOD: '0',
  RATE_LIMIT_PER_KEY: '5/1h',
  RATE_LIMIT_PER_ADDRESS: '12/1h',
  RATE_LIMIT_PUBLIC: '3/1h',
  CLIENT_ADDRESS_HEADER: 'X-Forwarded-For',
};

/** The same database and services as `t`, behind an app with `env`'s limits (`t` itself has none that bite). */
function limitedApp(env: Record<string, string> = {}) {
  const app = createApp({ ...t.deps, config: parseAppConfig({ ...LIMITS, ...env }) });
  return async (method: string, path: string, opts: { key?: string; from?: string; body?: unknown } = {}) => {
    const headers: Record<string, string> = { 'x-forwarded-for': opts.from ?? '203.0.113.250' };
    if (opts.key) headers.authorization = `Bearer ${opts.key}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await app.request(path, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      text,
      body: /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : text,
    };
  };
}

const limitHeaders = (h: Headers) => ({
  limit: h.get('ratelimit-limit'),
  remaining: h.get('ratelimit-remaining'),
  policy: h.get('ratelimit-policy'),
});

beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '0' });
  w = world(t);
  await integrateLog(t.deps); // the first checkpoint, for GET /log/checkpoint
});
afterAll(async () => t?.close());

describe('rate limits', () => {
  it('tell every keyed request its limit, what remains and when it resets (RateLimit-* headers)', async () => {
    const call = limitedApp();
    const p = await w.platform();
    const from = freshAddress();
    const seen = [];
    for (let i = 0; i < 3; i++) {
      const res = await call('GET', `/v1/platforms/${p.id}`, { key: p.key, from });
      expect(res.status, res.text).toBe(200);
      seen.push(limitHeaders(res.headers));
      const reset = Number(res.headers.get('ratelimit-reset'));
      expect(reset).toBeGreaterThan(0);
      expect(reset).toBeLessThanOrEqual(3600);
    }
    expect(seen).toEqual([
      { limit: '5', remaining: '4', policy: '5;w=3600' },
      { limit: '5', remaining: '3', policy: '5;w=3600' },
      { limit: '5', remaining: '2', policy: '5;w=3600' },
    ]);
  });

  it('answer 429 problem+json with Retry-After past the key limit, and write nothing', async () => {
    const call = limitedApp();
    const p = await w.platform();
    const from = freshAddress();
    for (let i = 0; i < 5; i++)
      expect(
        (await call('POST', '/v1/accounts', { key: p.key, from, body: { kind: 'person', displayName: `A${i}` } })).status,
      ).toBe(201);
    const before = await t.deps.db.selectFrom('accounts').select('id').where('platform_id', '=', p.id).execute();

    const refused = await call('POST', '/v1/accounts', {
      key: p.key,
      from,
      body: { kind: 'person', displayName: 'One too many' },
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.body).toMatchObject({ status: 429, code: 'rate_limited', limit: 5, windowSeconds: 3600 });
    expect(refused.body.detail).toMatch(/with this API key: at most 5 every 3600 s/);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(limitHeaders(refused.headers)).toEqual({ limit: '5', remaining: '0', policy: '5;w=3600' });
    // Reads count too, and nothing was written by the refused request.
    expect((await call('GET', `/v1/platforms/${p.id}`, { key: p.key, from })).status).toBe(429);
    expect(await t.deps.db.selectFrom('accounts').select('id').where('platform_id', '=', p.id).execute()).toEqual(before);
  });

  it('count each API key on its own, wherever its requests come from', async () => {
    const call = limitedApp();
    const [a, b] = [await w.platform('A'), await w.platform('B')];
    const from = freshAddress();
    for (let i = 0; i < 5; i++)
      expect((await call('GET', `/v1/platforms/${a.id}`, { key: a.key, from: freshAddress() })).status).toBe(200);
    expect((await call('GET', `/v1/platforms/${a.id}`, { key: a.key, from })).status).toBe(429);
    // Same address, other key: its own bucket, untouched.
    const other = await call('GET', `/v1/platforms/${b.id}`, { key: b.key, from });
    expect(other.status).toBe(200);
    expect(limitHeaders(other.headers)).toMatchObject({ limit: '5', remaining: '4' });
  });

  it('count anonymous reads of the board and the log per address, at the lower public limit', async () => {
    const call = limitedApp();
    const from = freshAddress();
    const reads = ['/v1/board/listings', '/log/checkpoint', '/v1/board/stats'];
    for (const path of reads) {
      const res = await call('GET', path, { from });
      expect(res.status, `${path}: ${res.text}`).toBe(200);
    }
    const refused = await call('GET', '/v1/board/trades', { from });
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ code: 'rate_limited', limit: 3 });
    expect(refused.body.detail).toMatch(/without an API key/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await call('GET', '/log/checkpoint', { from })).status).toBe(429);
    // Another address has its own bucket; a platform's key reads the board on the key's limit.
    const elsewhere = await call('GET', '/v1/board/listings', { from: freshAddress() });
    expect(elsewhere.status).toBe(200);
    expect(limitHeaders(elsewhere.headers)).toMatchObject({ limit: '3', remaining: '2' });
    const p = await w.platform();
    const keyed = await call('GET', '/v1/board/listings', { key: p.key, from });
    expect(keyed.status).toBe(200);
    expect(limitHeaders(keyed.headers)).toMatchObject({ limit: '5', remaining: '4' });
  });

  it('count every request of an address, bad keys included, before any key is looked up', async () => {
    const call = limitedApp({ RATE_LIMIT_PUBLIC: '100/1h' });
    const from = freshAddress();
    for (let i = 0; i < 12; i++) {
      expect((await call('GET', '/v1/platforms', { key: `guess-${i}`, from })).status).toBe(401);
    }
    const refused = await call('GET', '/v1/board/listings', { from });
    expect(refused.status).toBe(429);
    expect(refused.body.detail).toMatch(/from this client address/);
    expect(refused.body.limit).toBe(12);
  });

  it('take the address the proxy saw: the last of X-Forwarded-For, and an IPv6 client by its /64', async () => {
    const call = limitedApp();
    const spoofed = (i: number) => `10.0.0.${i}, 192.0.2.77`;
    for (let i = 0; i < 3; i++) expect((await call('GET', '/log/checkpoint', { from: spoofed(i) })).status).toBe(200);
    expect((await call('GET', '/log/checkpoint', { from: spoofed(9) })).status).toBe(429);

    for (const from of ['2001:db8:0:7::1', '2001:db8:0:7:ffff::2', '2001:0db8:0000:0007::3']) {
      expect((await call('GET', '/log/checkpoint', { from })).status).toBe(200);
    }
    expect((await call('GET', '/log/checkpoint', { from: '2001:db8:0:7:1:2:3:4' })).status).toBe(429);
    expect((await call('GET', '/log/checkpoint', { from: '2001:db8:0:8::1' })).status).toBe(200);
  });

  it('RATE_LIMITS=off lifts every limit and sends no RateLimit headers (benchmarks, load tests)', async () => {
    const call = limitedApp({ RATE_LIMITS: 'off' });
    const from = freshAddress();
    for (let i = 0; i < 20; i++) {
      const res = await call('GET', '/log/checkpoint', { from });
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBeNull();
    }
  });

  it('refuse a malformed limit at startup', () => {
    expect(() => parseAppConfig({ RATE_LIMIT_PER_KEY: '600 per minute' })).toThrow(/RATE_LIMIT_PER_KEY/);
    expect(() => parseAppConfig({ RATE_LIMIT_PUBLIC: '0/1m' })).toThrow(/RATE_LIMIT_PUBLIC/);
    expect(parseAppConfig({}).RATE_LIMIT_PER_KEY).toEqual({ limit: 600, windowSeconds: 60 });
  });
});
