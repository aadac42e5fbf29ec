import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLogger } from '../src/ports/logger.js';
import { parseMediaWorkerConfig } from '../workers/media/config.js';
import { type MediaWorker, startMediaWorker } from '../workers/media/worker.js';
import { glbModel, glbWithTextures, pngHeaderOnly, sceneSvg, zip } from './media-fixtures.js';
import { startTestApp, type TestApp } from './support/harness.js';
import { world } from './support/world.js';

// Textures inside 3D files are hashed like images and screened at submission: a garment whose
// texture copies a registered work's picture is flagged as a near-duplicate of that work.
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

/** A garment (the default kind) with one file, submitted; its screening as an official sees it. */
async function submitGarment(p: { key: string; account: string }, official: { key: string }, uploadId: string, title: string) {
  const asset = w.ok(
    await t.call('POST', '/v1/assets', {
      key: p.key,
      body: w.assetBody(p.account, { files: [{ uploadId, purpose: 'model' }], title }),
    }),
    201,
  );
  w.ok(await t.call('POST', `/v1/assets/${asset.id}/submit`, { key: p.key }), 200);
  const screening = w.ok(await t.call('GET', `/v1/assets/${asset.id}/screening`, { key: official.key }), 200);
  return { asset, screening };
}

async function registeredImage(p: { key: string; account: string }, official: { key: string }, bytes: Buffer, type: string) {
  const uploadId = await upload(p.key, p.account, bytes, type);
  const files = [{ uploadId, purpose: 'preview' }];
  const asset = w.ok(
    await t.call('POST', '/v1/assets', { key: p.key, body: w.assetBody(p.account, { files, kind: 'collectible' }) }),
    201,
  );
  w.ok(await t.call('POST', `/v1/assets/${asset.id}/submit`, { key: p.key }), 200);
  w.ok(await t.call('POST', `/v1/assets/${asset.id}/review`, { key: official.key, body: { action: 'start' } }), 200);
  const done = w.ok(
    await t.call('POST', `/v1/assets/${asset.id}/review`, { key: official.key, body: { action: 'approve' } }),
    200,
  );
  expect(done.status).toBe('registered');
  return { asset: done, uploadId };
}

const scene = (seed: number) =>
  sharp(sceneSvg(seed, 1200, 900))
    .png()
    .toBuffer();

