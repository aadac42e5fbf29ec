import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemorySimilarityIndex } from '../src/features/media/similarity-memory.js';
import { MemoryLogger } from '../src/ports/logger.js';
import { parseMediaWorkerConfig } from '../workers/media/config.js';
import { type MediaWorker, startMediaWorker } from '../workers/media/worker.js';
import { blackPng, glbModel, pngHeaderOnly, sceneSvg, vrm0, vrm1 } from './media-fixtures.js';
import { OPERATOR_KEY, startTestApp, type TestApp } from './support/harness.js';
import { world } from './support/world.js';

// The pipeline end to end: uploads through presigned URLs, a media worker on the same database
// (PGlite, or PostgreSQL with DATABASE_URL), and submissions screened against registered works.
let t: TestApp;
let w: ReturnType<typeof world>;
let worker: MediaWorker;
const sharpInputs: Buffer[] = [];
/** sharp itself, recording what it is asked to open. */
const watchedSharp = Object.assign((...args: Parameters<typeof sharp>) => {
  if (Buffer.isBuffer(args[0]) || args[0] instanceof Uint8Array) sharpInputs.push(Buffer.from(args[0] as Uint8Array));
  return sharp(...args);
}, sharp) as typeof sharp;

beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '0', MEDIA_SUBMIT_WAIT: '20' });
  w = world(t);
  // Screening and GET /v1/assets/similar search as the Node entry does: from memory, loaded at start
  // and kept current from media_hashes (similarity-memory.ts).
  const similarity = new MemorySimilarityIndex();
  await similarity.load(t.deps.db);
  t.deps.similarity = similarity;
  worker = startMediaWorker(
    { db: t.deps.db, blobs: t.deps.blobs, clock: t.clock, log: new MemoryLogger(), sharp: watchedSharp },
    parseMediaWorkerConfig({ MEDIA_POLL_INTERVAL: '0.05' }),
  );
});
afterAll(async () => {
  await worker?.stop();
  await t?.close();
});

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Declare, PUT to the presigned URL, complete: what a platform does. */
async function upload(key: string, accountId: string, bytes: Uint8Array, mediaType: string) {
  const created = w.ok(
    await t.call('POST', '/v1/uploads', { key, body: { accountId, mediaType, size: bytes.length, sha256: sha256(bytes) } }),
    201,
  );
  const put = await fetch(created.uploadUrl, { method: 'PUT', headers: created.headers, body: bytes as BodyInit });
  expect(put.status).toBe(200);
  w.ok(await t.call('POST', `/v1/uploads/${created.id}/complete`, { key }), 200);
  return created.id as string;
}

/** The analysis once the worker has finished it. */
async function analysed(key: string, uploadId: string) {
  for (let i = 0; i < 400; i++) {
    const res = await t.call('GET', `/v1/uploads/${uploadId}/media`, { key });
    expect(res.status).toBe(200);
    if (res.body.status === 'done' || res.body.status === 'dead') return res.body;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`analysis of ${uploadId} did not finish`);
}

async function party(name: string) {
  const p = await w.platform(name);
  const account = await w.account(p);
  return { ...p, account };
}

function draft(
  p: { key: string; account: string },
  files: { uploadId: string; purpose: string }[],
  over: Record<string, unknown> = {},
) {
  return t.call('POST', '/v1/assets', { key: p.key, body: w.assetBody(p.account, { files, ...over }) });
}

async function registered(
  p: { key: string; account: string },
  official: { key: string },
  files: { uploadId: string; purpose: string }[],
  over = {},
) {
  const asset = w.ok(await draft(p, files, over), 201);
  w.ok(await t.call('POST', `/v1/assets/${asset.id}/submit`, { key: p.key }), 200);
  w.ok(await t.call('POST', `/v1/assets/${asset.id}/review`, { key: official.key, body: { action: 'start' } }), 200);
  const done = w.ok(
    await t.call('POST', `/v1/assets/${asset.id}/review`, { key: official.key, body: { action: 'approve' } }),
    200,
  );
  expect(done.status).toBe('registered');
  return done;
}

