/**
 * `npm run bench:media`: preview rendering by the media pipeline against sharp alone, in the same
 * run, on the same images.
 *
 *   - pipeline: analyseBytes (workers/media/analyse.ts), everything the worker does to an image
 *     between reading it and storing the results: magic bytes, header dimensions and pixel limit,
 *     one decode, both WebP previews, dHash, pHash and BlurHash;
 *   - sharp alone: the same two previews as a developer would write them with sharp, one pipeline
 *     per size (`sharp(input).rotate().resize(size, size, { fit: 'inside' }).webp({ quality }).toBuffer()`, the
 *     same sizes and qualities as the pipeline's).
 *
 * Images are generated (scenes rendered by sharp from SVG, as PNG and JPEG, from 1 to 24 MP). Each
 * measurement alternates the two, BENCH_ROUNDS times per image, after a warm-up; sharp's cache is
 * off so neither side reuses the other's work. The last line is one JSON object; `ratio` is the
 * time of sharp alone divided by the pipeline's (≥ 0.8 means the pipeline's overhead is at most 25%);
 * `ratioVsSingleDecode` compares with sharp decoding once and encoding both previews from that
 * raster, as the pipeline does, so it isolates what the checks, hashes and BlurHash cost.
 */
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { analyseBytes } from '../workers/media/analyse.js';
import { PREVIEW_SIZES } from '../workers/media/image-pipeline.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const MAX_PIXELS = 50_000_000;

function scene(seed: number, width: number, height: number): Buffer {
  let s = seed >>> 0;
  const r = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const colour = () => `rgb(${Math.floor(r() * 255)},${Math.floor(r() * 255)},${Math.floor(r() * 255)})`;
  let shapes = '';
  for (let i = 0; i < 60; i++) {
    shapes += `<ellipse cx="${r() * width}" cy="${r() * height}" rx="${r() * width * 0.3}" ry="${r() * height * 0.3}" fill="${colour()}" opacity="${0.3 + r() * 0.7}"/>`;
  }
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="${colour()}"/>${shapes}</svg>`,
  );
}

sharp.cache(false);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sizes: [number, number][] = [
  [1200, 900],
  [3000, 2000],
  [6000, 4000],
];
const images: { name: string; bytes: Buffer; type: string }[] = [];
for (const [i, [w, h]] of sizes.entries()) {
  const base = sharp(scene(i + 1, w, h));
  const noise = await sharp({
    create: { width: w, height: h, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 12 } },
  })
    .png()
    .toBuffer();
  const photo = await base
    .composite([{ input: noise, blend: 'overlay' }])
    .png()
    .toBuffer();
  images.push({ name: `${w}x${h}.png`, bytes: photo, type: 'image/png' });
  images.push({ name: `${w}x${h}.jpg`, bytes: await sharp(photo).jpeg({ quality: 85 }).toBuffer(), type: 'image/jpeg' });
}

const sharpAlone = (bytes: Buffer) =>
  Promise.all(
    [
      [PREVIEW_SIZES.large, 80],
      [PREVIEW_SIZES.small, 75],
    ].map(([size, quality]) =>
      sharp(bytes).rotate().resize(size, size, { fit: 'inside', withoutEnlargement: true }).webp({ quality }).toBuffer(),
    ),
  );
const pipeline = (bytes: Buffer, type: string) => analyseBytes(bytes, type, { maxPixels: MAX_PIXELS });
/** A second reference: sharp decoding once and encoding both previews from that raster, as the pipeline does, without the checks and hashes. */
const sharpOnce = async (bytes: Buffer) => {
  const { data, info } = await sharp(bytes)
    .rotate()
    .resize(PREVIEW_SIZES.large, PREVIEW_SIZES.large, { fit: 'inside', withoutEnlargement: true })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const raw = { raw: { width: info.width, height: info.height, channels: info.channels } };
  return Promise.all([
    sharp(data, raw).webp({ quality: 80 }).toBuffer(),
    sharp(data, raw).resize(PREVIEW_SIZES.small, PREVIEW_SIZES.small, { fit: 'inside' }).webp({ quality: 75 }).toBuffer(),
  ]);
};

const perImage: { image: string; bytes: number; pipelineMs: number; sharpMs: number; sharpOnceMs: number; ratio: number }[] = [];
const totals = { pipeline: 0, sharp: 0, sharpOnce: 0 };
const runs = {
  pipeline: (img: (typeof images)[number]) => pipeline(img.bytes, img.type),
  sharp: (img: (typeof images)[number]) => sharpAlone(img.bytes),
  sharpOnce: (img: (typeof images)[number]) => sharpOnce(img.bytes),
};
const kinds = Object.keys(runs) as (keyof typeof runs)[];
for (const img of images) {
  for (const kind of kinds) await runs[kind](img); // warm-up
  const times: Record<keyof typeof runs, number[]> = { pipeline: [], sharp: [], sharpOnce: [] };
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate which goes first, so none always runs on a warmer machine.
    for (let k = 0; k < kinds.length; k++) {
      const kind = kinds[(round + k) % kinds.length]!;
      const t0 = performance.now();
      await runs[kind](img);
      times[kind].push(performance.now() - t0);
    }
  }
  const row = {
    image: img.name,
    bytes: img.bytes.length,
    pipelineMs: Number(median(times.pipeline).toFixed(2)),
    sharpMs: Number(median(times.sharp).toFixed(2)),
    sharpOnceMs: Number(median(times.sharpOnce).toFixed(2)),
    ratio: Number((median(times.sharp) / median(times.pipeline)).toFixed(3)),
  };
  for (const kind of kinds) totals[kind] += median(times[kind]);
  perImage.push(row);
  console.log(
    `${row.image.padEnd(14)} pipeline ${row.pipelineMs} ms, sharp alone ${row.sharpMs} ms (decoding once: ${row.sharpOnceMs} ms), ratio ${row.ratio}`,
  );
}
console.log(
  JSON.stringify({
    bench: 'media',
    rounds: ROUNDS,
    images: images.length,
    pipelineMs: Number(totals.pipeline.toFixed(2)),
    sharpMs: Number(totals.sharp.toFixed(2)),
    ratio: Number((totals.sharp / totals.pipeline).toFixed(3)),
    minRatio: Math.min(...perImage.map((r) => r.ratio)),
    // Against sharp decoding only once: what the checks, hashes and BlurHash cost on their own.
    ratioVsSingleDecode: Number((totals.sharpOnce / totals.pipeline).toFixed(3)),
    perImage,
  }),
);
