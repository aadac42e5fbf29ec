import sharp from 'sharp';
import { renderImage } from '/work/main/workers/media/image-pipeline.ts';
import { hammingDistance } from '/work/main/src/features/media/similarity.ts';

function rng(seed: number) { return () => { seed = (seed * 1664525 + 1013904223) >>> 0; return seed / 2 ** 32; }; }
function svg(seed: number, w = 800, h = 600) {
  const r = rng(seed);
  const c = () => `rgb(${Math.floor(r()*255)},${Math.floor(r()*255)},${Math.floor(r()*255)})`;
  let shapes = '';
  for (let i = 0; i < 25; i++) {
    if (r() < 0.5) shapes += `<circle cx="${r()*w}" cy="${r()*h}" r="${20+r()*150}" fill="${c()}" opacity="${0.5+r()*0.5}"/>`;
    else shapes += `<rect x="${r()*w}" y="${r()*h}" width="${30+r()*300}" height="${30+r()*300}" fill="${c()}" transform="rotate(${r()*90} ${w/2} ${h/2})"/>`;
  }
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><rect width="100%" height="100%" fill="${c()}"/>${shapes}</svg>`);
}
const results: Record<string, { d: bigint; p: bigint; b: string }> = {};
const base = await sharp(svg(1)).png().toBuffer();
const variants: Record<string, Buffer> = {
  base,
  resized: await sharp(base).resize(400).jpeg({ quality: 70 }).toBuffer(),
  recompressed: await sharp(base).jpeg({ quality: 40 }).toBuffer(),
  cropped: await sharp(base).extract({ left: 24, top: 18, width: 752, height: 564 }).png().toBuffer(),
  cropped8: await sharp(base).extract({ left: 40, top: 30, width: 720, height: 540 }).png().toBuffer(),
  bright: await sharp(base).modulate({ brightness: 1.1 }).png().toBuffer(),
};
for (let s = 2; s < 12; s++) variants[`other${s}`] = await sharp(svg(s)).png().toBuffer();
for (const [k, v] of Object.entries(variants)) {
  const r = await renderImage(v, { maxPixels: 50e6 });
  results[k] = { d: r.dhash, p: r.phash, b: r.blurhash };
}
for (const k of Object.keys(results)) {
  console.log(k.padEnd(14), 'dhash', hammingDistance(results.base!.d, results[k]!.d), 'phash', hammingDistance(results.base!.p, results[k]!.p), results[k]!.b);
}