describe('every completed upload is analysed', () => {
  it('queues the job with the completion, then records format, size, hashes, BlurHash and WebP previews in storage', async () => {
    const a = await party('Previews');
    const png = await sharp(sceneSvg(101, 1600, 1200))
      .png()
      .toBuffer();
    const id = await upload(a.key, a.account, png, 'image/png');
    const media = await analysed(a.key, id);
    expect(media).toMatchObject({ uploadId: id, status: 'done', verdict: 'accepted', refusal: null, format: 'png', model: null });
    expect(media.image).toMatchObject({ width: 1600, height: 1200, lowDetail: false });
    expect(media.image.dhash).toMatch(/^[0-9a-f]{16}$/);
    expect(media.image.phash).toMatch(/^[0-9a-f]{16}$/);
    expect(media.image.blurhash).toMatch(/^L.{27}$/);
    const { small, large } = media.image.previews;
    expect(small).toMatchObject({ width: 256, height: 192, url: `/v1/uploads/${id}/preview/small` });
    expect(large).toMatchObject({ width: 1024, height: 768 });
    for (const p of [small, large]) {
      expect(p.key).toBe(`previews/sha256/${sha256(png)}/${p === small ? 'small' : 'large'}.webp`);
      const stored = await t.deps.blobs.read(p.key);
      expect(await sharp(stored!).metadata()).toMatchObject({ format: 'webp', width: p.width, height: p.height });
    }
    const served = await t.app.request(small.url, { headers: { authorization: `Bearer ${a.key}` } });
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/webp');
    // Previews are not public until a public work shows them.
    expect((await t.app.request(small.url)).status).toBe(404);

    // The same bytes uploaded again hash the same.
    const b = await party('Same bytes');
    const again = await analysed(b.key, await upload(b.key, b.account, png, 'image/png'));
    expect([again.image.dhash, again.image.phash, again.image.blurhash]).toEqual([
      media.image.dhash,
      media.image.phash,
      media.image.blurhash,
    ]);
  });

  it('refuses a PNG declared as JPEG; a work with it cannot be submitted', async () => {
    const a = await party('Mislabelled');
    const png = await sharp(sceneSvg(102, 200, 200))
      .png()
      .toBuffer();
    const id = await upload(a.key, a.account, png, 'image/jpeg');
    const media = await analysed(a.key, id);
    expect(media).toMatchObject({ status: 'done', verdict: 'refused', format: 'png', refusal: { rule: 'format_mismatch' } });
    expect(media.refusal.detail).toMatch(/declared as image\/jpeg, but the bytes are PNG/i);
    const asset = w.ok(await draft(a, [{ uploadId: id, purpose: 'preview' }]), 201);
    const submit = await t.call('POST', `/v1/assets/${asset.id}/submit`, { key: a.key });
    expect(submit.status).toBe(422);
    expect(submit.body).toMatchObject({ code: 'media_refused', rule: 'format_mismatch', uploadId: id });
    expect((await t.call('GET', `/v1/assets/${asset.id}`, { key: a.key })).body.status).toBe('draft');
  });

  it('refuses decompression bombs from the header, without decoding them', async () => {
    const a = await party('Bombs');
    const crafted = pngHeaderOnly(100_000, 100_000);
    const real = blackPng(20_000);
    for (const bytes of [crafted, real]) {
      const media = await analysed(a.key, await upload(a.key, a.account, bytes, 'image/png'));
      expect(media).toMatchObject({ verdict: 'refused', refusal: { rule: 'image_too_large' }, image: null });
      expect(media.refusal.detail).toContain('not decoded');
      expect(sharpInputs.some((input) => input.equals(bytes))).toBe(false);
    }
  });

  it('GLB: meshes, vertices and textures counted; a garment without a mesh is refused at submission', async () => {
    const a = await party('Models');
    const model = await analysed(
      a.key,
      await upload(a.key, a.account, glbModel({ vertices: [2400, 600], textures: 3 }), 'model/gltf-binary'),
    );
    expect(model).toMatchObject({
      verdict: 'accepted',
      format: 'glb',
      image: null,
      model: { meshes: 2, vertices: 3000, textures: 3 },
    });

    const empty = await upload(a.key, a.account, glbModel({ vertices: [], copyright: 'CC0' }), 'model/gltf-binary');
    expect(await analysed(a.key, empty)).toMatchObject({
      verdict: 'accepted',
      model: { meshes: 0, vertices: 0, copyright: 'CC0' },
    });
    const garment = w.ok(await draft(a, [{ uploadId: empty, purpose: 'model' }]), 201);
    const refused = await t.call('POST', `/v1/assets/${garment.id}/submit`, { key: a.key });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'media_refused', rule: 'mesh_required', uploadIds: [empty] });
    // The same empty scene is fine as a collectible, and a photo is no garment model.
    const collectible = w.ok(await draft(a, [{ uploadId: empty, purpose: 'model' }], { kind: 'collectible' }), 201);
    w.ok(await t.call('POST', `/v1/assets/${collectible.id}/submit`, { key: a.key }), 200);
    const photo = await upload(
      a.key,
      a.account,
      await sharp(sceneSvg(103, 300, 300))
        .jpeg()
        .toBuffer(),
      'image/jpeg',
    );
    const fake = w.ok(await draft(a, [{ uploadId: photo, purpose: 'model' }]), 201);
    const notModel = await t.call('POST', `/v1/assets/${fake.id}/submit`, { key: a.key });
    expect(notModel.body).toMatchObject({ status: 422, code: 'media_refused', rule: 'model_not_3d', uploadId: photo });

    const real = w.ok(await draft(a, [{ uploadId: (model as { uploadId: string }).uploadId, purpose: 'model' }]), 201);
    const submitted = w.ok(await t.call('POST', `/v1/assets/${real.id}/submit`, { key: a.key }), 200);
    expect(submitted.media.files[0]).toMatchObject({ format: 'glb', model: { meshes: 2 } });
  });

  it('VRM 0.x and 1.0: the licence is read; a contradiction with the registered licence is flagged for the official', async () => {
    const a = await party('Avatars');
    const official = await w.official();
    const forbidsCommerce0 = await upload(
      a.key,
      a.account,
      vrm0({
        title: 'Xiao Man',
        author: 'Lin Yue',
        allowedUserName: 'OnlyAuthor',
        commercialUssageName: 'Disallow',
        violentUssageName: 'Disallow',
        sexualUssageName: 'Disallow',
        licenseName: 'CC_BY_NC',
      }),
      'model/gltf-binary',
    );
    const forbidsCommerce1 = await upload(
      a.key,
      a.account,
      vrm1({
        name: 'Xiao Man 2',
        authors: ['Lin Yue'],
        licenseUrl: 'https://vrm.dev/licenses/1.0/',
        avatarPermission: 'onlyAuthor',
        commercialUsage: 'personalNonProfit',
      }),
      'model/gltf-binary',
    );
    expect(await analysed(a.key, forbidsCommerce0)).toMatchObject({
      format: 'vrm',
      model: { vrm: { specVersion: '0.x', licence: { commercialUse: 'none', avatar: { performers: 'only_author' } } } },
    });
    expect(await analysed(a.key, forbidsCommerce1)).toMatchObject({
      format: 'vrm',
      model: {
        vrm: { specVersion: '1.0', permissions: { commercialUsage: 'personalNonProfit' }, licence: { commercialUse: 'none' } },
      },
    });

    const commercial = {
      kind: 'virtual_human',
      licence: {
        commercialUse: 'corporate',
        derivativesAllowed: false,
        avatar: { performers: 'everyone', violentUse: false, sexualUse: false, politicalOrReligiousUse: false },
      },
    };
    for (const uploadId of [forbidsCommerce0, forbidsCommerce1]) {
      const asset = w.ok(await draft(a, [{ uploadId, purpose: 'model' }], commercial), 201);
      expect(asset.media.licenceContradictions.map((c: { term: string }) => c.term).sort()).toEqual([
        'avatar.performers',
        'commercialUse',
      ]);
      expect(asset.media.licenceContradictions[0]).toMatchObject({ uploadId });
      w.ok(await t.call('POST', `/v1/assets/${asset.id}/submit`, { key: a.key }), 200);
      const screening = w.ok(await t.call('GET', `/v1/assets/${asset.id}/screening`, { key: official.key }), 200);
      expect(screening).toMatchObject({ flagged: true, matches: [] });
      expect(screening.licenceContradictions).toContainEqual(
        expect.objectContaining({ uploadId, term: 'commercialUse', registered: 'corporate', file: 'none' }),
      );
      const flagged = w.ok(await t.call('GET', '/v1/review/flagged?limit=100', { key: official.key }), 200);
      expect(flagged.data.map((f: { asset: { id: string } }) => f.asset.id)).toContain(asset.id);
    }

    // Registered within what the file allows: nothing to flag.
    const modest = w.ok(
      await draft(a, [{ uploadId: forbidsCommerce1, purpose: 'model' }], {
        kind: 'virtual_human',
        licence: {
          commercialUse: 'none',
          derivativesAllowed: false,
          avatar: { performers: 'only_author', violentUse: false, sexualUse: false, politicalOrReligiousUse: false },
        },
      }),
      201,
    );
    expect(modest.media.licenceContradictions).toEqual([]);
    w.ok(await t.call('POST', `/v1/assets/${modest.id}/submit`, { key: a.key }), 200);
    expect(w.ok(await t.call('GET', `/v1/assets/${modest.id}/screening`, { key: official.key }), 200).flagged).toBe(false);
  });
});

