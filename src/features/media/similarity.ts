import { sql } from 'kysely';
import type { Queryable } from '../../db/database.js';
import { toSigned64, toUnsigned64 } from './results.repo.js';

/**
 * Near-duplicate search over 64-bit perceptual hashes by multi-index hashing (Norouzi, Punjani &
 * Fleet, "Fast Search in Hamming Space with Multi-Index Hashing", CVPR 2012).
 *
 * The hash is split into BANDS substrings of 16 bits, each with its own B-tree index
 * (media_hashes.b0…b3, derived by the database; one partial index per band and algorithm). Give
 * band i a search radius r_i such that Σ (r_i + 1) > threshold. If a stored hash differed from the
 * query in more than r_i bits in every band i, their distance would be at least Σ (r_i + 1), over
 * the threshold; so every hash within the threshold equals, in some band i, one of the values
 * within r_i of the query's band (the pigeonhole principle, generalised to unequal radii). Probing
 * the band indexes with those values (137 + 137 + 137 + 17 at threshold 10) reads about
 * n · 428 / 2^16 candidates of n instead of all n; the exact distance (bit_count of the XOR) then
 * keeps exactly the hashes within the threshold: recall 1 by construction, for every threshold.
 */
export const BANDS = 4;
export const BAND_BITS = 16;
/** The largest threshold accepted: 4,608 probes in all; beyond it the probes cost more than they save. */
export const MAX_THRESHOLD = 16;

/** The smallest radii whose r_i + 1 sum past `threshold`, the larger ones first: (2, 2, 2, 1) at 10. */
export function bandRadii(threshold: number): number[] {
  const total = Math.max(0, threshold + 1 - BANDS);
  return Array.from({ length: BANDS }, (_, i) => Math.floor(total / BANDS) + (i < total % BANDS ? 1 : 0));
}

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
const ALGORITHMS: readonly HashAlgorithm[] = ['dhash', 'phash'];

export interface SimilarityQuery {
  /** Unsigned 64-bit. */
  hash: bigint;
  algorithm: HashAlgorithm;
  threshold: number;
  limit?: number;
}

/**
 * Uploads whose `algorithm` hash is within `threshold` of `hash`, nearest first, through the band
 * indexes: index-only probes give the matching hashes, then each matching hash is looked up
 * (through its first band) for the uploads that carry it.
 */
export async function findSimilarHashes(db: Queryable, q: SimilarityQuery): Promise<SimilarHash[]> {
  const { rows } = await similarHashesQuery(q).execute(db);
  return rows.map((r) => ({ uploadId: r.upload_id, distance: Number(r.distance) }));
}

/** The same question answered by reading every row: the baseline `npm run bench:similar` compares with. */
export async function scanSimilarHashes(db: Queryable, q: SimilarityQuery): Promise<SimilarHash[]> {
  const { rows } = await scanHashesQuery(q).execute(db);
  return rows.map((r) => ({ uploadId: r.upload_id, distance: Number(r.distance) }));
}

/** The SQL behind findSimilarHashes (the benchmark also asks PostgreSQL to time it). */
export function similarHashesQuery(q: SimilarityQuery) {
  if (!Number.isInteger(q.threshold) || q.threshold < 0 || q.threshold > MAX_THRESHOLD) {
    throw new RangeError(`threshold must be an integer between 0 and ${MAX_THRESHOLD}`);
  }
  if (!ALGORITHMS.includes(q.algorithm)) throw new RangeError(`unknown algorithm ${q.algorithm}`);
  const radii = bandRadii(q.threshold);
  const probes = bandsOf(q.hash).map((band, i) => intArray(valuesWithin(band, radii[i]!)));
  const target = toSigned64(q.hash).toString();
  // A literal, not a parameter, so the planner matches the per-algorithm partial indexes.
  const algorithm = sql.lit(q.algorithm);
  const band = (i: number) => sql`
    select hash from media_hashes
    where algorithm = ${algorithm} and ${sql.ref(`b${i}`)} = any(${probes[i]}::int[])
      and bit_count((hash # ${target}::bigint)::bit(64)) <= ${q.threshold}`;
  return sql<{ upload_id: string; distance: number }>`
    with near as (
      select distinct hash from (${band(0)} union all ${band(1)} union all ${band(2)} union all ${band(3)}) candidates
    )
    select m.upload_id, bit_count((near.hash # ${target}::bigint)::bit(64))::int as distance
    from near
    cross join lateral (
      select upload_id from media_hashes h
      where h.algorithm = ${algorithm} and h.b0 = ((near.hash >> 48) & 65535)::int and h.hash = near.hash
    ) m
    order by distance, m.upload_id
    limit ${q.limit ?? 100}`;
}

/** The SQL behind scanSimilarHashes: bit_count over every row of the algorithm. */
export function scanHashesQuery(q: SimilarityQuery) {
  const target = toSigned64(q.hash).toString();
  return sql<{ upload_id: string; distance: number }>`
    select upload_id, bit_count((hash # ${target}::bigint)::bit(64))::int as distance
    from media_hashes
    where algorithm = ${q.algorithm} and bit_count((hash # ${target}::bigint)::bit(64)) <= ${q.threshold}
    order by distance, upload_id
    limit ${q.limit ?? 100}`;
}
