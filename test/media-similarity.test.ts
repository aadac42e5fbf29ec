import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../src/db/database.js';
import { toSigned64, toUnsigned64 } from '../src/features/media/results.repo.js';
import {
  bandRadii,
  bandRuns,
  bandsOf,
  findSimilarHashes,
  type HashAlgorithm,
  hammingDistance,
  MAX_THRESHOLD,
  scanSimilarHashes,
  valuesWithin,
} from '../src/features/media/similarity.js';
import { lcg } from './media-fixtures.js';
import { openTestDatabase } from './support/harness.js';

const r = lcg(7);
const rand64 = () => (BigInt(Math.floor(r() * 2 ** 32)) << 32n) | BigInt(Math.floor(r() * 2 ** 32));
const flip = (h: bigint, bits: number) => {
  const chosen = new Set<number>();
  while (chosen.size < bits) chosen.add(Math.floor(r() * 64));
  let out = h;
  for (const b of chosen) out ^= 1n << BigInt(b);
  return out;
};

describe('the similarity index probes', () => {
  it('enumerates every 16-bit value within the radius exactly once', () => {
    for (const radius of [0, 1, 2, 3]) {
      const values = valuesWithin(0xa5c3, radius);
      expect(new Set(values).size).toBe(values.length);
      const expected = [0, 1, 2, 3].slice(0, radius + 1).reduce((n, k) => n + binomial(16, k), 0);
      expect(values.length).toBe(expected);
      for (const v of values) expect(popcount(v ^ 0xa5c3)).toBeLessThanOrEqual(radius);
    }
  });

  it('chooses band radii whose r_i + 1 sum past the threshold', () => {
    expect(bandRadii(10)).toEqual([2, 2, 2, 1]);
    expect(bandRadii(0)).toEqual([0, 0, 0, 0]);
    for (let t = 0; t <= MAX_THRESHOLD; t++) expect(bandRadii(t).reduce((s, r) => s + r + 1, 0)).toBeGreaterThan(t);
  });

  it('guarantees, by the pigeonhole principle, that every hash within the threshold shares a probed band value', () => {
    for (let trial = 0; trial < 2000; trial++) {
      const q = rand64();
      const d = trial % (MAX_THRESHOLD + 1);
      const h = flip(q, d);
      expect(hammingDistance(q, h)).toBe(d);
      // Probing with the radii of the threshold d (and so of any threshold ≥ d) finds h.
      const radii = bandRadii(d);
      const qb = bandsOf(q);
      const hb = bandsOf(h);
      expect(qb.some((band, i) => valuesWithin(band, radii[i]!).includes(hb[i]!))).toBe(true);
    }
  });

  it('groups the probed values into runs of consecutive keys', () => {
    // The key of band value v in a band index starts at v·2^48 read as a signed 64-bit integer.
    const signedKey = (v: number) => BigInt.asIntN(64, BigInt(v) << 48n);
    for (const value of [0x0000, 0x0001, 0x7fff, 0x8000, 0xffff, 0xa5c3]) {
      for (const radius of [0, 1, 2, 4]) {
        const runs = bandRuns(value, radius);
        const covered = runs.flatMap(([first, last]) => {
          const out = [first];
          while (out.at(-1)! < last) out.push(out.at(-1)! + 1);
          return out;
        });
        // Exactly the values within the radius, each once …
        expect(covered.sort((a, b) => a - b)).toEqual(valuesWithin(value, radius).sort((a, b) => a - b));
        // … as key ranges (signed, as PostgreSQL orders bigint), none touching the next.
        for (const [i, [first, last]] of runs.entries()) {
          expect(signedKey(first) <= signedKey(last)).toBe(true);
          if (i > 0) expect(first - runs[i - 1]![1]).toBeGreaterThan(1);
        }
      }
    }
    // v and v ^ 1 are always neighbours: radius 1 takes at most 16 ranges for 17 values (0xa5c1, 0xa5c2
    // and 0xa5c3 make one), radius 2 fewer than 137.
    expect(bandRuns(0xa5c3, 1)).toHaveLength(15);
    expect(bandRuns(0xa5c3, 2).length).toBeLessThan(120);
  });
});

