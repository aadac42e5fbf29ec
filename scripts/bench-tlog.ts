/**
 * `npm run bench:tlog`: the transparency log on real PostgreSQL (DATABASE_URL, default the local
 * `test` database), in a schema of its own that is dropped afterwards.
 *
 *   1. integration throughput: events are bulk-inserted (the queue trigger fills log_queue as for
 *      any write), then integrateLog gives them indices, stores nodes and signs checkpoints;
 *   2. serving an inclusion proof at 1,000,000 leaves through inclusionProofAt, the function
 *      behind GET /v1/log/proofs/inclusion: median over random indices;
 *   3. the same work by @transmute/rfc9162 in memory, in the same run: the tree head of the same
 *      entries, and inclusion proofs for the same indices over the same leaf hashes (checked
 *      byte for byte against ours).
 *
 * The last line is one JSON object with the figures.
 */
import { performance } from 'node:perf_hooks';
import { CoMETRE, RFC9162 } from '@transmute/rfc9162';
import postgres from 'postgres';
import { fromBase64 } from '../src/crypto/bytes.js';
import { migrate } from '../src/db/migrate.js';
import { openPostgres } from '../src/db/postgres.js';
import { integrateLog } from '../src/features/tlog/integrate.js';
import { inclusionProofAt } from '../src/features/tlog/log.service.js';
import { generateSignerKey, parseSignerKey } from '../src/features/tlog/note.js';
import { jsonLogger } from '../src/ports/logger.js';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const THROUGHPUT_LEAVES = Number(process.env.BENCH_LEAVES ?? 200_000);
const TREE_SIZE = Number(process.env.BENCH_TREE_SIZE ?? 1_000_000);
const PROOFS = Number(process.env.BENCH_PROOFS ?? 1000);
const LIBRARY_PROOFS = Number(process.env.BENCH_LIBRARY_PROOFS ?? 3);
const LIBRARY_ROOT_ENTRIES = Number(process.env.BENCH_LIBRARY_ROOT_ENTRIES ?? 20_000);

const schema = `bench_tlog_${Date.now().toString(36)}`;
const admin = postgres(url, { max: 1, onnotice: () => {} });
const ms = (t0: number) => performance.now() - t0;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)]!;
const fmt = (n: number, digits = 2) => n.toLocaleString('en-US', { maximumFractionDigits: digits });

/** Synthetic events through plain SQL: the entries are canonical JSON, as recordEvent writes them. */
async function insertEvents(sql: postgres.Sql, from: number, count: number) {
  const chunk = 100_000;
  for (let at = from; at < from + count; at += chunk) {
    const n = Math.min(chunk, from + count - at);
    await sql`
      insert into events (id, type, entry, created_at)
      select 'evt_' || lpad(i::text, 26, '0'), 'bench.synthetic',
             format('{"at":"2026-01-01T00:00:00.000Z","i":%s,"id":"evt_%s","type":"bench.synthetic"}', i, lpad(i::text, 26, '0')),
             now()
      from generate_series(${at}::bigint, ${at + n - 1}::bigint) as i`;
  }
}

