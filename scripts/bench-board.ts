/**
 * `npm run bench:board [-- --smoke]`: the public board at scale against the HTTP stack's ceiling.
 *
 *   1. creates a database of its own on the PostgreSQL server of DATABASE_URL (default
 *      postgres://postgres@127.0.0.1:5432/postgres), migrates it and fills it in plain SQL
 *      (scripts/bench/board-fill.ts: BENCH_LISTINGS open listings of all four kinds, default
 *      100,000, and BENCH_TRADES settled trades over the past year, default 1,000,000);
 *   2. starts the real server (src/node.ts) with BENCH_BARE_ROUTE=on, which adds
 *      GET /v1/_bench/bare?bytes=N: a fixed JSON body of N bytes behind the same middleware;
 *   3. measures with autocannon (BENCH_CLIENTS connections, BENCH_SECONDS each, after a short warm-up)
 *      every board route below, and the bare route with a body as large as that route's.
 *
 * The last line is one JSON object: per route its requests/s, p50/p99 (ms), body size, ratio to
 * the bare route and the CPU time per request of the server and of PostgreSQL, the route's and the
 * bare route's (from /proc; null elsewhere); and the deep page's req/s relative to the first page's.
 */
import postgres from 'postgres';
import { encodeCursor } from '../src/http/pagination.js';
import { createBenchDatabase } from './bench/bench-database.js';
import { startBenchServer } from './bench/bench-server.js';
import { fillBoard } from './bench/board-fill.js';
import { benchConditions, loadAverage } from './bench/conditions.js';
import { type LoadResult, runLoad } from './bench/load.js';
import { cpuMsPer, startCpuMeter } from './bench/process-cpu.js';

const smoke = process.argv.includes('--smoke');
const LISTINGS = Number(process.env.BENCH_LISTINGS ?? (smoke ? 1000 : 100_000));
const TRADES = Number(process.env.BENCH_TRADES ?? (smoke ? 5000 : 1_000_000));
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? (smoke ? 2 : 8));
const SECONDS = Number(process.env.BENCH_SECONDS ?? (smoke ? 1 : 10));

const loadBefore = loadAverage();
const db = await createBenchDatabase('haipai_bench_board');
const sql = postgres(db.url, { max: 1, onnotice: () => {} });
let server: Awaited<ReturnType<typeof startBenchServer>> | undefined;
try {
  const log = (s: string) => console.log(s);
  log(`database ${db.name}: filling ${LISTINGS} listings and ${TRADES} trades …`);
  const t0 = Date.now();
  await fillBoard(sql, LISTINGS, TRADES);
  log(`filled in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  server = await startBenchServer({
    DATABASE_URL: db.url,
    OPERATOR_API_KEY: `bench-operator-${process.pid}-0123456789`,
    BENCH_BARE_ROUTE: 'on',
  });
  const base = server.baseUrl;

  // A deep page of the price walk: the cursor after the listing whose price is the median one.
  const [mid] = await sql<{ id: string; price: string }[]>`
    select id, price::text from listings where kind = 'fixed' and status = 'open'
    order by price, id offset (select count(*) / 2 from listings where kind = 'fixed') limit 1`;
  const deep = encodeCursor(`${Date.now()}.${mid!.price}.${mid!.id}`);
  const routes: Record<string, string> = {
    listingsNewest: '/v1/board/listings?limit=20',
    listingsFilterPriceFirst: '/v1/board/listings?limit=20&kind=garment&currency=CNY&sort=price_asc',
    listingsFilterPriceDeep: `/v1/board/listings?limit=20&kind=garment&currency=CNY&sort=price_asc&after=${deep}`,
    listingsEndingSoon: '/v1/board/listings?limit=20&listingKind=english&sort=ending_soon',
    trades: '/v1/board/trades?limit=20',
    tradesByCategory: '/v1/board/trades?limit=20&category=digital_creative',
    stats: '/v1/board/stats',
  };

  // Each run also reads the CPU time the server and PostgreSQL spent on it (from /proc; null where
  // that cannot be read): per request, what a page costs each side beyond what the bare route does.
  const serverPid = server.pid;
  const measure = async (path: string) => {
    await runLoad({ url: `${base}${path}`, connections: CLIENTS, duration: 1 }).done; // warm-up
    const meter = startCpuMeter(serverPid);
    const r: LoadResult = await runLoad({ url: `${base}${path}`, connections: CLIENTS, duration: SECONDS }).done;
    const usage = meter.stop();
    if (r.non2xx || r.errors) throw new Error(`${path}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
    const cpuMs = { server: cpuMsPer(usage?.serverSeconds, r.ok), database: cpuMsPer(usage?.databaseSeconds, r.ok) };
    return { ...r, cpuMs };
  };
  const results: Record<string, unknown> = {};
  for (const [name, path] of Object.entries(routes)) {
    const res = await fetch(`${base}${path}`);
    const body = await res.text();
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${body}`);
    const bytes = Buffer.byteLength(body);
    const route = await measure(path);
    const bare = await measure(`/v1/_bench/bare?bytes=${bytes}`);
    log(
      `${name}: ${route.rps.toFixed(0)} req/s (p50 ${route.p50} ms, p99 ${route.p99} ms) vs bare ${bare.rps.toFixed(0)} req/s, ${bytes} bytes`,
    );
    results[name] = {
      rps: Math.round(route.rps),
      p50Ms: route.p50,
      p99Ms: route.p99,
      bytes,
      bareRps: Math.round(bare.rps),
      ratio: Math.round((route.rps / bare.rps) * 1000) / 1000,
      cpuMsPerRequest: route.cpuMs,
      bareCpuMsPerRequest: bare.cpuMs,
    };
  }
  const first = results.listingsFilterPriceFirst as { rps: number };
  const deepR = results.listingsFilterPriceDeep as { rps: number };
  console.log(
    JSON.stringify({
      bench: 'board',
      smoke,
      listings: LISTINGS,
      trades: TRADES,
      clients: CLIENTS,
      seconds: SECONDS,
      routes: results,
      deepToFirstPage: Math.round((deepR.rps / first.rps) * 1000) / 1000,
      conditions: {
        ...(await benchConditions(sql, { listings: LISTINGS, trades: TRADES, clients: CLIENTS, seconds: SECONDS })),
        loadAverageBefore: loadBefore,
        loadAverageAfter: loadAverage(),
      },
    }),
  );
} finally {
  await sql.end();
  await server?.stop();
  await db.drop();
}