describe('the similarity index in the database', () => {
  let handle: DatabaseHandle;
  const queries = [
    0n,
    0xffff_ffff_ffff_ffffn,
    0x8000_0000_0000_0000n,
    0x7fff_8000_ffff_0000n,
    0x0000_7fff_8000_ffffn,
    0x8000_ffff_0000_7fffn,
    ...Array.from({ length: 4 }, rand64),
  ];

  beforeAll(async () => {
    handle = await openTestDatabase();
    const db = handle.db;
    await sql`insert into platforms (id, name, created_at) values ('plt_00000000000000000000000000', 'similar', now())`.execute(
      db,
    );
    await sql`insert into accounts (id, platform_id, kind, display_name, created_at)
              values ('acc_00000000000000000000000000', 'plt_00000000000000000000000000', 'person', 'similar', now())`.execute(
      db,
    );
    // Near every query: three hashes at each distance up to past the largest threshold (at distance 0,
    // uploads of the same image); plus unrelated hashes.
    const hashes = queries.flatMap((q) => [q, ...Array.from({ length: 60 }, (_, i) => flip(q, i % (MAX_THRESHOLD + 4)))]);
    hashes.push(...Array.from({ length: 400 }, rand64));
    const rows = hashes.flatMap((hash, i) =>
      (['phash', 'dhash'] as const).map((algorithm, a) => ({
        upload_id: `upl_${String(i).padStart(26, '0')}`,
        algorithm,
        // dHashes are the pHashes turned around, so the two algorithms' indexes hold different keys.
        hash: toSigned64(a ? ~hash : hash),
      })),
    );
    await sql`
      insert into uploads (id, account_id, platform_id, media_type, size, sha256, object_key, status, created_at, expires_at, completed_at)
      select 'upl_' || lpad(i::text, 26, '0'), 'acc_00000000000000000000000000', 'plt_00000000000000000000000000', 'image/png', 1,
             sha256(convert_to(i::text, 'UTF8')), 'similar/' || i, 'completed', now(), now(), now()
      from generate_series(0, ${hashes.length - 1}::integer) as i`.execute(db);
    for (let at = 0; at < rows.length; at += 500)
      await db
        .insertInto('media_hashes')
        .values(rows.slice(at, at + 500))
        .execute();
  }, 60_000);
  afterAll(async () => {
    await handle?.close();
  });

  it('derives the rotated copies of every hash', async () => {
    const rows = await handle.db.selectFrom('media_hashes').select(['hash', 'r1', 'r2', 'r3']).execute();
    const rotl = (h: bigint, k: number) => toSigned64((toUnsigned64(h) << BigInt(k)) | (toUnsigned64(h) >> BigInt(64 - k)));
    for (const row of rows)
      expect([row.r1, row.r2, row.r3]).toEqual([rotl(row.hash, 16), rotl(row.hash, 32), rotl(row.hash, 48)]);
  });

  it('finds exactly what a full scan finds, at every threshold, for both algorithms', async () => {
    const sorted = (xs: { uploadId: string; distance: number }[]) =>
      [...xs].sort((a, b) => a.distance - b.distance || a.uploadId.localeCompare(b.uploadId));
    for (const q of queries) {
      for (const algorithm of ['phash', 'dhash'] as HashAlgorithm[]) {
        const hash = algorithm === 'dhash' ? toUnsigned64(~q) : q;
        for (let threshold = 0; threshold <= MAX_THRESHOLD; threshold++) {
          const query = { hash, algorithm, threshold, limit: 1000 };
          const viaIndex = await findSimilarHashes(handle.db, query);
          expect(viaIndex).toEqual(sorted(viaIndex));
          expect(viaIndex).toEqual(sorted(await scanSimilarHashes(handle.db, query)));
          // The query's own hash and its planted neighbours, three at each distance, are all there.
          expect(viaIndex.length).toBeGreaterThanOrEqual(1 + 3 * (threshold + 1));
        }
      }
    }
  }, 120_000);
});

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 0; i < k; i++) r = (r * (n - i)) / (i + 1);
  return r;
}

function popcount(v: number): number {
  let n = 0;
  for (let x = v; x; x &= x - 1) n++;
  return n;
}