describe('screening at submission', () => {
  it("refuses a file identical to another party's registered work, naming that work; writes nothing", async () => {
    const official = await w.official();
    const a = await party('Original house');
    const b = await party('Copycat house');
    const art = await sharp(sceneSvg(201, 900, 700))
      .png()
      .toBuffer();
    const original = await registered(a, official, [
      { uploadId: await upload(a.key, a.account, art, 'image/png'), purpose: 'preview' },
    ]);

    const copyUpload = await upload(b.key, b.account, art, 'image/png');
    await analysed(b.key, copyUpload);
    const copy = w.ok(await draft(b, [{ uploadId: copyUpload, purpose: 'preview' }]), 201);
    const res = await t.call('POST', `/v1/assets/${copy.id}/submit`, { key: b.key });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      code: 'duplicate_work',
      rule: 'exact_duplicate',
      uploadId: copyUpload,
      matchedAssetId: original.id,
      registrationNumber: original.registrationNumber,
    });
    expect(res.body.detail).toContain(original.id);
    expect((await t.call('GET', `/v1/assets/${copy.id}`, { key: b.key })).body.status).toBe('draft');
    expect((await t.call('GET', `/v1/assets/${copy.id}/screening`, { key: official.key })).body.code).toBe('not_screened');

    // The rights holder's own new work with the same file is not a copy.
    const own = w.ok(await draft(a, [{ uploadId: await upload(a.key, a.account, art, 'image/png'), purpose: 'preview' }]), 201);
    w.ok(await t.call('POST', `/v1/assets/${own.id}/submit`, { key: a.key }), 200);
  });

  it('attaches near-duplicates (resized, recompressed, cropped) to the review, lists them for officials, and leaves unrelated work alone', async () => {
    const official = await w.official();
    const a = await party('Designer');
    const b = await party('Lookalikes');
    const art = await sharp(sceneSvg(301, 1200, 900))
      .png()
      .toBuffer();
    const originalUpload = await upload(a.key, a.account, art, 'image/png');
    const original = await registered(a, official, [{ uploadId: originalUpload, purpose: 'preview' }]);

    const copies = [
      await sharp(art).resize(600).jpeg({ quality: 70 }).toBuffer(),
      await sharp(art).webp({ quality: 30 }).toBuffer(),
      await sharp(art).extract({ left: 36, top: 27, width: 1128, height: 846 }).png().toBuffer(),
    ];
    const types = ['image/jpeg', 'image/webp', 'image/png'];
    const flaggedIds: string[] = [];
    for (const [i, bytes] of copies.entries()) {
      const id = await upload(b.key, b.account, bytes, types[i]!);
      const asset = w.ok(await draft(b, [{ uploadId: id, purpose: 'preview' }], { title: `Lookalike ${i}` }), 201);
      w.ok(await t.call('POST', `/v1/assets/${asset.id}/submit`, { key: b.key }), 200);
      const screening = w.ok(await t.call('GET', `/v1/assets/${asset.id}/screening`, { key: official.key }), 200);
      expect(screening.flagged, `copy ${i}`).toBe(true);
      expect(screening.threshold).toBe(10);
      expect(screening.matches.length).toBeGreaterThan(0);
      for (const m of screening.matches) {
        expect(m).toMatchObject({
          uploadId: id,
          matchedAssetId: original.id,
          matchedUploadId: originalUpload,
          matchedStatus: 'registered',
          matchedRegistrationNumber: original.registrationNumber,
          preview: { small: `/v1/uploads/${originalUpload}/preview/small`, large: `/v1/uploads/${originalUpload}/preview/large` },
        });
        expect(m.distance).toBeLessThanOrEqual(10);
        expect(['dhash', 'phash']).toContain(m.algorithm);
      }
      flaggedIds.push(asset.id);
    }

    const unrelated = await upload(
      b.key,
      b.account,
      await sharp(sceneSvg(302, 1200, 900))
        .png()
        .toBuffer(),
      'image/png',
    );
    const clean = w.ok(await draft(b, [{ uploadId: unrelated, purpose: 'preview' }], { title: 'Unrelated' }), 201);
    w.ok(await t.call('POST', `/v1/assets/${clean.id}/submit`, { key: b.key }), 200);
    expect(w.ok(await t.call('GET', `/v1/assets/${clean.id}/screening`, { key: official.key }), 200)).toMatchObject({
      flagged: false,
      matches: [],
    });

    // Officials page through flagged submissions awaiting a decision; the clean one is not among them.
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: { data: { asset: { id: string }; screening: { flagged: boolean } }[]; nextCursor: string | null } = w.ok(
        await t.call('GET', `/v1/review/flagged?limit=2${after ? `&after=${after}` : ''}`, { key: official.key }),
        200,
      );
      for (const item of page.data) {
        expect(item.screening.flagged).toBe(true);
        seen.push(item.asset.id);
      }
      after = page.nextCursor;
    } while (after);
    expect(seen).toEqual(expect.arrayContaining(flaggedIds));
    expect(seen).not.toContain(clean.id);
    expect(seen).not.toContain(original.id);
    // Once an official starts the review it is still listed; platforms cannot see the list.
    w.ok(await t.call('POST', `/v1/assets/${flaggedIds[0]}/review`, { key: official.key, body: { action: 'start' } }), 200);
    const inReview = w.ok(await t.call('GET', '/v1/review/flagged?status=in_review&limit=100', { key: official.key }), 200);
    expect(inReview.data.map((f: { asset: { id: string } }) => f.asset.id)).toContain(flaggedIds[0]);
    expect((await t.call('GET', '/v1/review/flagged', { key: b.key })).status).toBe(403);

    // The match's preview is public: the matched work is registered.
    const preview = await t.app.request(`/v1/uploads/${originalUpload}/preview/small`);
    expect(preview.status).toBe(200);

    // Officials query the similarity index directly, by upload or by hash.
    const byUpload = w.ok(await t.call('GET', `/v1/assets/similar?upload=${originalUpload}`, { key: official.key }), 200);
    expect(byUpload.threshold).toBe(10);
    expect(new Set(byUpload.data.map((m: { matchedAssetId: string }) => m.matchedAssetId))).toEqual(new Set(flaggedIds));
    const media = await analysed(a.key, originalUpload);
    const byHash = w.ok(
      await t.call('GET', `/v1/assets/similar?hash=${media.image.phash}&algorithm=phash&threshold=0`, { key: official.key }),
      200,
    );
    expect(byHash.data.map((m: { matchedAssetId: string }) => m.matchedAssetId)).toContain(original.id);
    expect(byHash.data.every((m: { distance: number }) => m.distance === 0)).toBe(true);
    expect((await t.call('GET', '/v1/assets/similar', { key: official.key })).status).toBe(400);
    expect((await t.call('GET', `/v1/assets/similar?upload=${originalUpload}`, { key: a.key })).status).toBe(403);
  });

  it('waits for analysis that has not finished, or refuses with 409 media_pending', async () => {
    const a = await party('Impatient');
    await worker.stop();
    try {
      const id = await upload(
        a.key,
        a.account,
        await sharp(sceneSvg(401, 300, 300))
          .png()
          .toBuffer(),
        'image/png',
      );
      const asset = w.ok(await draft(a, [{ uploadId: id, purpose: 'preview' }]), 201);
      expect(asset.media.files[0]).toMatchObject({ uploadId: id, status: 'queued', verdict: null });
      const saved = t.deps.config.MEDIA_SUBMIT_WAIT;
      t.deps.config.MEDIA_SUBMIT_WAIT = 0;
      const pending = await t.call('POST', `/v1/assets/${asset.id}/submit`, { key: a.key });
      t.deps.config.MEDIA_SUBMIT_WAIT = saved;
      expect(pending.status).toBe(409);
      expect(pending.body).toMatchObject({ code: 'media_pending', pending: [id] });

      // With a wait, the submission completes as soon as a worker has analysed the file.
      const submitting = t.call('POST', `/v1/assets/${asset.id}/submit`, { key: a.key });
      await new Promise((r) => setTimeout(r, 300));
      worker = startMediaWorker(
        { db: t.deps.db, blobs: t.deps.blobs, clock: t.clock, log: new MemoryLogger(), sharp: watchedSharp },
        parseMediaWorkerConfig({ MEDIA_POLL_INTERVAL: '0.05' }),
      );
      const res = await submitting;
      expect(res.status).toBe(200);
      expect(res.body.media.files[0]).toMatchObject({ status: 'done', verdict: 'accepted' });
    } finally {
      if (!worker)
        worker = startMediaWorker(
          { db: t.deps.db, blobs: t.deps.blobs, clock: t.clock, log: new MemoryLogger() },
          parseMediaWorkerConfig({}),
        );
    }
  });

  it('documents the media routes with problem+json errors', async () => {
    const doc = w.ok(await t.call('GET', '/openapi.json'), 200);
    for (const path of [
      '/v1/uploads/{id}/media',
      '/v1/uploads/{id}/preview/{size}',
      '/v1/assets/similar',
      '/v1/assets/{id}/screening',
      '/v1/review/flagged',
      '/v1/media/jobs',
      '/v1/media/jobs/{id}/retry',
    ]) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    expect(doc.paths['/v1/assets/{id}/submit'].post.responses['422']).toBeTruthy();
    expect(doc.components.schemas.Asset.properties.media).toBeTruthy();
    expect((await t.call('GET', '/v1/media/jobs', { key: OPERATOR_KEY })).status).toBe(200);
  });
});
