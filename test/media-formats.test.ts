import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { Licence } from '../src/features/assets/licence.js';
import { licenceContradictions } from '../src/features/media/licence-check.js';
import { hammingDistance } from '../src/features/media/similarity.js';
import { analyseBytes } from '../workers/media/analyse.js';
import { encodeBlurHash } from '../workers/media/blurhash.js';
import { MediaRefusal } from '../workers/media/errors.js';
import { readImageDimensions } from '../workers/media/image-header.js';
import { renderImage } from '../workers/media/image-pipeline.js';
import { dHash, pHash } from '../workers/media/perceptual-hash.js';
import { sniffFormat } from '../workers/media/sniff.js';
import { binaryFbx, blackPng, glbModel, lcg, pngHeaderOnly, sceneSvg, vrm0, vrm1, zip } from './media-fixtures.js';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const MAX_PIXELS = 50_000_000;

async function refusal(p: Promise<unknown>): Promise<MediaRefusal> {
  const err = await p.then(
    () => null,
    (e) => e,
  );
  expect(err).toBeInstanceOf(MediaRefusal);
  return err as MediaRefusal;
}

describe('formats by magic bytes', () => {
  it('tells every accepted format apart from its bytes, not its name', async () => {
    const scene = sharp(sceneSvg(1, 64, 48));
    expect(sniffFormat(await scene.clone().png().toBuffer())).toBe('png');
    expect(sniffFormat(await scene.clone().jpeg().toBuffer())).toBe('jpeg');
    expect(sniffFormat(await scene.clone().webp().toBuffer())).toBe('webp');
    expect(sniffFormat(await scene.clone().gif().toBuffer())).toBe('gif');
    expect(sniffFormat(await scene.clone().avif().toBuffer())).toBe('avif');
    expect(sniffFormat(glbModel({ vertices: [3] }))).toBe('glb');
    expect(sniffFormat(Buffer.from(JSON.stringify({ asset: { version: '2.0' }, meshes: [] })))).toBe('gltf');
    expect(sniffFormat(Buffer.from('# made by hand\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n'))).toBe('obj');
    expect(sniffFormat(binaryFbx([]))).toBe('fbx');
    expect(sniffFormat(Buffer.from('; FBX 7.4.0 project file\nFBXHeaderExtension:  {\n}\n'))).toBe('fbx');
    expect(sniffFormat(zip([{ name: 'a.txt', data: Buffer.from('x') }]))).toBe('zip');
    expect(sniffFormat(Buffer.from('%PDF-1.7\n'))).toBe('pdf');
    expect(sniffFormat(Buffer.from('hello, world: not a model'))).toBeNull();
    expect(sniffFormat(new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7]))).toBeNull();
  });

  it('reads image dimensions from headers alone, for every image format', async () => {
    const cases: [string, Buffer][] = [
      [
        'png',
        await sharp(sceneSvg(2, 321, 123))
          .png()
          .toBuffer(),
      ],
      [
        'jpeg',
        await sharp(sceneSvg(2, 321, 123))
          .jpeg()
          .toBuffer(),
      ],
      [
        'webp',
        await sharp(sceneSvg(2, 321, 123))
          .webp()
          .toBuffer(),
      ], // VP8 (lossy)
      [
        'webp',
        await sharp(sceneSvg(2, 321, 123))
          .webp({ lossless: true })
          .toBuffer(),
      ], // VP8L
      [
        'webp',
        await sharp(sceneSvg(2, 321, 123))
          .ensureAlpha(0.5)
          .webp()
          .toBuffer(),
      ], // VP8X (alpha)
      [
        'gif',
        await sharp(sceneSvg(2, 321, 123))
          .gif()
          .toBuffer(),
      ],
      [
        'avif',
        await sharp(sceneSvg(2, 321, 123))
          .avif()
          .toBuffer(),
      ],
    ];
    for (const [format, bytes] of cases) {
      expect(readImageDimensions(sniffFormat(bytes)!, bytes), format).toEqual({ width: 321, height: 123 });
    }
    expect(readImageDimensions('png', pngHeaderOnly(100_000, 100_000))).toEqual({ width: 100_000, height: 100_000 });
    expect(readImageDimensions('png', pngHeaderOnly(100_000, 100_000).subarray(0, 20))).toBeNull();
  });

  it('refuses a PNG declared as JPEG, and a model declared as an image', async () => {
    const png = await sharp(sceneSvg(3, 64, 64))
      .png()
      .toBuffer();
    const r = await refusal(analyseBytes(png, 'image/jpeg', { maxPixels: MAX_PIXELS }));
    expect(r.rule).toBe('format_mismatch');
    expect(r.message).toMatch(/declared as image\/jpeg, but the bytes are PNG/i);
    expect((await refusal(analyseBytes(glbModel({ vertices: [3] }), 'image/png', { maxPixels: MAX_PIXELS }))).rule).toBe(
      'format_mismatch',
    );
    expect((await refusal(analyseBytes(png, 'model/gltf-binary', { maxPixels: MAX_PIXELS }))).rule).toBe('format_mismatch');
    expect((await refusal(analyseBytes(Buffer.from('just text'), 'model/obj', { maxPixels: MAX_PIXELS }))).rule).toBe(
      'unrecognised_format',
    );
    // A GLB is acceptable as model/gltf-binary whether or not it is a VRM.
    expect((await analyseBytes(vrm1({ name: 'x' }), 'model/gltf-binary', { maxPixels: MAX_PIXELS })).format).toBe('vrm');
  });

  it('refuses images over the pixel limit from their header, before any decoder is asked', async () => {
    const calls: unknown[] = [];
    const watched = Object.assign((...args: Parameters<typeof sharp>) => {
      calls.push(args[0]);
      return sharp(...args);
    }, sharp) as typeof sharp;
    const crafted = pngHeaderOnly(100_000, 100_000);
    const real = blackPng(20_000); // a complete, valid 20000×20000 PNG of a few dozen KB
    expect(real.length).toBeLessThan(200_000);
    expect(await sharp(real, { limitInputPixels: false }).metadata()).toMatchObject({
      format: 'png',
      width: 20_000,
      height: 20_000,
    });
    for (const bytes of [crafted, real]) {
      const r = await refusal(analyseBytes(bytes, 'image/png', { maxPixels: MAX_PIXELS, sharp: watched }));
      expect(r.rule).toBe('image_too_large');
      expect(r.message).toContain('It was not decoded');
    }
    expect(calls).toEqual([]);
    // The same watched factory is used for images within the limit.
    await analyseBytes(
      await sharp(sceneSvg(4, 64, 64))
        .png()
        .toBuffer(),
      'image/png',
      { maxPixels: MAX_PIXELS, sharp: watched },
    );
    expect(calls.length).toBeGreaterThan(0);
  });
});

