import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR_KEY, startTestApp, type TestApp } from './support/harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

async function newPlatform(name: string) {
  const res = await t.call('POST', '/v1/platforms', { key: OPERATOR_KEY, body: { name, feeBps: 250 } });
  expect(res.status).toBe(201);
  return { id: res.body.platform.id as string, key: res.body.apiKey.secret as string };
}

describe('parties', () => {
  it('operator creates a platform, which creates and attests accounts', async () => {
    const p = await newPlatform('Dewu');
    const acc = await t.call('POST', '/v1/accounts', {
      key: p.key,
      body: { kind: 'person', displayName: 'Lin', externalRef: 'u1' },
    });
    expect(acc.status).toBe(201);
    expect(acc.body).toMatchObject({ platformId: p.id, kycLevel: 'none', isAdult: null });
    const att = await t.call('POST', `/v1/accounts/${acc.body.id}/attestations`, {
      key: p.key,
      body: { kycLevel: 'verified', isAdult: true, method: 'id_card_face_match' },
    });
    expect(att.status).toBe(201);
    expect(att.body).toMatchObject({ kycLevel: 'verified', isAdult: true });
    const dup = await t.call('POST', '/v1/accounts', {
      key: p.key,
      body: { kind: 'person', displayName: 'Lin', externalRef: 'u1' },
    });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('external_ref_taken');
  });

  it('platform A can neither read nor act for platform B accounts', async () => {
    const a = await newPlatform('A');
    const b = await newPlatform('B');
    const accB = await t.call('POST', '/v1/accounts', { key: b.key, body: { kind: 'person', displayName: 'Bo' } });
    const read = await t.call('GET', `/v1/accounts/${accB.body.id}`, { key: a.key });
    expect(read.status).toBe(404);
    expect(read.headers.get('content-type')).toContain('application/problem+json');
    const attest = await t.call('POST', `/v1/accounts/${accB.body.id}/attestations`, {
      key: a.key,
      body: { kycLevel: 'basic', isAdult: true, method: 'x' },
    });
    expect(attest.status).toBe(404);
    const key = await t.call('POST', '/v1/api-keys', { key: a.key, body: { subjectId: accB.body.id } });
    expect(key.status).toBe(404);
    const list = await t.call('GET', '/v1/accounts', { key: a.key });
    expect(list.body.data.map((x: { id: string }) => x.id)).not.toContain(accB.body.id);
    const own = await t.call('GET', `/v1/accounts/${accB.body.id}`, { key: b.key });
    expect(own.status).toBe(200);
    expect(own.body.kycLevel).toBe('none');
  });

  it('refuses missing keys, wrong roles and read-only keys with problems', async () => {
    const none = await t.call('POST', '/v1/platforms', { body: { name: 'X' } });
    expect(none.status).toBe(401);
    expect(none.body.code).toBe('unauthenticated');
    const p = await newPlatform('P');
    const wrongRole = await t.call('POST', '/v1/platforms', { key: p.key, body: { name: 'X' } });
    expect(wrongRole.status).toBe(403);
    expect(wrongRole.body.code).toBe('wrong_role');
    const ro = await t.call('POST', '/v1/api-keys', { key: OPERATOR_KEY, body: { subjectId: p.id, scopes: ['read'] } });
    expect(ro.status).toBe(201);
    const denied = await t.call('POST', '/v1/accounts', { key: ro.body.secret, body: { kind: 'person', displayName: 'Z' } });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('insufficient_scope');
    const revoked = await t.call('POST', `/v1/api-keys/${ro.body.id}/revoke`, { key: p.key });
    expect(revoked.status).toBe(200);
    const after = await t.call('GET', '/v1/accounts', { key: ro.body.secret });
    expect(after.status).toBe(401);
  });

  it('bad input gets 4xx problems and writes nothing', async () => {
    const p = await newPlatform('Q');
    const before = await t.call('GET', '/v1/accounts', { key: p.key });
    const cases = [
      { rawBody: '{"kind": "person", ', code: 'malformed_json', status: 400 },
      { body: { kind: 'robot', displayName: 'R' }, code: 'validation_failed', status: 400 },
      { body: { kind: 'person', displayName: 42 }, code: 'validation_failed', status: 400 },
      { body: { kind: 'person', displayName: 'x', extra: 1 }, code: 'validation_failed', status: 400 },
      { body: { kind: 'person', displayName: 'x'.repeat(2_000_000) }, code: 'body_too_large', status: 413 },
    ];
    for (const c of cases) {
      const res = await t.call('POST', '/v1/accounts', { key: p.key, body: c.body, rawBody: c.rawBody });
      expect(res.status, JSON.stringify(res.body).slice(0, 200)).toBe(c.status);
      expect(res.body.code).toBe(c.code);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    const badId = await t.call('GET', '/v1/accounts/acc_nope', { key: p.key });
    expect(badId.status).toBe(400);
    expect(badId.body.code).toBe('validation_failed');
    const after = await t.call('GET', '/v1/accounts', { key: p.key });
    expect(after.body.data).toEqual(before.body.data);
  });

  it('pages with opaque cursors', async () => {
    const p = await newPlatform('Pager');
    for (let i = 0; i < 5; i++)
      await t.call('POST', '/v1/accounts', { key: p.key, body: { kind: 'person', displayName: `u${i}` } });
    const first = await t.call('GET', '/v1/accounts?limit=2', { key: p.key });
    expect(first.body.data).toHaveLength(2);
    const second = await t.call('GET', `/v1/accounts?limit=2&after=${first.body.nextCursor}`, { key: p.key });
    const third = await t.call('GET', `/v1/accounts?limit=2&after=${second.body.nextCursor}`, { key: p.key });
    expect(third.body.data).toHaveLength(1);
    expect(third.body.nextCursor).toBeNull();
    const ids = [...first.body.data, ...second.body.data, ...third.body.data].map((a: { id: string }) => a.id);
    expect(new Set(ids).size).toBe(5);
    const bad = await t.call('GET', '/v1/accounts?after=garbage', { key: p.key });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalid_cursor');
  });

  it('Idempotency-Key: same body replays, different body conflicts, parallel duplicates create one', async () => {
    const p = await newPlatform('Idem');
    const headers = { 'idempotency-key': 'k-1' };
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        t.call('POST', '/v1/accounts', { key: p.key, headers, body: { kind: 'person', displayName: 'Same' } }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    const list = await t.call('GET', '/v1/accounts', { key: p.key });
    expect(list.body.data).toHaveLength(1);
    const other = await t.call('POST', '/v1/accounts', { key: p.key, headers, body: { kind: 'person', displayName: 'Other' } });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('idempotency_key_reused');
  });

  it('serves the OpenAPI document, the reference page and request ids', async () => {
    const doc = await t.call('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/v1/platforms', '/v1/accounts', '/v1/accounts/{id}', '/v1/officials']),
    );
    const docs = await t.call('GET', '/docs');
    expect(docs.text).toContain('/openapi.json');
    expect(doc.headers.get('x-request-id')).toBeTruthy();
  });
});
