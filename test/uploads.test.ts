import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex } from '../src/crypto/bytes.js';
import { completedUploadsFor } from '../src/features/uploads/uploads.repo.js';
import { verifiedObjectKey } from '../src/features/uploads/uploads.service.js';
import { OPERATOR_KEY, startTestApp, type TestApp } from './support/harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

const hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function newPlatform(name: string) {
  const res = await t.call('POST', '/v1/platforms', { key: OPERATOR_KEY, body: { name } });
  expect(res.status).toBe(201);
  return { id: res.body.platform.id as string, key: res.body.apiKey.secret as string };
}

async function newAccount(platformKey: string) {
  const res = await t.call('POST', '/v1/accounts', { key: platformKey, body: { kind: 'person', displayName: 'Lin' } });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function setup() {
  const platform = await newPlatform('Uploader');
  const accountId = await newAccount(platform.key);
  return { platform, accountId };
}

function declare(accountId: string, bytes: Uint8Array, extra: Record<string, unknown> = {}) {
  return { accountId, mediaType: 'model/gltf-binary', size: bytes.length, sha256: hex(bytes), filename: 'qipao.vrm', ...extra };
}

/** What a client does with the create response: a plain PUT to the presigned URL. */
async function putTo(issued: { uploadUrl: string; method: string; headers: Record<string, string> }, body: Uint8Array) {
  const res = await fetch(issued.uploadUrl, { method: issued.method, headers: issued.headers, body: body as BodyInit });
  await res.arrayBuffer();
  return res.status;
}

async function objectKeyOf(uploadId: string) {
  const row = await t.deps.db.selectFrom('uploads').select('object_key').where('id', '=', uploadId).executeTakeFirstOrThrow();
  return row.object_key;
}

describe('uploads', () => {
  it('presigned PUT, then complete: the server re-hashes and marks it completed', async () => {
    const { platform, accountId } = await setup();
    const bytes = new Uint8Array(randomBytes(4096));
    const created = await t.call('POST', '/v1/uploads', { key: platform.key, body: declare(accountId, bytes) });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      accountId,
      status: 'pending',
      mediaType: 'model/gltf-binary',
      size: 4096,
      sha256: hex(bytes),
      filename: 'qipao.vrm',
      method: 'PUT',
      headers: { 'content-type': 'model/gltf-binary' },
      completedAt: null,
    });
    expect(created.body.id).toMatch(/^upl_[0-9A-Z]{26}$/);
    const ttlMs = new Date(created.body.expiresAt).getTime() - new Date(created.body.createdAt).getTime();
    expect(ttlMs).toBe(t.deps.config.UPLOAD_URL_TTL * 1000);
    const url = new URL(created.body.uploadUrl);
    // The signature binds the length; no empty-body checksum that real S3/R2 would reject .
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toContain('content-length');
    expect([...url.searchParams.keys()].some((k) => k.toLowerCase().includes('checksum'))).toBe(false);
    expect(await objectKeyOf(created.body.id)).toBe(`uploads/${accountId}/${created.body.id}/${hex(bytes)}`);

    expect(await putTo(created.body, bytes)).toBe(200);
    const pending = await t.call('GET', `/v1/uploads/${created.body.id}`, { key: platform.key });
    expect(pending.status).toBe(200);
    expect(pending.body.status).toBe('pending');
    expect(pending.body.uploadUrl).toBeUndefined();

    const done = await t.call('POST', `/v1/uploads/${created.body.id}/complete`, { key: platform.key });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ id: created.body.id, status: 'completed', sha256: hex(bytes), size: 4096 });
    expect(done.body.completedAt).toEqual(expect.any(String));

    const again = await t.call('POST', `/v1/uploads/${created.body.id}/complete`, { key: platform.key });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(done.body);

    const read = await t.call('GET', `/v1/uploads/${created.body.id}`, { key: platform.key });
    expect(read.body).toEqual(done.body);
    expect(await t.deps.blobs.read(await objectKeyOf(created.body.id))).toEqual(bytes);

    // Overwriting the staging object through the still-valid URL changes nothing we keep.
    const overwrite = new Uint8Array(4096).fill(7);
    const put = await fetch(created.body.uploadUrl, { method: 'PUT', headers: created.body.headers, body: overwrite });
    expect(put.status).toBe(200);
    const verified = await t.deps.blobs.read(verifiedObjectKey(fromHex(hex(bytes))));
    expect(verified).toEqual(bytes);
  });

  it("the account's own key may upload for itself", async () => {
    const { platform, accountId } = await setup();
    const key = await t.call('POST', '/v1/api-keys', { key: platform.key, body: { subjectId: accountId } });
    expect(key.status).toBe(201);
    const bytes = new TextEncoder().encode('v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n');
    const created = await t.call('POST', '/v1/uploads', {
      key: key.body.secret,
      body: declare(accountId, bytes, { mediaType: 'model/obj', filename: 'tri.obj' }),
    });
    expect(created.status).toBe(201);
    expect(await putTo(created.body, bytes)).toBe(200);
    const done = await t.call('POST', `/v1/uploads/${created.body.id}/complete`, { key: key.body.secret });
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('completed');
    const byPlatform = await t.call('GET', `/v1/uploads/${created.body.id}`, { key: platform.key });
    expect(byPlatform.status).toBe(200);
  });

  it('different bytes of the same size: 422 upload_hash_mismatch, still pending, and a correct retry completes', async () => {
    const { platform, accountId } = await setup();
    const bytes = new Uint8Array(randomBytes(1000));
    const created = await t.call('POST', '/v1/uploads', { key: platform.key, body: declare(accountId, bytes) });
    const other = new Uint8Array(bytes);
    other[500] = other[500]! ^ 0xff;
    expect(await putTo(created.body, other)).toBe(200);

    const refused = await t.call('POST', `/v1/uploads/${created.body.id}/complete`, { key: platform.key });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('upload_hash_mismatch');
    expect(refused.body).toMatchObject({ declared: hex(bytes), actual: hex(other) });
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    const still = await t.call('GET', `/v1/uploads/${created.body.id}`, { key: platform.key });
    expect(still.body).toMatchObject({ status: 'pending', completedAt: null });
    expect(await completedUploadsFor(t.deps.db, [created.body.id])).toEqual([]);

    expect(await putTo(created.body, bytes)).toBe(200);
    const done = await t.call('POST', `/v1/uploads/${created.body.id}/complete`, { key: platform.key });
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('completed');
  });

  it('a stored object of another size: 422 upload_size_mismatch, still pending', async () => {
    const { platform, accountId } = await setup();
    const bytes = new Uint8Array(randomBytes(256));
    const created = await t.call('POST', '/v1/uploads', { key: platform.key, body: declare(accountId, bytes) });
    // Real S3/R2 refuse a PUT whose length differs from the signed one; write the object directly.
    await t.deps.blobs.put(await objectKeyOf(created.body.id), bytes.subarray(0, 200), 'model/gltf-binary');
    const refused = await t.call('POST', `/v1/uploads/${created.body.id}/complete`, { key: platform.key });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'upload_size_mismatch', declared: 256, actual: 200 });
    const still = await t.call('GET', `/v1/uploads/${created.body.id}`, { key: platform.key });
    expect(still.body.status).toBe('pending');
  });

  it('nothing PUT yet: 409 upload_missing', async () => {
    const { platform, accountId } = await setup();
    const created = await t.call('POST', '/v1/uploads', { key: platform.key, body: declare(accountId, new Uint8Array(10)) });
    const refused = await t.call('POST', `/v1/uploads/${created.body.id}/complete`, { key: platform.key });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('upload_missing');
    const still = await t.call('GET', `/v1/uploads/${created.body.id}`, { key: platform.key });
    expect(still.body.status).toBe('pending');
  });

  it('refuses oversize, unlisted media types and malformed declarations, writing nothing', async () => {
    const { platform, accountId } = await setup();
    const count = async () =>
      Number(
        (
          await t.deps.db
            .selectFrom('uploads')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('account_id', '=', accountId)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const good = declare(accountId, new Uint8Array(16));
    const max = t.deps.config.MAX_UPLOAD_BYTES;
    const cases = [
      { body: { ...good, size: max + 1 }, status: 413, code: 'upload_too_large' },
      { body: { ...good, mediaType: 'application/x-msdownload' }, status: 415, code: 'unsupported_media_type' },
      { body: { ...good, mediaType: 'application/octet-stream' }, status: 415, code: 'unsupported_media_type' },
      { body: { ...good, mediaType: 'image/png; charset=utf-8' }, status: 415, code: 'unsupported_media_type' },
      { body: { ...good, sha256: good.sha256.toUpperCase() }, status: 400, code: 'validation_failed' },
      { body: { ...good, sha256: good.sha256.slice(1) }, status: 400, code: 'validation_failed' },
      { body: { ...good, sha256: `${good.sha256.slice(1)}g` }, status: 400, code: 'validation_failed' },
      { body: { ...good, size: 0 }, status: 400, code: 'validation_failed' },
      { body: { ...good, size: 1.5 }, status: 400, code: 'validation_failed' },
      { body: { ...good, filename: '../etc/passwd' }, status: 400, code: 'validation_failed' },
      { body: { ...good, accountId: 'acc_nope' }, status: 400, code: 'validation_failed' },
      { body: { ...good, extra: true }, status: 400, code: 'validation_failed' },
    ];
    for (const c of cases) {
      const res = await t.call('POST', '/v1/uploads', { key: platform.key, body: c.body });
      expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(c.status);
      expect(res.body.code).toBe(c.code);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    const tooLarge = await t.call('POST', '/v1/uploads', { key: platform.key, body: { ...good, size: max + 1 } });
    expect(tooLarge.body.maxBytes).toBe(max);
    expect(await count()).toBe(0);

    const exactlyMax = await t.call('POST', '/v1/uploads', { key: platform.key, body: { ...good, size: max } });
    expect(exactlyMax.status).toBe(201);
    const upper = await t.call('POST', '/v1/uploads', { key: platform.key, body: { ...good, mediaType: 'Image/PNG' } });
    expect(upper.status).toBe(201);
    expect(upper.body.mediaType).toBe('image/png');
    expect(upper.body.headers).toEqual({ 'content-type': 'image/png' });
  });

  it('another platform can neither start, see nor complete uploads for accounts that are not its own', async () => {
    const { platform, accountId } = await setup();
    const stranger = await newPlatform('Stranger');
    const bytes = new Uint8Array(randomBytes(64));
    const forOther = await t.call('POST', '/v1/uploads', { key: stranger.key, body: declare(accountId, bytes) });
    expect(forOther.status).toBe(404);

    const created = await t.call('POST', '/v1/uploads', { key: platform.key, body: declare(accountId, bytes) });
    expect(await putTo(created.body, bytes)).toBe(200);
    const read = await t.call('GET', `/v1/uploads/${created.body.id}`, { key: stranger.key });
    expect(read.status).toBe(404);
    expect(read.body.code).toBe('not_found');
    const complete = await t.call('POST', `/v1/uploads/${created.body.id}/complete`, { key: stranger.key });
    expect(complete.status).toBe(404);

    // A sibling account on the same platform is a stranger too.
    const sibling = await newAccount(platform.key);
    const siblingKey = await t.call('POST', '/v1/api-keys', { key: platform.key, body: { subjectId: sibling } });
    const bySibling = await t.call('GET', `/v1/uploads/${created.body.id}`, { key: siblingKey.body.secret });
    expect(bySibling.status).toBe(404);

    const operator = await t.call('POST', `/v1/uploads/${created.body.id}/complete`, { key: OPERATOR_KEY });
    expect(operator.status).toBe(403);
    expect(operator.body.code).toBe('wrong_role');
    const anonymous = await t.call('GET', `/v1/uploads/${created.body.id}`);
    expect(anonymous.status).toBe(401);

    const still = await t.call('GET', `/v1/uploads/${created.body.id}`, { key: platform.key });
    expect(still.body.status).toBe('pending');
    const unknown = await t.call('GET', '/v1/uploads/upl_01JABCDEFGHJKMNPQRSTVWXYZ1', { key: platform.key });
    expect(unknown.status).toBe(404);
    const badId = await t.call('GET', '/v1/uploads/nope', { key: platform.key });
    expect(badId.status).toBe(400);
    expect(badId.body.code).toBe('validation_failed');
  });

  it('parallel completes of one upload all succeed with one completion time', async () => {
    const { platform, accountId } = await setup();
    const bytes = new Uint8Array(randomBytes(2048));
    const created = await t.call('POST', '/v1/uploads', { key: platform.key, body: declare(accountId, bytes) });
    expect(await putTo(created.body, bytes)).toBe(200);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => t.call('POST', `/v1/uploads/${created.body.id}/complete`, { key: platform.key })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(new Set(results.map((r) => r.body.completedAt)).size).toBe(1);
  });

  it('Idempotency-Key on create returns the first upload again', async () => {
    const { platform, accountId } = await setup();
    const body = declare(accountId, new Uint8Array(randomBytes(32)));
    const headers = { 'idempotency-key': 'upload-1' };
    const first = await t.call('POST', '/v1/uploads', { key: platform.key, body, headers });
    const second = await t.call('POST', '/v1/uploads', { key: platform.key, body, headers });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
  });

  it('completedUploadsFor returns only completed uploads, with their platform and hash', async () => {
    const { platform, accountId } = await setup();
    const bytes = new Uint8Array(randomBytes(128));
    const done = await t.call('POST', '/v1/uploads', { key: platform.key, body: declare(accountId, bytes) });
    await putTo(done.body, bytes);
    expect((await t.call('POST', `/v1/uploads/${done.body.id}/complete`, { key: platform.key })).status).toBe(200);
    const pending = await t.call('POST', '/v1/uploads', { key: platform.key, body: declare(accountId, bytes) });
    const rows = await completedUploadsFor(t.deps.db, [
      done.body.id,
      pending.body.id,
      'upl_01JABCDEFGHJKMNPQRSTVWXYZ1',
      done.body.id,
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: done.body.id,
      account_id: accountId,
      platform_id: platform.id,
      media_type: 'model/gltf-binary',
    });
    expect(Number(rows[0]!.size)).toBe(128);
    expect(Buffer.from(rows[0]!.sha256).toString('hex')).toBe(hex(bytes));
    expect(await completedUploadsFor(t.deps.db, [])).toEqual([]);
  });

  it('documents every endpoint and its problems in the OpenAPI document', async () => {
    const doc = await t.call('GET', '/openapi.json');
    const create = doc.body.paths['/v1/uploads'].post;
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '404', '413', '415']));
    const complete = doc.body.paths['/v1/uploads/{id}/complete'].post;
    expect(Object.keys(complete.responses)).toEqual(expect.arrayContaining(['200', '404', '409', '422']));
    expect(doc.body.paths['/v1/uploads/{id}'].get.responses['200']).toBeDefined();
  });

  // Last: it moves the shared clock forward.
  it('a pending upload past its expiry cannot complete (409 upload_expired); a completed one still reads back', async () => {
    const { platform, accountId } = await setup();
    const bytes = new Uint8Array(randomBytes(100));
    const late = await t.call('POST', '/v1/uploads', { key: platform.key, body: declare(accountId, bytes) });
    const early = await t.call('POST', '/v1/uploads', { key: platform.key, body: declare(accountId, bytes) });
    expect(await putTo(late.body, bytes)).toBe(200);
    expect(await putTo(early.body, bytes)).toBe(200);
    expect((await t.call('POST', `/v1/uploads/${early.body.id}/complete`, { key: platform.key })).status).toBe(200);

    t.clock.advance(t.deps.config.UPLOAD_URL_TTL + 1);
    const refused = await t.call('POST', `/v1/uploads/${late.body.id}/complete`, { key: platform.key });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('upload_expired');
    expect((await t.call('GET', `/v1/uploads/${late.body.id}`, { key: platform.key })).body.status).toBe('pending');
    const replay = await t.call('POST', `/v1/uploads/${early.body.id}/complete`, { key: platform.key });
    expect(replay.status).toBe(200);
    expect(replay.body.status).toBe('completed');
  });
});