await admin.unsafe(`create schema ${schema}`);
const handle = await openPostgres({ url, schema, max: 10 });
const raw = postgres(url, { max: 1, onnotice: () => {}, connection: { search_path: schema } });
try {
  await migrate(handle);
  const signer = await parseSignerKey(await generateSignerKey('bench.haipai.example/log'));
  const deps = { db: handle.db, tlogSigner: signer, clock: { now: () => new Date() }, log: jsonLogger };
  const integrateAll = async () => {
    let total = 0;
    for (;;) {
      const r = await integrateLog(deps, { maxBatches: 1_000_000 });
      total += r.integrated;
      if (r.integrated === 0) return total;
    }
  };

  // 1. Throughput.
  console.log(`schema ${schema}; inserting ${fmt(THROUGHPUT_LEAVES)} events …`);
  await insertEvents(raw, 0, THROUGHPUT_LEAVES);
  let t0 = performance.now();
  const integrated = await integrateAll();
  const integrateMs = ms(t0);
  const leavesPerSecond = (integrated / integrateMs) * 1000;
  console.log(`integrated ${fmt(integrated)} leaves in ${fmt(integrateMs / 1000)} s: ${fmt(leavesPerSecond, 0)} leaves/s`);

  // Grow to TREE_SIZE through the same integrator.
  console.log(`growing the log to ${fmt(TREE_SIZE)} leaves …`);
  await insertEvents(raw, THROUGHPUT_LEAVES, TREE_SIZE - THROUGHPUT_LEAVES);
  t0 = performance.now();
  const grown = await integrateAll();
  const growLeavesPerSecond = (grown / ms(t0)) * 1000;
  console.log(`integrated ${fmt(grown)} more leaves at ${fmt(growLeavesPerSecond, 0)} leaves/s`);

  // 2. Proofs at TREE_SIZE, random indices, through the endpoint's function.
  const indices = Array.from({ length: PROOFS }, () => Math.floor(Math.random() * TREE_SIZE));
  for (const i of indices.slice(0, 20)) await inclusionProofAt(handle.db, i, TREE_SIZE); // warm the pool and caches
  const proofTimes: number[] = [];
  const ours = new Map<number, string[]>();
  for (const i of indices) {
    t0 = performance.now();
    const proof = await inclusionProofAt(handle.db, i, TREE_SIZE);
    proofTimes.push(ms(t0));
    ours.set(i, proof.proof);
  }
  const proofMedianMs = median(proofTimes);
  console.log(
    `inclusion proof at ${fmt(TREE_SIZE)} leaves: median ${fmt(proofMedianMs, 3)} ms, p95 ${fmt(p95(proofTimes), 3)} ms (${PROOFS} random indices)`,
  );

  // 3. The in-memory library on the same data.
  const rows = await raw<{ hash: Uint8Array }[]>`select hash from log_nodes where level = 0 order by index`;
  const leaves = rows.map((r) => new Uint8Array(r.hash));
  const libTimes: number[] = [];
  let agree = true;
  for (const i of indices.slice(0, LIBRARY_PROOFS)) {
    t0 = performance.now();
    const proof = await CoMETRE.RFC9162_SHA256.inclusion_proof(i, leaves);
    libTimes.push(ms(t0));
    const mine = ours.get(i)!.map(fromBase64);
    agree &&=
      proof.inclusion_path.length === mine.length && proof.inclusion_path.every((h, k) => Buffer.compare(h, mine[k]!) === 0);
  }
  const libProofMedianMs = median(libTimes);
  console.log(
    `@transmute/rfc9162 in memory, same proofs: median ${fmt(libProofMedianMs)} ms (${LIBRARY_PROOFS} indices); proofs identical: ${agree}`,
  );

  const entries = (await raw<{ entry: string }[]>`select entry from events order by seq limit ${LIBRARY_ROOT_ENTRIES}`).map((r) =>
    new TextEncoder().encode(r.entry),
  );
  t0 = performance.now();
  await RFC9162.treeHead(entries);
  const libLeavesPerSecond = (entries.length / ms(t0)) * 1000;
  console.log(`@transmute/rfc9162 tree head of ${fmt(entries.length)} entries in memory: ${fmt(libLeavesPerSecond, 0)} leaves/s`);

  const figures = {
    integratedLeaves: integrated,
    leavesPerSecond: Math.round(leavesPerSecond),
    leavesPerSecondGrowingTo1M: Math.round(growLeavesPerSecond),
    treeSize: TREE_SIZE,
    proofMedianMs: Number(proofMedianMs.toFixed(3)),
    proofP95Ms: Number(p95(proofTimes).toFixed(3)),
    proofSamples: PROOFS,
    rfc9162: {
      proofMedianMs: Number(libProofMedianMs.toFixed(1)),
      proofSamples: LIBRARY_PROOFS,
      proofsIdentical: agree,
      treeHeadLeavesPerSecond: Math.round(libLeavesPerSecond),
      treeHeadEntries: entries.length,
    },
    ratios: {
      proofSpeedupVsRfc9162: Number((libProofMedianMs / proofMedianMs).toFixed(1)),
      throughputVsRfc9162TreeHead: Number((leavesPerSecond / libLeavesPerSecond).toFixed(2)),
      throughputVsTarget: Number((leavesPerSecond / 10_000).toFixed(2)),
      proofTimeVsTarget: Number((proofMedianMs / 5).toFixed(3)),
    },
  };
  console.log(
    `ratios: proofs ${figures.ratios.proofSpeedupVsRfc9162}× faster than the in-memory library; throughput ${figures.ratios.throughputVsTarget}× the 10,000 leaves/s target`,
  );
  console.log(JSON.stringify(figures));
} finally {
  await raw.end();
  await handle.close();
  await admin.unsafe(`drop schema ${schema} cascade`);
  await admin.end();
}
