import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle, Queryable } from '../src/db/database.js';
import { toSigned64, toUnsigned64 } from '../src/features/media/results.repo.js';
import { type HashAlgorithm, MAX_THRESHOLD, scanSimilarHashes } from '../src/features/media/similarity.js';
import { MemorySimilarityIndex } from '../src/features/media/similarity-memory.js';
import { lcg } from './media-fixtures.js';
import { openTestDatabase } from './support/harness.js';

// The in-memory similarity index of a Node process answers exactly what a full scan of
// media_hashes answers, through the connection it is given: after loading, after hashes inserted
// while it runs (including a transaction that began before, and committed after, one that a
// search had already seen), inside a transaction, and when rebuilt from the table by a new process.

const r = lcg(11);
const rand64 = () => (BigInt(Math.floor(r() * 2 ** 32)) << 32n) | BigInt(Math.floor(r() * 2 ** 32));
const flip = (h: bigint, bits: number) => {
  const chosen = new Set<number>();
  while (chosen.size < bits) chosen.add(Math.floor(r() * 64));
  let out = h;
  for (const b of chosen) out ^= 1n << BigInt(b);
  return out;
};
const queries = [0n, 0xffff_ffff_ffff_ffffn, 0x8000_ffff_0000_7fffn, rand64(), rand64()];
/** Near every query, two hashes at each distance up to past the largest threshold; then unrelated ones. */
const neighbours = () => [
  ...queries.flatMap((q) => Array.from({ length: 2 * (MAX_THRESHOLD + 4) }, (_, i) => flip(q, i % (MAX_THRESHOLD + 4)))),
  ...Array.from({ length: 200 }, rand64),
];

let handle: DatabaseHandle;
let nextUpload = 0;

/** Uploads for `hashes` (committed), and the statement that records their hashes, for either algorithm. */
async function uploadsFor(hashes: bigint[]) {
  const first = nextUpload;
  nextUpload += hashes.length;
  await sql`
    insert into uploads (id, account_id, platform_id, media_type, size, sha256, object_key, status, created_at, expires_at, completed_at)
    select 'upl_' || lpad(i::text, 26, '0'), 'acc_00000000000000000000000000', 'plt_00000000000000000000000000', 'image/png', 1,
           sha256(convert_to(i::text, 'UTF8')), 'memory/' || i, 'completed', now(), now(), now()
    from generate_series(${first}::integer, ${nextUpload - 1}::integer) as i`.execute(handle.db);
  // dHashes are the pHashes turned around, so the two algorithms' tables hold different hashes.
  const rows = hashes.flatMap((hash, i) =>
    (['phash', 'dhash'] as const).map((algorithm, a) => ({
      upload_id: `upl_${String(first + i).padStart(26, '0')}`,
      algorithm,
      hash: toSigned64(a ? ~hash : hash),
    })),
  );
  return async (db: Queryable) => {
    for (let at = 0; at < rows.length; at += 500)
      await db
        .insertInto('media_hashes')
        .values(rows.slice(at, at + 500))
        .execute();
  };
}

/** Every query, both algorithms, every threshold: the index's answer equals the full scan's. */
async function expectScanAnswers(index: MemorySimilarityIndex, db: Queryable = handle.db) {
  let matches = 0;
  for (const q of queries) {
    for (const algorithm of ['phash', 'dhash'] as HashAlgorithm[]) {
      const hash = algorithm === 'dhash' ? toUnsigned64(~q) : q;
      for (let threshold = 0; threshold <= MAX_THRESHOLD; threshold++) {
        const query = { hash, algorithm, threshold, limit: 1000 };
        const found = await index.find(db, query);
        expect(found).toEqual(await scanSimilarHashes(db, query));
        matches += found.length;
      }
    }
  }
  return matches;
}

beforeAll(async () => {
  handle = await openTestDatabase();
  await sql`insert into platforms (id, name, created_at) values ('plt_00000000000000000000000000', 'memory', now())`.execute(
    handle.db,
  );
  await sql`insert into accounts (id, platform_id, kind, display_name, created_at)
            values ('acc_00000000000000000000000000', 'plt_00000000000000000000000000', 'person', 'memory', now())`.execute(
    handle.db,
  );
  await (await uploadsFor(neighbours()))(handle.db);
}, 180_000);
afterAll(async () => {
  await handle?.close();
});

describe('the in-memory similarity index', () => {
  it('answers from the database until it is loaded, then from memory, as a full scan does', async () => {
    const index = new MemorySimilarityIndex();
    expect(index.ready).toBe(false);
    expect(await expectScanAnswers(index)).toBeGreaterThan(0);
    // Small pages, so that loading reads several from its one snapshot.
    await index.load(handle.db, 97);
    expect(index.ready).toBe(true);
    const rows = await handle.db.selectFrom('media_hashes').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
    expect(index.size).toBe(rows.n);
    await expectScanAnswers(index);
  }, 120_000);

  it('sees hashes inserted while it runs, and a new index built from the table sees the same', async () => {
    // Rebuilt every few dozen hashes added, so searches run both before and after rebuilds.
    const index = new MemorySimilarityIndex({ unindexedLimit: 40 });
    await index.load(handle.db);
    const before = await expectScanAnswers(index);

    const insertEarly = await uploadsFor(neighbours());
    const insertLate = await uploadsFor(neighbours());
    if (handle.flavour === 'postgres') {
      // A transaction takes its id (inserts) before another one, which commits first; a search runs
      // between the two commits, so the earlier transaction commits behind what that search read.
      let release!: () => void;
      let inserted!: () => void;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const insertedEarly = new Promise<void>((resolve) => {
        inserted = resolve;
      });
      const early = handle.db.transaction().execute(async (trx) => {
        await insertEarly(trx);
        inserted();
        await held;
      });
      await insertedEarly;
      await insertLate(handle.db);
      const between = await expectScanAnswers(index);
      expect(between).toBeGreaterThan(before);
      release();
      await early;
    } else {
      // PGlite is one connection: transactions take turns, in the order they commit.
      await insertEarly(handle.db);
      await insertLate(handle.db);
    }
    const after = await expectScanAnswers(index);
    expect(after).toBeGreaterThan(before);

    // Inside a transaction, through its connection.
    await handle.db.transaction().execute(async (trx) => {
      expect(await expectScanAnswers(index, trx)).toBe(after);
    });

    // A process that starts now rebuilds the same index from the table.
    const restarted = new MemorySimilarityIndex();
    await restarted.load(handle.db, 211);
    expect(restarted.size).toBe(index.size);
    expect(await expectScanAnswers(restarted)).toBe(after);
  }, 240_000);
});
