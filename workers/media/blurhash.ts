/**
 * BlurHash encoder, after the reference implementation (woltapp/blurhash, C `encode.c` and
 * TypeScript `encode.ts`, MIT): the image is projected onto componentsX × componentsY cosine bases
 * in linear RGB; the DC term is stored as sRGB, the AC terms quantised against their largest
 * magnitude, all in base 83.
 */

const BASE83 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~';

function encode83(value: number, length: number): string {
  let out = '';
  for (let i = 1; i <= length; i++) out += BASE83[Math.floor(value / 83 ** (length - i)) % 83];
  return out;
}

const SRGB_TO_LINEAR = Float64Array.from({ length: 256 }, (_, i) => {
  const v = i / 255;
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
});

function linearToSrgb(value: number): number {
  const v = Math.max(0, Math.min(1, value));
  return v <= 0.0031308 ? Math.trunc(v * 12.92 * 255 + 0.5) : Math.trunc((1.055 * v ** (1 / 2.4) - 0.055) * 255 + 0.5);
}

const signPow = (v: number, exp: number) => Math.sign(v) * Math.abs(v) ** exp;

/** `pixels`: row-major, `channels` (3 or 4) bytes per pixel; alpha is ignored, as in the reference. */
export function encodeBlurHash(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: number,
  componentsX = 4,
  componentsY = 3,
): string {
  if (componentsX < 1 || componentsX > 9 || componentsY < 1 || componentsY > 9) throw new RangeError('1 to 9 components');
  if (pixels.length !== width * height * channels) throw new RangeError('pixel buffer does not match its size');
  const factors: [number, number, number][] = [];
  const cosX = new Float64Array(width);
  const cosY = new Float64Array(height);
  for (let j = 0; j < componentsY; j++) {
    for (let i = 0; i < componentsX; i++) {
      for (let x = 0; x < width; x++) cosX[x] = Math.cos((Math.PI * i * x) / width);
      for (let y = 0; y < height; y++) cosY[y] = Math.cos((Math.PI * j * y) / height);
      const normalisation = i === 0 && j === 0 ? 1 : 2;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const basis = normalisation * cosX[x]! * cosY[y]!;
          const p = (y * width + x) * channels;
          r += basis * SRGB_TO_LINEAR[pixels[p]!]!;
          g += basis * SRGB_TO_LINEAR[pixels[p + 1]!]!;
          b += basis * SRGB_TO_LINEAR[pixels[p + 2]!]!;
        }
      }
      const scale = 1 / (width * height);
      factors.push([r * scale, g * scale, b * scale]);
    }
  }

  const [dc, ...ac] = factors;
  let hash = encode83(componentsX - 1 + (componentsY - 1) * 9, 1);
  let maximumValue = 1;
  if (ac.length > 0) {
    const actualMaximum = Math.max(...ac.map((f) => Math.max(Math.abs(f[0]), Math.abs(f[1]), Math.abs(f[2]))));
    const quantisedMaximum = Math.floor(Math.max(0, Math.min(82, Math.floor(actualMaximum * 166 - 0.5))));
    maximumValue = (quantisedMaximum + 1) / 166;
    hash += encode83(quantisedMaximum, 1);
  } else {
    hash += encode83(0, 1);
  }
  hash += encode83((linearToSrgb(dc![0]) << 16) + (linearToSrgb(dc![1]) << 8) + linearToSrgb(dc![2]), 4);
  for (const f of ac) {
    const q = (v: number) => Math.floor(Math.max(0, Math.min(18, Math.floor(signPow(v / maximumValue, 0.5) * 9 + 9.5))));
    hash += encode83(q(f[0]) * 19 * 19 + q(f[1]) * 19 + q(f[2]), 2);
  }
  return hash;
}
