import { sql } from 'kysely';
import type { Queryable } from '../../db/database.js';
import { toSigned64, toUnsigned64 } from './results.repo.js';

/**
 * Near-duplicate search over 64-bit perceptual hashes by multi-index hashing (Norouzi, Punjani &
 * Fleet, "Fast Search in Hamming Space with Multi-Index Hashing", CVPR 2012).
 *
 * The hash is split into BANDS substrings of 16 bits. Give band i a search radius r_i such that
 * Σ (r_i + 1) > threshold. If a stored hash differed from the query in more than r_i bits in every
 * band i, their distance would be at least Σ (r_i + 1), over the threshold; so every hash within
 * the threshold equals, in some band i, one of the values within r_i of the query's band (the
 * pigeonhole principle, generalised to unequal radii). Probing an index per band with those values
 * (137 + 137 + 137 + 17 at threshold 10) reads about n · 428 / 2^16 candidates of n instead of all
 * n; the exact distance (bit_count of the XOR) then keeps exactly the hashes within the threshold:
 * recall 1 by construction, for every threshold.
 *
 * Band i's index is a B-tree on the hash rotated left by 16·i bits (media_hashes.hash, r1, r2, r3,
 * derived by the database; schema/0008_similarity_index.sql says why), where the hashes whose band
 * i equals v are the key range [v·2^48, (v+1)·2^48) (signed): a probe is a range, and consecutive
 * values (v and v ^ 1 always are) share one, about 350 probes at threshold 10 instead of 428.
 */
export const BANDS = 4;
export const BAND_BITS = 16;
/** The largest threshold accepted: 4,608 values (~3,000 probes); beyond it the probes cost more than they save. */
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

/** Band values first…last, whose keys form one range in a band index. */
export type BandRun = [first: number, last: number];

/**
 * The band values within `radius` of `value`, as runs of consecutive values: one range probe each.
 * A key is signed, so a run stops at 0x7fff, the largest key, rather than go on to 0x8000, the
 * smallest (though no set of values within a radius under 8 holds both).
 */
export function bandRuns(value: number, radius: number): BandRun[] {
  const runs: BandRun[] = [];
  for (const v of valuesWithin(value, radius).sort((a, b) => a - b)) {
    const run = runs.at(-1);
    if (run && run[1] === v - 1 && v !== 0x8000) run[1] = v;
    else runs.push([v, v]);
  }
  return runs;
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

const intArray = (values: number[]) => sql.lit(`{${values.join(',')}}`);
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
 * (through band 0, the hash itself) for the uploads that carry it. The probes run inside the database
 * function media_similar_hashes (schema/0008_similarity_index.sql), whose plan is made once per
 * connection: planning the same statement on every call cost a quarter of the query.
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

/** Throws a RangeError for a threshold past MAX_THRESHOLD or an unknown algorithm (the values are spliced into SQL). */
export function validateSimilarityQuery(q: SimilarityQuery): void {
  if (!Number.isInteger(q.threshold) || q.threshold < 0 || q.threshold > MAX_THRESHOLD) {
    throw new RangeError(`threshold must be an integer between 0 and ${MAX_THRESHOLD}`);
  }
  if (!ALGORITHMS.includes(q.algorithm)) throw new RangeError(`unknown algorithm ${q.algorithm}`);
}

/** The SQL behind findSimilarHashes (the benchmark also asks PostgreSQL to time it). */
export function similarHashesQuery(q: SimilarityQuery) {
  validateSimilarityQuery(q);
  const radii = bandRadii(q.threshold);
  const runs = bandsOf(q.hash).flatMap((band, i) => {
    const r = bandRuns(band, radii[i]!);
    return [sql`${intArray(r.map(([first]) => first))}::integer[]`, sql`${intArray(r.map(([, last]) => last))}::integer[]`];
  });
  // Literals, not parameters: for a statement with parameters the driver (postgres.js, unprepared)
  // first asks the server to describe it, a round trip that cost a fifth of the query. Every value
  // is a number or an algorithm checked above.
  return sql<{ upload_id: string; distance: number }>`
    select upload_id, distance
    from media_similar_hashes(${sql.lit(q.algorithm)}, ${sql.lit(toSigned64(q.hash).toString())}::bigint,
      ${sql.lit(q.threshold)}, ${sql.join(runs)}, ${sql.lit(q.limit ?? 100)})
    order by distance, upload_id`;
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
