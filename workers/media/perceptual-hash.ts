/**
 * 64-bit perceptual hashes of an image, computed from small greyscale renditions the caller makes
 * (sharp resizes; these functions only do arithmetic). Both follow the reference implementations
 * in the Python `imagehash` library (J. Buchner), so values are comparable with it up to resampling
 * differences:
 * - dHash (N. Krawetz, "Kind of Like That", 2013): 9×8 pixels; bit = the pixel right of it is brighter.
 * - pHash (pHash.org; imagehash.phash): 32×32 pixels, 2-D DCT-II, the 8×8 lowest frequencies
 *   (DC included); bit = the coefficient is above their median.
 * Bits are read row by row, the first bit is the most significant.
 */

/** `pixels`: 9×8 greyscale, row-major. */
export function dHash(pixels: Uint8Array): bigint {
  if (pixels.length !== 72) throw new RangeError('dHash needs 9×8 greyscale pixels');
  let hash = 0n;
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) {
      hash = (hash << 1n) | (pixels[y * 9 + x + 1]! > pixels[y * 9 + x]! ? 1n : 0n);
    }
  }
  return hash;
}

const N = 32;
const K = 8;
/** cos(π (2n + 1) k / 2N) for k < 8, n < 32: the DCT-II basis (unnormalised; scale does not change the median test). */
const COS = (() => {
  const table = new Float64Array(K * N);
  for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) table[k * N + n] = Math.cos((Math.PI * (2 * n + 1) * k) / (2 * N));
  return table;
})();

/** `pixels`: 32×32 greyscale, row-major. */
export function pHash(pixels: Uint8Array): bigint {
  if (pixels.length !== N * N) throw new RangeError('pHash needs 32×32 greyscale pixels');
  // DCT along rows, only the 8 lowest frequencies: rows[y][v]
  const rows = new Float64Array(N * K);
  for (let y = 0; y < N; y++) {
    for (let v = 0; v < K; v++) {
      let s = 0;
      for (let x = 0; x < N; x++) s += pixels[y * N + x]! * COS[v * N + x]!;
      rows[y * K + v] = s;
    }
  }
  // then along columns: low[u][v]
  const low = new Float64Array(K * K);
  for (let u = 0; u < K; u++) {
    for (let v = 0; v < K; v++) {
      let s = 0;
      for (let y = 0; y < N; y++) s += rows[y * K + v]! * COS[u * N + y]!;
      low[u * K + v] = s;
    }
  }
  const sorted = Float64Array.from(low).sort();
  const median = (sorted[31]! + sorted[32]!) / 2;
  let hash = 0n;
  for (let i = 0; i < K * K; i++) hash = (hash << 1n) | (low[i]! > median ? 1n : 0n);
  return hash;
}

/**
 * Too little detail to fingerprint: a near-uniform image hashes to (almost) the same value as every
 * other near-uniform image, so it would "match" all of them. Standard deviation of the 32×32 greyscale.
 */
export function isLowDetail(pixels: Uint8Array, minStdDev = 4): boolean {
  let sum = 0;
  for (const p of pixels) sum += p;
  const mean = sum / pixels.length;
  let sq = 0;
  for (const p of pixels) sq += (p - mean) ** 2;
  return Math.sqrt(sq / pixels.length) < minStdDev;
}
