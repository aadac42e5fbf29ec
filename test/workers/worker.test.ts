import { env, exports } from 'cloudflare:workers';
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3BlobStore } from '../../src/adapters/s3-blob-store.js';
import { postgresClient } from '../../src/db/postgres.js';
import { newId } from '../../src/ids.js';
import { call, newAccount, newPlatform, seedWorkWithClosedNotice } from './worker-client.js';

// Everything goes through src/worker.ts inside workerd: bindings → deps → app, one Postgres pool per
// invocation over the Hyperdrive binding (pointed at this run's own database by global-setup.ts).

/** Tree size of the latest signed checkpoint (C2SP tlog-checkpoint: origin, size, root hash, signature). */
async function checkpointSize(): Promise<number | null> {
  const res = await call('GET', '/log/checkpoint');
  if (res.status === 404) return null;
  expect(res.status, res.text).toBe(200);
  const [origin, size, , blank, signature] = res.text.split('\n');
  expect(origin).toBe('haipai.test/log');
  expect(blank).toBe('');
  expect(signature).toMatch(/^— haipai\.test\/log /);
  return Number(size);
}

// Test data the API cannot make quickly goes straight in (seedWorkWithClosedNotice).
let sql: postgres.Sql;
beforeAll(() => {
  sql = postgresClient({ url: env.HYPERDRIVE.connectionString, max: 1 });
});
afterAll(async () => {
  await sql?.end();
});

describe('the Worker', () => {
  it('answers /healthz and serves the OpenAPI document', async () => {
    const health = await call('GET', '/healthz');
    expect(health).toMatchObject({ status: 200, body: { ok: true } });
    const doc = await call('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/v1/platforms', '/v1/accounts/{id}']));
  });

  it('operator creates a platform, the platform creates an account and reads it back', async () => {
    const p = await newPlatform('Dewu');
    const created = await call('POST', '/v1/accounts', {
      key: p.key,
      body: { kind: 'person', displayName: 'Lin', externalRef: 'u-1' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ platformId: p.id, kind: 'person', displayName: 'Lin' });
    const read = await call('GET', `/v1/accounts/${created.body.id}`, { key: p.key });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
  });

  it('answers bad requests with problem+json', async () => {
    const p = await newPlatform('Problems');
    const missing = await call('GET', `/v1/accounts/${newId('acc')}`, { key: p.key });
    expect(missing.status).toBe(404);
    expect(missing.type).toContain('application/problem+json');
    expect(missing.body.code).toBe('not_found');
    const invalid = await call('POST', '/v1/accounts', { key: p.key, body: { kind: 'robot', displayName: 'R' } });
    expect(invalid.status).toBe(400);
    expect(invalid.type).toContain('application/problem+json');
    expect(invalid.body.code).toBe('validation_failed');
    const anonymous = await call('POST', '/v1/platforms', { body: { name: 'X' } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('unauthenticated');
    const noRoute = await call('GET', '/v1/nothing-here');
    expect(noRoute.status).toBe(404);
    expect(noRoute.body.code).toBe('route_not_found');
  });

  it('keeps parallel invocations apart: one account per Idempotency-Key, each with its own pool', async () => {
    const p = await newPlatform('Parallel');
    const same = { 'idempotency-key': 'workers-k1' };
    const replies = await Promise.all([
      ...Array.from({ length: 4 }, () =>
        call('POST', '/v1/accounts', { key: p.key, headers: same, body: { kind: 'person', displayName: 'Same' } }),
      ),
      ...Array.from({ length: 4 }, (_, i) =>
        call('POST', '/v1/accounts', { key: p.key, body: { kind: 'person', displayName: `u${i}` } }),
      ),
    ]);
    expect(replies.map((r) => r.status)).toEqual(Array(8).fill(201));
    expect(new Set(replies.slice(0, 4).map((r) => r.body.id)).size).toBe(1);
    const list = await call('GET', '/v1/accounts?limit=50', { key: p.key });
    expect(list.body.data).toHaveLength(5);
  });

  it('runs the cron trigger: a work whose notice closed is registered and the log signs it', async () => {
    const p = await newPlatform('Notice');
    const assetId = await seedWorkWithClosedNotice(sql, p.id, await newAccount(p.key, 'Studio'));

    await exports.default.scheduled({ cron: '* * * * *', scheduledTime: Date.now() });

    const [asset] = await sql<{ status: string; registration_number: string | null }[]>`
      select status, registration_number from assets where id = ${assetId}`;
    expect(asset).toMatchObject({ status: 'registered', registration_number: expect.stringMatching(/^HP-\d{4}-\d{6}$/) });
    const events = await sql<{ type: string }[]>`select type from events where asset_id = ${assetId}`;
    expect(events.map((e) => e.type)).toContain('asset.registered');
    expect(await checkpointSize()).toBeGreaterThanOrEqual(1);
    const vkey = await call('GET', '/log/vkey');
    expect(vkey.text).toMatch(/^haipai\.test\/log\+[0-9a-f]{8}\+/);
  });

  it('integrates the log after a write, without waiting for the cron', async () => {
    const p = await newPlatform('Prompt');
    const assetId = await seedWorkWithClosedNotice(sql, p.id, await newAccount(p.key, 'Atelier'));
    // Reads never write: the work whose notice has closed still reads as under notice.
    const read = await call('GET', `/v1/assets/${assetId}`, { key: p.key });
    expect(read.status, read.text).toBe(200);
    expect(read.body.status).toBe('public_notice');
    const before = (await checkpointSize()) ?? 0;
    // A write that needs the work registers it (events), and any successful write schedules
    // integration with ctx.waitUntil after its response.
    const edition = await call('POST', `/v1/assets/${assetId}/editions`, {
      key: p.key,
      body: { size: 1, preset: 'open_market' },
    });
    expect(edition.status, edition.text).toBe(201);
    let after = before;
    for (let i = 0; i < 50 && after <= before; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = (await checkpointSize()) ?? 0;
    }
    expect(after).toBeGreaterThan(before);
  });

  it('reaches object storage through the S3 API from workerd (the R2 path)', async () => {
    const blobs = s3BlobStore({
      endpoint: env.S3_ENDPOINT,
      bucket: env.S3_BUCKET,
      region: env.S3_REGION,
      accessKeyId: env.S3_ACCESS_KEY_ID,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY,
    });
    const bytes = new TextEncoder().encode('hello from workerd');
    const url = await blobs.presignPut('uploads/hello.txt', {
      contentType: 'text/plain',
      contentLength: bytes.length,
      expiresInSeconds: 60,
    });
    const put = await fetch(url, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: bytes });
    expect(put.status).toBe(200);
    expect(await blobs.stat('uploads/hello.txt')).toEqual({ size: bytes.length });
    expect(new TextDecoder().decode((await blobs.read('uploads/hello.txt')) ?? undefined)).toBe('hello from workerd');
    expect(await blobs.stat('uploads/absent.txt')).toBeNull();
  });
});