describe('perceptual hashes and BlurHash', () => {
  it('are stable for the same image, close for resized, recompressed and slightly cropped copies, far for others', async () => {
    const original = await sharp(sceneSvg(10)).png().toBuffer();
    const hashes = async (b: Buffer) => renderImage(b, { maxPixels: MAX_PIXELS });
    const a = await hashes(original);
    const again = await hashes(Buffer.from(original));
    expect([again.dhash, again.phash, again.blurhash]).toEqual([a.dhash, a.phash, a.blurhash]);
    const copies = [
      await sharp(original).resize(400).jpeg({ quality: 70 }).toBuffer(),
      await sharp(original).jpeg({ quality: 40 }).toBuffer(),
      await sharp(original).resize(1600).webp().toBuffer(),
      await sharp(original).extract({ left: 24, top: 18, width: 752, height: 564 }).png().toBuffer(),
    ];
    for (const copy of copies) {
      const c = await hashes(copy);
      expect(Math.min(hammingDistance(a.dhash, c.dhash), hammingDistance(a.phash, c.phash))).toBeLessThanOrEqual(10);
    }
    for (let seed = 11; seed < 21; seed++) {
      const other = await hashes(await sharp(sceneSvg(seed)).png().toBuffer());
      expect(hammingDistance(a.dhash, other.dhash)).toBeGreaterThan(10);
      expect(hammingDistance(a.phash, other.phash)).toBeGreaterThan(10);
    }
  });

  it('follow their reference definitions on known inputs', () => {
    // dHash: a left-to-right ramp is brighter to the right everywhere: every bit set.
    const ramp = Uint8Array.from({ length: 72 }, (_, i) => (i % 9) * 20);
    expect(dHash(ramp)).toBe(0xffffffffffffffffn);
    expect(dHash(ramp.map((v) => 255 - v))).toBe(0n);
    // pHash: the separable DCT equals the 2-D DCT-II by its definition (imagehash: dct(dct(x, axis=0), axis=1)[:8, :8] > median).
    const r = lcg(3);
    const pixels = Uint8Array.from({ length: 1024 }, () => Math.floor(r() * 256));
    const low: number[] = [];
    for (let u = 0; u < 8; u++) {
      for (let v = 0; v < 8; v++) {
        let sum = 0;
        for (let y = 0; y < 32; y++) {
          for (let x = 0; x < 32; x++) {
            sum += pixels[y * 32 + x]! * Math.cos((Math.PI * (2 * y + 1) * u) / 64) * Math.cos((Math.PI * (2 * x + 1) * v) / 64);
          }
        }
        low.push(sum);
      }
    }
    const sorted = [...low].sort((a, b) => a - b);
    const median = (sorted[31]! + sorted[32]!) / 2;
    expect(pHash(pixels)).toBe(low.reduce((h, c) => (h << 1n) | (c > median ? 1n : 0n), 0n));
    // BlurHash: size flag 4×3 is "L"; characters 2–5 are the DC term, the average colour in sRGB
    // (0xFF0000 in four base-83 digits is "TI:j"); then one base-83 pair per AC component.
    const red = Uint8Array.from({ length: 64 * 64 * 3 }, (_, i) => (i % 3 === 0 ? 255 : 0));
    const hash = encodeBlurHash(red, 64, 64, 3);
    expect(hash).toHaveLength(1 + 1 + 4 + 2 * 11);
    expect(hash.slice(0, 1)).toBe('L');
    expect(hash.slice(2, 6)).toBe('TI:j');
    expect(encodeBlurHash(red, 64, 64, 3, 1, 1)).toBe('00TI:j');
  });
});

