import { sql } from 'kysely';
import type { Queryable } from '../../db/database.js';
import { toSigned64, toUnsigned64 } from './results.repo.js';

/**
 * Near-duplicate search over 64-bit perceptual hashes by multi-index hashing (Norouzi, Punjani &
 * Fleet, "Fast Search in Hamming Space with Multi-Index Hashing", CVPR 2012).
 *
 * The hash is split into BANDS substrings of 16 bits, each with its own B-tree index
 * (media_hashes.b0…b3, derived by the database). If two hashes are within Hamming distance r, then
 * by the pigeonhole principle at least one band differs in at most floor(r / BANDS) bits. So the
 * candidates are the rows whose band i equals one of the values within that radius of the query's
 * band i, for some i: Σ_{k ≤ floor(r/4)} C(16, k) index probes per band (137 at r = 10), each
 * matching n / 2^16 rows of n on average, instead of reading all n. The exact distance
 * (bit_count of the XOR) then filters the candidates, so the result is exactly the rows within r:
 * recall 1 by construction, for every r.
 */
export const BANDS = 4;
export const BAND_BITS = 16;
/** The largest threshold accepted: 2,517 probes per band; beyond it the probes cost more than they save. */
export const MAX_THRESHOLD = 16;

export type HashAlgorithm = 'dhash' | 'phash';

export function bandsOf(hash: bigint): number[] {
  const u = toUnsigned64(hash);
  return Array.from({ length: BANDS }, (_, i) => Number((u >> BigInt(BAND_BITS * (BANDS - 1 - i))) & 0xffffn));
}

/** Every 16-bit value within Hamming distance `radius` of `value`, value itself first. */
export function valuesWithin(value: number, radius: number): number[] {
  const out = [value];
  const flip = (start: number, left: number, v: number) => {
    for (let bit = start; bit < BAND_BITS; bit++) {
      const next = v ^ (1 << bit);
      out.push(next);
      if (left > 1) flip(bit + 1, left - 1, next);
    }
  };
  if (radius > 0) flip(0, radius, value);
  return out;
}

export function hammingDistance(a: bigint, b: bigint): number {
  let x = toUnsigned64(a ^ b);
  let n = 0;
  while (x) {
    x &= x - 1n;
    n++;
  }
  return n;
}

export interface SimilarHash {
  uploadId: string;
  distance: number;
}

const intArray = (values: number[]) => `{${values.join(',')}}`;

/**
 * Uploads whose `algorithm` hash is within `threshold` of `hash` (unsigned 64-bit), nearest first,
 * through the band indexes. `excludeUploadIds` leaves out the query's own files.
 */
export async function findSimilarHashes(
  db: Queryable,
  q: { hash: bigint; algorithm: HashAlgorithm; threshold: number; limit?: number },
): Promise<SimilarHash[]> {
  if (!Number.isInteger(q.threshold) || q.threshold < 0 || q.threshold > MAX_THRESHOLD) {
    throw new RangeError(`threshold must be an integer between 0 and ${MAX_THRESHOLD}`);
  }
  const radius = Math.floor(q.threshold / BANDS);
  const probes = bandsOf(q.hash).map((band) => intArray(valuesWithin(band, radius)));
  const target = toSigned64(q.hash).toString();
  const limit = q.limit ?? 100;
  const { rows } = await sql<{ upload_id: string; distance: number }>`
    select c.upload_id, bit_count((c.hash # ${target}::bigint)::bit(64))::int as distance
    from (
      select upload_id, hash from media_hashes where algorithm = ${q.algorithm} and b0 = any(${probes[0]}::int[])
      union
      select upload_id, hash from media_hashes where algorithm = ${q.algorithm} and b1 = any(${probes[1]}::int[])
      union
      select upload_id, hash from media_hashes where algorithm = ${q.algorithm} and b2 = any(${probes[2]}::int[])
      union
      select upload_id, hash from media_hashes where algorithm = ${q.algorithm} and b3 = any(${probes[3]}::int[])
    ) c
    where bit_count((c.hash # ${target}::bigint)::bit(64)) <= ${q.threshold}
    order by distance, c.upload_id
    limit ${limit}`.execute(db);
  return rows.map((r) => ({ uploadId: r.upload_id, distance: Number(r.distance) }));
}

/** The same question answered by reading every row: the baseline `npm run bench:similar` compares with. */
export async function scanSimilarHashes(
  db: Queryable,
  q: { hash: bigint; algorithm: HashAlgorithm; threshold: number; limit?: number },
): Promise<SimilarHash[]> {
  const target = toSigned64(q.hash).toString();
  const { rows } = await sql<{ upload_id: string; distance: number }>`
    select upload_id, bit_count((hash # ${target}::bigint)::bit(64))::int as distance
    from media_hashes
    where algorithm = ${q.algorithm} and bit_count((hash # ${target}::bigint)::bit(64)) <= ${q.threshold}
    order by distance, upload_id
    limit ${q.limit ?? 100}`.execute(db);
  return rows.map((r) => ({ uploadId: r.upload_id, distance: Number(r.distance) }));
}
