/**
 * `npm run bench:similar`: near-duplicate search on real PostgreSQL (DATABASE_URL, default the local
 * `test` database), in a schema of its own that is dropped afterwards (BENCH_SCHEMA=name keeps it,
 * and a later run with the same name reuses the loaded hashes).
 *
 *   1. loads BENCH_HASHES (1,000,000) pseudo-random 64-bit pHashes, one per upload, plus planted
 *      near-duplicates of BENCH_ROUNDS × BENCH_QUERIES (3 × 100) query hashes at Hamming distances
 *      0…threshold+3; then loads the in-memory index (similarity-memory.ts) as a Node process does;
 *   2. warms up as a server that has been answering searches (BENCH_WARMUP searches, 2,000, for
 *      hashes of their own, through both indexes), then runs BENCH_ROUNDS rounds, each of its own
 *      BENCH_QUERIES hashes never asked for before, answered in turn by the in-memory index (with its
 *      read of new rows: what a Node process serves), by the database's band indexes
 *      (findSimilarHashes, what Workers use) and by a full scan (scanSimilarHashes: bit_count over
 *      every row, the plain query with PostgreSQL's defaults); each series runs on its own;
 *   3. checks that every search returns exactly what the scan returns at the threshold
 *      (MEDIA_NEAR_DUPLICATE_THRESHOLD, default 10; both indexes guarantee every threshold up to 16),
 *      and that every planted hash within it is found.
 *
 * The last line is one JSON object: the conditions (database, its size, shared_buffers, the load
 * average before and after the rounds), each round's p50/p99 times as the client sees them, its
 * speed-up (ratio of medians) and recall, and the median of the rounds (`speedup`).
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import postgres from 'postgres';
import { migrate } from '../src/db/migrate.js';
import { openPostgres } from '../src/db/postgres.js';
import { toSigned64 } from '../src/features/media/results.repo.js';
import {
  findSimilarHashes,
  hammingDistance,
  type SimilarHash,
  type SimilarityQuery,
  scanHashesQuery,
  scanSimilarHashes,
  similarHashesQuery,
} from '../src/features/media/similarity.js';
import { MemorySimilarityIndex } from '../src/features/media/similarity-memory.js';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const HASHES = Number(process.env.BENCH_HASHES ?? 1_000_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2000);
const THRESHOLD = Number(process.env.MEDIA_NEAR_DUPLICATE_THRESHOLD ?? 10);
const PLANTED_DISTANCES = [0, 1, 3, 5, 7, 9, THRESHOLD, THRESHOLD + 1, THRESHOLD + 3].filter((d) => d <= 64);

// BENCH_SCHEMA keeps the loaded hashes in a schema of that name for the next run (loaded once).
const schema = process.env.BENCH_SCHEMA ?? `bench_similar_${Date.now().toString(36)}`;
const keep = Boolean(process.env.BENCH_SCHEMA);
const admin = postgres(url, { max: 1, onnotice: () => {} });
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const fmt = (n: number, digits = 2) => n.toLocaleString('en-US', { maximumFractionDigits: digits });

/** Deterministic 64-bit values (xorshift64*), so every run plants the same hashes. */
function* random64(seed: bigint) {
  let x = seed;
  for (;;) {
    x ^= x >> 12n;
    x ^= (x << 25n) & 0xffffffffffffffffn;
    x ^= x >> 27n;
    yield (x * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn;
  }
}

function flipBits(h: bigint, n: number, rand: Generator<bigint>): bigint {
  const bits = new Set<number>();
  while (bits.size < n) bits.add(Number(rand.next().value! % 64n));
  let out = h;
  for (const b of bits) out ^= 1n << BigInt(b);
  return out;
}

await admin.unsafe(`create schema if not exists ${schema}`);
const handle = await openPostgres({ url, schema, max: 4 });
const sql = postgres(url, { max: 1, onnotice: () => {}, connection: { search_path: schema } });
try {
  await migrate(handle);
  // Planted near-duplicates of each query hash.
  const rand = random64(0x9e3779b97f4a7c15n);
  const queries = Array.from({ length: QUERIES * ROUNDS }, () => rand.next().value!);
  const planted: { id: string; hash: bigint; query: number; distance: number }[] = [];
  let next = HASHES;
  for (const [q, hash] of queries.entries()) {
    for (const d of PLANTED_DISTANCES)
      planted.push({ id: `upl_${String(next++).padStart(26, '0')}`, hash: flipBits(hash, d, rand), query: q, distance: d });
  }
  const t0 = performance.now();
  const present = Number((await sql`select count(*)::int as n from media_hashes`)[0]!.n);
  if (present !== HASHES + planted.length) {
    if (present)
      throw new Error(`schema ${schema} holds ${present} hashes, not ${HASHES + planted.length}: drop it or choose another`);
    console.log(`schema ${schema}; loading ${fmt(HASHES)} hashes …`);
    await sql`insert into platforms (id, name, created_at) values ('plt_00000000000000000000000000', 'bench', now())`;
    await sql`insert into accounts (id, platform_id, kind, display_name, created_at)
            values ('acc_00000000000000000000000000', 'plt_00000000000000000000000000', 'person', 'bench', now())`;
    const upload = (i: string) => sql`
    insert into uploads (id, account_id, platform_id, media_type, size, sha256, object_key, status, created_at, expires_at, completed_at)
    select 'upl_' || lpad(i::text, 26, '0'), 'acc_00000000000000000000000000', 'plt_00000000000000000000000000', 'image/png', 1,
           sha256(convert_to(i::text, 'UTF8')), 'bench/' || i, 'completed', now(), now(), now()
    from ${sql.unsafe(i)}`;
    const chunk = 200_000;
    for (let at = 0; at < HASHES; at += chunk) {
      const to = Math.min(HASHES, at + chunk) - 1;
      await upload(`generate_series(${at}, ${to}) as i`);
      // md5 of the row number: uniformly distributed 64-bit values, reproducible.
      await sql`
      insert into media_hashes (upload_id, algorithm, hash)
      select 'upl_' || lpad(i::text, 26, '0'), 'phash', ('x' || substr(md5(i::text), 1, 16))::bit(64)::bigint
      from generate_series(${at}::int, ${to}::int) as i`;
    }

    await upload(`generate_series(${HASHES}, ${next - 1}) as i`);
    for (let at = 0; at < planted.length; at += 5000) {
      const rows = planted
        .slice(at, at + 5000)
        .map((p) => ({ upload_id: p.id, algorithm: 'phash', hash: toSigned64(p.hash).toString() }));
      await sql`insert into media_hashes ${sql(rows)}`;
    }
    await sql`vacuum analyze media_hashes`;
  }
  const total = Number((await sql`select count(*)::int as n from media_hashes`)[0]!.n);
  console.log(`loaded ${fmt(total)} hashes (${planted.length} planted) in ${fmt((performance.now() - t0) / 1000)} s`);

  // The in-memory index a Node API process serves from (similarity-memory.ts), loaded as at start.
  const memory = new MemorySimilarityIndex();
  const loadStart = performance.now();
  const used = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const usedBefore = used();
  await memory.load(handle.db);
  const memoryLoadS = (performance.now() - loadStart) / 1000;
  // Strings on the heap, typed arrays outside it.
  const memoryMb = Math.max(0, used() - usedBefore) / 2 ** 20;
  console.log(`in-memory index: ${fmt(memory.size)} hashes loaded in ${fmt(memoryLoadS)} s, ~${fmt(memoryMb, 0)} MB of memory`);

  // Steady state, as on a server that has been answering searches. The scan needs only its plan: a
  // sequential scan of a table over a quarter of shared buffers reads through a small ring of its
  // own. The database's band indexes need their pages in shared buffers, which the load filled with
  // the table's: a B-tree page that must come from the kernel costs ~30 µs here, several times the
  // rest of a probe. So WARMUP searches for hashes of their own (never measured), through both
  // indexes; every measured search then asks for a hash nobody asked for before.
  const unseen = random64(0x2545f4914f6cdd1dn);
  for (let i = 0; i < 3; i++) {
    await scanSimilarHashes(handle.db, { hash: unseen.next().value!, algorithm: 'phash', threshold: THRESHOLD, limit: 1000 });
  }
  for (let i = 0; i < WARMUP; i++) {
    const q: SimilarityQuery = { hash: unseen.next().value!, algorithm: 'phash', threshold: THRESHOLD, limit: 1000 };
    await findSimilarHashes(handle.db, q);
    await memory.find(handle.db, q);
  }

  /**
   * The same query timed by PostgreSQL itself (planning + execution, EXPLAIN ANALYZE with TIMING
   * OFF so per-row instrumentation does not tax the scan): free of client and scheduling latency,
   * which on a busy machine is a large share of a few-millisecond query.
   */
  const serverTime = async (builder: ReturnType<typeof similarHashesQuery>) => {
    const compiled = builder.compile(handle.db);
    const rows = await sql.unsafe(`explain (analyze, timing off, summary) ${compiled.sql}`, compiled.parameters as never[]);
    const text = rows.map((r) => r['QUERY PLAN']).join('\n');
    return Number(/Planning Time: ([\d.]+)/.exec(text)![1]) + Number(/Execution Time: ([\d.]+)/.exec(text)![1]);
  };
  const at = (hash: bigint): SimilarityQuery => ({ hash, algorithm: 'phash', threshold: THRESHOLD, limit: 1000 });
  const timed = async <T>(run: () => Promise<T>, ms: number[]) => {
    const start = performance.now();
    const out = await run();
    ms.push(performance.now() - start);
    return out;
  };
  await serverTime(similarHashesQuery(at(unseen.next().value!))); // this connection's copy of the function

  /** The share of the scan's matches that `got` returned, and whether any result set differs. */
  const compare = (got: SimilarHash[][], want: SimilarHash[][]) => {
    let expected = 0;
    let found = 0;
    let differing = 0;
    for (const [q, wanted] of want.entries()) {
      const ids = new Set(got[q]!.map((m) => m.uploadId));
      expected += wanted.length;
      found += wanted.filter((m) => ids.has(m.uploadId)).length;
      if (JSON.stringify(got[q]) !== JSON.stringify(wanted)) differing++;
      for (const m of got[q]!) if (m.distance > THRESHOLD) throw new Error(`index returned distance ${m.distance}`);
    }
    return { expected, found, differing };
  };

  const loadBefore = loadavg();
  const rounds: Record<string, number>[] = [];
  let plantedWithin = 0;
  let plantedFound = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const mine = queries.slice(round * QUERIES, (round + 1) * QUERIES);
    // Each series runs on its own: a full scan takes shared buffers for its ring and flushes the CPU
    // caches, which would tax whichever search came next. PostgreSQL times other unseen hashes.
    const memoryMs: number[] = [];
    const databaseMs: number[] = [];
    const scanMs: number[] = [];
    const databaseServerMs: number[] = [];
    const scanServerMs: number[] = [];
    const viaMemory = [];
    for (const hash of mine) viaMemory.push(await timed(() => memory.find(handle.db, at(hash)), memoryMs));
    // Of which the search in memory, without the read of what is new (a round trip to the database).
    const searchOnlyMs: number[] = [];
    for (const hash of mine) await timed(async () => memory.search(at(hash)), searchOnlyMs);
    const viaDatabase = [];
    for (const hash of mine) viaDatabase.push(await timed(() => findSimilarHashes(handle.db, at(hash)), databaseMs));
    const serverHashes = mine.map(() => unseen.next().value!);
    for (const hash of serverHashes) databaseServerMs.push(await serverTime(similarHashesQuery(at(hash))));
    const viaScan = [];
    for (const hash of mine) viaScan.push(await timed(() => scanSimilarHashes(handle.db, at(hash)), scanMs));
    for (const hash of serverHashes) scanServerMs.push(await serverTime(scanHashesQuery(at(hash))));

    const ofMemory = compare(viaMemory, viaScan);
    const ofDatabase = compare(viaDatabase, viaScan);
    for (const [q, hash] of mine.entries()) {
      const found = new Set(viaMemory[q]!.map((m) => m.uploadId));
      for (const p of planted.filter((x) => x.query === round * QUERIES + q && x.distance <= THRESHOLD)) {
        plantedWithin++;
        if (found.has(p.id)) plantedFound++;
        if (hammingDistance(p.hash, hash) !== p.distance) throw new Error('planted distance is wrong');
      }
    }
    const p50 = (xs: number[]) => Number(percentile(xs, 0.5).toFixed(3));
    const r = {
      indexP50Ms: p50(memoryMs),
      indexP99Ms: Number(percentile(memoryMs, 0.99).toFixed(3)),
      searchInMemoryP50Ms: p50(searchOnlyMs),
      scanP50Ms: p50(scanMs),
      scanP99Ms: Number(percentile(scanMs, 0.99).toFixed(3)),
      speedup: Number((percentile(scanMs, 0.5) / percentile(memoryMs, 0.5)).toFixed(1)),
      recall: ofMemory.expected ? ofMemory.found / ofMemory.expected : 1,
      resultSetsDiffering: ofMemory.differing,
      matchesPerQuery: Number((ofMemory.expected / QUERIES).toFixed(2)),
      databaseIndexP50Ms: p50(databaseMs),
      databaseIndexSpeedup: Number((percentile(scanMs, 0.5) / percentile(databaseMs, 0.5)).toFixed(1)),
      databaseIndexRecall: ofDatabase.expected ? ofDatabase.found / ofDatabase.expected : 1,
      databaseIndexServerP50Ms: p50(databaseServerMs),
      scanServerP50Ms: p50(scanServerMs),
      databaseIndexServerSpeedup: Number((percentile(scanServerMs, 0.5) / percentile(databaseServerMs, 0.5)).toFixed(1)),
    };
    rounds.push(r);
    console.log(
      `round ${round + 1}: in-memory index p50 ${fmt(r.indexP50Ms, 3)} ms, scan p50 ${fmt(r.scanP50Ms)} ms: ${r.speedup}×, recall ${r.recall}; ` +
        `database index p50 ${fmt(r.databaseIndexP50Ms, 3)} ms: ${r.databaseIndexSpeedup}× (timed by PostgreSQL: ${r.databaseIndexServerSpeedup}×), recall ${r.databaseIndexRecall}`,
    );
  }
  const loadAfter = loadavg();
  const median = (key: keyof (typeof rounds)[number]) =>
    percentile(
      rounds.map((r) => r[key] as number),
      0.5,
    );
  const [database] = await sql`
    select current_database() as name, pg_database_size(current_database())::bigint as size,
           current_setting('shared_buffers') as shared_buffers, current_setting('server_version') as version`;
  const where = new URL(url);
  const result = {
    bench: 'similar',
    database: {
      host: `${where.hostname}:${where.port || 5432}`,
      name: database!.name,
      version: database!.version,
      sizeMb: Math.round(Number(database!.size) / 2 ** 20),
      sharedBuffers: database!.shared_buffers,
    },
    cpus: cpus().length,
    loadAverageBefore: loadBefore.map((l) => Number(l.toFixed(2))),
    loadAverageAfter: loadAfter.map((l) => Number(l.toFixed(2))),
    hashes: total,
    queries: QUERIES,
    threshold: THRESHOLD,
    memoryIndexLoadS: Number(memoryLoadS.toFixed(2)),
    memoryIndexMb: Math.round(memoryMb),
    rounds,
    speedup: median('speedup'),
    indexP50Ms: median('indexP50Ms'),
    scanP50Ms: median('scanP50Ms'),
    databaseIndexSpeedup: median('databaseIndexSpeedup'),
    recall: Math.min(...rounds.map((r) => r.recall!)),
    databaseIndexRecall: Math.min(...rounds.map((r) => r.databaseIndexRecall!)),
    plantedRecall: plantedWithin ? plantedFound / plantedWithin : 1,
    resultSetsDiffering: rounds.reduce((n, r) => n + r.resultSetsDiffering!, 0),
  };
  console.log(
    `median of ${ROUNDS}: speed-up ${result.speedup}× (in-memory index p50 ${fmt(result.indexP50Ms, 3)} ms, scan p50 ${fmt(result.scanP50Ms)} ms), ` +
      `recall ${result.recall}; database index ${result.databaseIndexSpeedup}×; load average ${result.loadAverageBefore[0]} → ${result.loadAverageAfter[0]}`,
  );
  console.log(JSON.stringify(result));
  if (result.resultSetsDiffering || result.recall !== 1 || result.databaseIndexRecall !== 1) process.exitCode = 1;
} finally {
  await sql.end();
  await handle.close();
  if (!keep) await admin.unsafe(`drop schema ${schema} cascade`);
  await admin.end();
}