describe('3D models', () => {
  it('GLB: counts meshes, primitives, vertices from POSITION accessors, textures; reads asset.copyright', async () => {
    const bytes = glbModel({ vertices: [120, 36, 8], textures: 2, copyright: '© 2026 Lin Yue' });
    const a = await analyseBytes(bytes, 'model/gltf-binary', { maxPixels: MAX_PIXELS });
    expect(a.format).toBe('glb');
    expect(a.model).toMatchObject({
      container: 'glb',
      meshes: 3,
      primitives: 3,
      vertices: 164,
      textures: 2,
      materials: 1,
      copyright: '© 2026 Lin Yue',
      vrm: null,
    });
    expect((await analyseBytes(glbModel({ vertices: [] }), 'model/gltf-binary', { maxPixels: MAX_PIXELS })).model?.meshes).toBe(
      0,
    );
  });

  it('refuses a malformed GLB instead of trusting its lengths', async () => {
    const bytes = glbModel({ vertices: [3] });
    const truncated = bytes.subarray(0, bytes.length - 8);
    expect((await refusal(analyseBytes(truncated, 'model/gltf-binary', { maxPixels: MAX_PIXELS }))).rule).toBe('malformed_model');
    const lying = Buffer.from(bytes);
    lying.writeUInt32LE(0x7fffffff, 12); // JSON chunk length past the end
    lying.writeUInt32LE(lying.length, 8);
    expect((await refusal(analyseBytes(lying, 'model/gltf-binary', { maxPixels: MAX_PIXELS }))).rule).toBe('malformed_model');
  });

  it('VRM 0.x: reads the licence fields into the registry vocabulary', async () => {
    const a = await analyseBytes(
      vrm0({
        title: 'Qipao Girl',
        version: '1.0',
        author: 'Lin Yue',
        allowedUserName: 'OnlyAuthor',
        violentUssageName: 'Disallow',
        sexualUssageName: 'Disallow',
        commercialUssageName: 'Disallow',
        licenseName: 'CC_BY_NC_ND',
      }),
      'model/gltf-binary',
      { maxPixels: MAX_PIXELS },
    );
    expect(a.format).toBe('vrm');
    expect(a.model?.vrm).toMatchObject({
      specVersion: '0.x',
      title: 'Qipao Girl',
      authors: ['Lin Yue'],
      licenceName: 'CC_BY_NC_ND',
      permissions: { allowedUserName: 'OnlyAuthor', commercialUssageName: 'Disallow', licenseName: 'CC_BY_NC_ND' },
      licence: {
        commercialUse: 'none',
        derivativesAllowed: false,
        redistribution: true,
        attributionRequired: true,
        avatar: { performers: 'only_author', violentUse: false, sexualUse: false, politicalOrReligiousUse: null },
      },
    });
  });

  it('VRM 1.0: reads the licence fields, with the specification defaults for absent ones', async () => {
    const a = await analyseBytes(
      vrm1({
        name: 'Haipai Idol',
        version: '2',
        authors: ['Studio Bund'],
        licenseUrl: 'https://vrm.dev/licenses/1.0/',
        commercialUsage: 'personalProfit',
        avatarPermission: 'everyone',
      }),
      'model/gltf-binary',
      { maxPixels: MAX_PIXELS },
    );
    expect(a.model?.vrm).toMatchObject({
      specVersion: '1.0',
      title: 'Haipai Idol',
      authors: ['Studio Bund'],
      licenceUrl: 'https://vrm.dev/licenses/1.0/',
      permissions: {
        avatarPermission: 'everyone',
        commercialUsage: 'personalProfit',
        allowExcessivelyViolentUsage: false,
        allowRedistribution: false,
        modification: 'prohibited',
        creditNotation: 'required',
      },
      licence: {
        commercialUse: 'personal',
        derivativesAllowed: false,
        redistribution: false,
        attributionRequired: true,
        avatar: { performers: 'everyone', violentUse: false, sexualUse: false, politicalOrReligiousUse: false },
      },
    });
  });

  it('flags only the terms the registered licence grants beyond the file', () => {
    const registered: Licence = {
      commercialUse: 'corporate',
      derivativesAllowed: true,
      attributionRequired: false,
      derivativeRoyaltyBps: 0,
      transferable: true,
      redistribution: false,
      avatar: { performers: 'everyone', violentUse: false, sexualUse: true, politicalOrReligiousUse: false },
    };
    const found = licenceContradictions(registered, {
      commercialUse: 'personal',
      derivativesAllowed: false,
      redistribution: true, // the file allows more: fine
      attributionRequired: true,
      avatar: { performers: 'only_author', violentUse: true, sexualUse: false, politicalOrReligiousUse: null },
    });
    expect(found.map((c) => c.term).sort()).toEqual([
      'attributionRequired',
      'avatar.performers',
      'avatar.sexualUse',
      'commercialUse',
      'derivativesAllowed',
    ]);
    expect(found.find((c) => c.term === 'commercialUse')).toMatchObject({ registered: 'corporate', file: 'personal' });
  });

  it('OBJ, FBX (binary and ASCII) and ZIP garment packages are counted', async () => {
    const obj = Buffer.from(
      'mtllib q.mtl\no sleeve\nv 0 0 0\nv 1 0 0\nv 0 1 0\nusemtl silk\nf 1 2 3\no collar\nv 0 0 1\nf 1 2 4\n',
    );
    expect((await analyseBytes(obj, 'model/obj', { maxPixels: MAX_PIXELS })).model).toMatchObject({
      meshes: 2,
      vertices: 4,
      materials: 1,
    });
    expect((await analyseBytes(Buffer.from('v 0 0 0\nv 1 1 1\n'), 'model/obj', { maxPixels: MAX_PIXELS })).model?.meshes).toBe(0);

    const fbx = binaryFbx([
      { name: 'FBXHeaderExtension', children: [{ name: 'FBXVersion', props: [{ i64: 7400n }] }] },
      { name: 'Creator', props: [{ s: 'Haipai test' }] },
      {
        name: 'Objects',
        children: [
          {
            name: 'Geometry',
            props: [{ i64: 1n }, { s: 'Sleeve\0\x01Geometry' }, { s: 'Mesh' }],
            children: [{ name: 'Vertices', props: [{ doubles: Array.from({ length: 30 }, (_, i) => i) }] }],
          },
          { name: 'Texture', props: [{ i64: 2n }, { s: 'silk\0\x01Texture' }, { s: '' }] },
          { name: 'Material', props: [{ i64: 3n }, { s: 'silk\0\x01Material' }, { s: '' }] },
        ],
      },
    ]);
    expect((await analyseBytes(fbx, 'model/vnd.fbx', { maxPixels: MAX_PIXELS })).model).toMatchObject({
      container: 'fbx',
      meshes: 1,
      vertices: 10,
      textures: 1,
      materials: 1,
      generator: 'Haipai test',
    });
    const ascii = Buffer.from(
      '; FBX 7.4.0 project file\nCreator: "Blender"\nObjects:  {\n\tGeometry: 1, "Geometry::Body", "Mesh" {\n\t\tVertices: *12 {\n\t\t\ta: 0,0,0,1,0,0,0,1,0,0,0,1\n\t\t}\n\t}\n}\n',
    );
    expect((await analyseBytes(ascii, 'model/vnd.fbx', { maxPixels: MAX_PIXELS })).model).toMatchObject({
      meshes: 1,
      vertices: 4,
    });

    const texture = await sharp(sceneSvg(5, 32, 32))
      .png()
      .toBuffer();
    const pkg = zip([
      { name: 'qipao/', data: new Uint8Array() },
      { name: 'qipao/qipao.glb', data: glbModel({ vertices: [500, 20] }), deflate: true },
      { name: 'qipao/silk.png', data: texture },
    ]);
    const a = await analyseBytes(pkg, 'application/zip', { maxPixels: MAX_PIXELS });
    expect(a).toMatchObject({
      format: 'zip',
      model: { container: 'zip', meshes: 2, vertices: 520, textures: 1, entries: 2, modelEntry: 'qipao/qipao.glb' },
    });
    const empty = zip([{ name: 'readme.txt', data: Buffer.from('no model here') }]);
    expect((await analyseBytes(empty, 'application/zip', { maxPixels: MAX_PIXELS })).model?.meshes).toBe(0);
    // A ZIP declared as USDZ must be one (first entry a USD layer).
    expect((await refusal(analyseBytes(empty, 'model/vnd.usdz+zip', { maxPixels: MAX_PIXELS }))).rule).toBe('format_mismatch');
    const usdz = zip([{ name: 'scene.usda', data: Buffer.from('#usda 1.0\ndef Xform "Root" {\n def Mesh "Body" {\n }\n}\n') }]);
    expect(await analyseBytes(usdz, 'model/vnd.usdz+zip', { maxPixels: MAX_PIXELS })).toMatchObject({
      format: 'usdz',
      model: { meshes: 1 },
    });
  });
});

describe('the media worker', () => {
  it('never imports the HTTP layer (src/http, src/app.ts)', async () => {
    const seen = new Set<string>();
    const visit = async (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = await readFile(file, 'utf8');
      for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'/g)) {
        const target = resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts'));
        if (!/\/node_modules\//.test(target)) await visit(target);
      }
    };
    for (const entry of ['main.ts', 'worker.ts']) await visit(join(ROOT, 'workers/media', entry));
    const reached = [...seen].map((f) => f.slice(ROOT.length + 1));
    expect(reached).toContain('src/features/media/jobs.repo.ts');
    expect(reached.filter((f) => f.startsWith('src/http/') || f === 'src/app.ts')).toEqual([]);
  });
});