describe('textures inside 3D files are screened like images', () => {
  it('flags a GLB whose texture copies a registered image, with the distance, and leaves an unrelated texture alone', async () => {
    const official = await w.official();
    const designer = await party('Texture designer');
    const copier = await party('Texture copier');
    const art = await scene(501);
    const original = await registeredImage(designer, official, art, 'image/png');

    // The picture itself, embedded unchanged as the base colour texture: distance 0 in both hashes.
    const exact = await upload(
      copier.key,
      copier.account,
      glbWithTextures([{ bytes: art, mimeType: 'image/png' }]),
      'model/gltf-binary',
    );
    const media = await analysed(copier.key, exact);
    expect(media).toMatchObject({ verdict: 'accepted', format: 'glb', image: null, model: { meshes: 1, textures: 1 } });
    const imageMedia = await analysed(designer.key, original.uploadId);
    expect(media.model.textureHashes).toEqual([
      {
        source: 'images[0]',
        format: 'png',
        width: 1200,
        height: 900,
        dhash: imageMedia.image.dhash,
        phash: imageMedia.image.phash,
        lowDetail: false,
      },
    ]);
    const copied = await submitGarment(copier, official, exact, 'Copied garment');
    expect(copied.screening.flagged).toBe(true);
    expect(
      copied.screening.matches.map((m: Record<string, unknown>) => [
        m.uploadId,
        m.matchedAssetId,
        m.matchedUploadId,
        m.algorithm,
        m.distance,
      ]),
    ).toEqual(
      expect.arrayContaining([
        [exact, original.asset.id, original.uploadId, 'phash', 0],
        [exact, original.asset.id, original.uploadId, 'dhash', 0],
      ]),
    );
    expect(copied.screening.matches[0]).toMatchObject({
      matchedStatus: 'registered',
      matchedRegistrationNumber: original.asset.registrationNumber,
    });

    // Re-exported: recompressed as a JPEG at half size, beside a second, unrelated texture.
    const reexported = await upload(
      copier.key,
      copier.account,
      glbWithTextures([
        {
          bytes: await sharp(await scene(502))
            .jpeg()
            .toBuffer(),
          mimeType: 'image/jpeg',
        },
        { bytes: await sharp(art).resize(600).jpeg({ quality: 60 }).toBuffer(), mimeType: 'image/jpeg' },
      ]),
      'model/gltf-binary',
    );
    const second = await submitGarment(copier, official, reexported, 'Re-exported garment');
    expect(second.screening.flagged).toBe(true);
    expect(second.screening.matches.length).toBeGreaterThan(0);
    for (const m of second.screening.matches) {
      expect(m).toMatchObject({ uploadId: reexported, matchedAssetId: original.asset.id, matchedUploadId: original.uploadId });
      expect(m.distance).toBeLessThanOrEqual(second.screening.threshold);
    }

    // A texture of another picture is no match.
    const unrelated = await upload(
      copier.key,
      copier.account,
      glbWithTextures([
        {
          bytes: await sharp(await scene(503))
            .webp()
            .toBuffer(),
          mimeType: 'image/webp',
        },
      ]),
      'model/gltf-binary',
    );
    expect((await analysed(copier.key, unrelated)).model.textureHashes).toHaveLength(1);
    const clean = await submitGarment(copier, official, unrelated, 'Own garment');
    expect(clean.screening).toMatchObject({ flagged: false, matches: [] });

    // A GLB without embedded images has nothing to hash and is screened as before.
    const bare = await upload(copier.key, copier.account, glbModel({ vertices: [300], textures: 1 }), 'model/gltf-binary');
    expect((await analysed(copier.key, bare)).model.textureHashes).toBeUndefined();
  });

  it("flags a ZIP package whose largest image copies a registered image; an image copying a registered GLB's texture is flagged too", async () => {
    const official = await w.official();
    const designer = await party('Package designer');
    const copier = await party('Package copier');
    const art = await scene(511);
    const original = await registeredImage(designer, official, art, 'image/png');

    const pkg = zip([
      { name: 'garment/model.glb', data: glbModel({ vertices: [300] }) },
      {
        name: 'garment/textures/thumb.png',
        data: await sharp(await scene(512))
          .resize(64)
          .png()
          .toBuffer(),
      },
      { name: 'garment/textures/base.png', data: art, deflate: true },
    ]);
    const packaged = await upload(copier.key, copier.account, pkg, 'application/zip');
    expect((await analysed(copier.key, packaged)).model.textureHashes).toMatchObject([
      { source: 'garment/textures/base.png', width: 1200, height: 900 },
    ]);
    const flagged = await submitGarment(copier, official, packaged, 'Packaged copy');
    expect(flagged.screening.flagged).toBe(true);
    expect(flagged.screening.matches).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ uploadId: packaged, matchedAssetId: original.asset.id, algorithm: 'phash', distance: 0 }),
      ]),
    );

    // The other way round: a registered GLB's texture is in the similarity index, so a later
    // image copying it is a near-duplicate of the garment.
    const garmentArt = await scene(513);
    const garmentGlb = await upload(
      designer.key,
      designer.account,
      glbWithTextures([{ bytes: garmentArt, mimeType: 'image/png' }]),
      'model/gltf-binary',
    );
    const { asset: garment } = await submitGarment(designer, official, garmentGlb, 'Original garment');
    w.ok(await t.call('POST', `/v1/assets/${garment.id}/review`, { key: official.key, body: { action: 'start' } }), 200);
    w.ok(await t.call('POST', `/v1/assets/${garment.id}/review`, { key: official.key, body: { action: 'approve' } }), 200);
    const photo = await upload(copier.key, copier.account, await sharp(garmentArt).resize(800).jpeg().toBuffer(), 'image/jpeg');
    const collectible = w.ok(
      await t.call('POST', '/v1/assets', {
        key: copier.key,
        body: w.assetBody(copier.account, { files: [{ uploadId: photo, purpose: 'preview' }], kind: 'collectible' }),
      }),
      201,
    );
    w.ok(await t.call('POST', `/v1/assets/${collectible.id}/submit`, { key: copier.key }), 200);
    const screening = w.ok(await t.call('GET', `/v1/assets/${collectible.id}/screening`, { key: official.key }), 200);
    expect(screening.flagged).toBe(true);
    expect(screening.matches.map((m: { matchedUploadId: string }) => m.matchedUploadId)).toContain(garmentGlb);
  });

  it('refuses a GLB whose texture is over the pixel limit, from its header, without decoding it', async () => {
    const a = await party('Texture bomb');
    const official = await w.official();
    const bomb = pngHeaderOnly(100_000, 100_000);
    const id = await upload(a.key, a.account, glbWithTextures([{ bytes: bomb, mimeType: 'image/png' }]), 'model/gltf-binary');
    const media = await analysed(a.key, id);
    expect(media).toMatchObject({ verdict: 'refused', refusal: { rule: 'image_too_large' }, model: null });
    expect(media.refusal.detail).toMatch(/texture images\[0\] is 100000×100000 .*not decoded/);
    expect(sharpInputs.some((input) => input.equals(bomb))).toBe(false);

    const asset = w.ok(
      await t.call('POST', '/v1/assets', {
        key: a.key,
        body: w.assetBody(a.account, { files: [{ uploadId: id, purpose: 'model' }] }),
      }),
      201,
    );
    const submit = await t.call('POST', `/v1/assets/${asset.id}/submit`, { key: a.key });
    expect(submit.status).toBe(422);
    expect(submit.body).toMatchObject({ code: 'media_refused', rule: 'image_too_large', uploadId: id });
    expect((await t.call('GET', `/v1/assets/${asset.id}/screening`, { key: official.key })).status).toBe(404);
  });
});
