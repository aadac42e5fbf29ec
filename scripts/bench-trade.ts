/**
 * `npm run bench:trade [-- --smoke]`: how many trades per second Haipai settles end to end, against
 * what the same PostgreSQL does with pgbench's TPC-B in the same run.
 *
 *   1. creates a database of its own on the PostgreSQL server of DATABASE_URL (default
 *      postgres://postgres@127.0.0.1:5432/postgres) and migrates it;
 *   2. starts the real server (src/node.ts, as `npm start` does) in its own process on it;
 *   3. through the API: a platform, an official, a registered work with an edition, BENCH_SELLERS
 *      sellers who each own minted units, BENCH_LISTINGS fixed-price listings (one unit each) and
 *      BENCH_CLIENTS × 4 buyers with a large balance;
 *   4. buys every listing with autocannon (BENCH_CLIENTS connections, each request
 *      `POST /v1/listings/{id}/purchase`, which reserves and settles from the buyer's balance in one
 *      transaction), while one more connection reads `GET /v1/board/trades` BENCH_BOARD_RATE (20)
 *      times a second;
 *   5. runs `pgbench` TPC-B (scale BENCH_CLIENTS, so clients do not queue on one branch row) with
 *      the same number of clients in the same database, for BENCH_PGBENCH_SECONDS;
 *   6. checks that the database holds exactly one settled trade per 2xx purchase.
 *
 * The last line is one JSON object: trades/s, pgbench tps, their ratio, p50/p99 purchase latency,
 * p50/p99 of the board's trades page measured while trading (ms), and `cpu`: the CPU time of the
 * server and of PostgreSQL per purchase and per TPC-B transaction (from /proc; null elsewhere).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { createBenchDatabase } from './bench/bench-database.js';
import { apiClient, inParallel, startBenchServer } from './bench/bench-server.js';
import { benchConditions, loadAverage } from './bench/conditions.js';
import { runLoad } from './bench/load.js';
import { cpuMsPer, startCpuMeter } from './bench/process-cpu.js';

const smoke = process.argv.includes('--smoke');
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? (smoke ? 2 : 8));
const LISTINGS = Number(process.env.BENCH_LISTINGS ?? (smoke ? 40 : 6000));
const SELLERS = Number(process.env.BENCH_SELLERS ?? (smoke ? 2 : 20));
const PGBENCH_SECONDS = Number(process.env.BENCH_PGBENCH_SECONDS ?? (smoke ? 2 : 20));
const PGBENCH = process.env.PGBENCH ?? 'pgbench';
// The board's trades page is read at a fixed rate while trading: a probe's latencies, not a second
// load that would take whatever CPU the purchases leave. 0 reads as fast as one connection can.
const BOARD_RATE = Number(process.env.BENCH_BOARD_RATE ?? 20);
if (!Number.isFinite(BOARD_RATE) || BOARD_RATE < 0)
  throw new Error('BENCH_BOARD_RATE must be a number of reads a second, 0 or more');
const OPERATOR_KEY = `bench-operator-${process.pid}-0123456789`;
const PRICE = 1000;
const run = promisify(execFile);

const loadBefore = loadAverage();
const db = await createBenchDatabase('haipai_bench_trade');
const sql = postgres(db.url, { max: 1, onnotice: () => {} });
// Started inside the try: a server that fails to start still leaves no database behind.
let server: Awaited<ReturnType<typeof startBenchServer>> | undefined;
try {
  server = await startBenchServer({ DATABASE_URL: db.url, OPERATOR_API_KEY: OPERATOR_KEY, NOTICE_PERIOD: '0' });
  const call = apiClient(server.baseUrl);
  const log = (s: string) => console.log(s);
  log(`database ${db.name}, server ${server.baseUrl} (pid ${server.pid}); setting up ${LISTINGS} listings …`);

  const platform = await call('POST', '/v1/platforms', OPERATOR_KEY, { name: 'Bench platform', feeBps: 500 });
  const pkey: string = platform.apiKey.secret;
  const official = await call('POST', '/v1/officials', OPERATOR_KEY, { name: 'Bench official', office: 'Bench' });
  const account = async (name: string) =>
    (await call('POST', '/v1/accounts', pkey, { kind: 'person', displayName: name })).id as string;
  const creator = await account('Creator');
  const asset = await call('POST', '/v1/assets', pkey, {
    kind: 'garment',
    title: 'Bench garment',
    category: 'digital_creative',
    rightsHolderId: creator,
    creators: [{ accountId: creator, role: 'designer', shareBps: 10000 }],
    claimedCreatedOn: '2026-01-01',
    originalityStatement: 'Made for the benchmark.',
    licence: { commercialUse: 'personal', derivativesAllowed: false },
  });
  await call('POST', `/v1/assets/${asset.id}/submit`, pkey);
  await call('POST', `/v1/assets/${asset.id}/review`, official.apiKey.secret, { action: 'start' });
  await call('POST', `/v1/assets/${asset.id}/review`, official.apiKey.secret, { action: 'approve' });
  const edition = await call('POST', `/v1/assets/${asset.id}/editions`, pkey, { size: LISTINGS, preset: 'open_market' });

  const sellers = await inParallel(Array.from({ length: SELLERS }), 4, (_, i) => account(`Seller ${i}`));
  const buyers = await inParallel(Array.from({ length: CLIENTS * 4 }), 4, (_, i) => account(`Buyer ${i}`));
  await inParallel(buyers, 4, (holderId) =>
    call('POST', '/v1/balances/top-ups', OPERATOR_KEY, { holderId, currency: 'CNY', amount: PRICE * LISTINGS }),
  );
  // Mint in chunks of at most 1000, spread over the sellers (sequential: minting locks the edition).
  const units: { id: string; owner: string }[] = [];
  for (let left = LISTINGS, i = 0; left > 0; i++) {
    const count = Math.min(1000, Math.ceil(LISTINGS / SELLERS), left);
    const owner = sellers[i % SELLERS]!;
    const minted = await call('POST', `/v1/editions/${edition.id}/mint`, pkey, { count, toAccountId: owner });
    for (const u of minted.units) units.push({ id: u.id, owner });
    left -= count;
  }
  const listings = await inParallel(units, 4, async (u) => {
    const l = await call('POST', '/v1/listings', pkey, {
      kind: 'fixed',
      sellerId: u.owner,
      unitId: u.id,
      currency: 'CNY',
      price: PRICE,
    });
    return l.id as string;
  });
  // Shuffled, so concurrent purchases do not all credit the same seller at once.
  for (let i = listings.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [listings[i], listings[j]] = [listings[j]!, listings[i]!];
  }

  log(`buying ${LISTINGS} listings with ${CLIENTS} connections …`);
  let next = 0;
  const failures: string[] = [];
  let conflicts = 0;
  const tradingCpu = startCpuMeter(server.pid);
  const board = runLoad({
    url: `${server.baseUrl}/v1/board/trades?limit=20`,
    connections: 1,
    duration: 3600,
    ...(BOARD_RATE > 0 ? { overallRate: BOARD_RATE } : {}),
  });
  const purchases = runLoad({
    url: server.baseUrl,
    connections: CLIENTS,
    amount: LISTINGS,
    requests: [
      {
        method: 'POST',
        headers: { authorization: `Bearer ${pkey}`, 'content-type': 'application/json' },
        setupRequest: (req) => {
          const i = next++;
          const listing = listings[i % listings.length]!;
          return {
            ...req,
            path: `/v1/listings/${listing}/purchase`,
            body: JSON.stringify({ buyerId: buyers[i % buyers.length] }),
          };
        },
        onResponse: (status, body) => {
          // 503 transaction_conflict asks the client to retry (PostgreSQL chose this transaction as
          // a deadlock victim): counted, not fatal. Anything else aborts the run.
          if (status === 503 && body.includes('"transaction_conflict"')) conflicts++;
          else if (status >= 300 && failures.length < 5) failures.push(`${status} ${body}`);
        },
      },
    ],
  });
  const trade = await purchases.done;
  const tradingUsage = tradingCpu.stop();
  board.stop();
  const reads = await board.done;
  const counted = await sql<{ settled: string }[]>`select count(*)::text as settled from trades where status = 'settled'`;
  const settled = counted[0]!.settled;
  if (Number(settled) !== trade.ok) throw new Error(`${trade.ok} purchases answered 2xx but ${settled} trades settled`);
  if (trade.non2xx > conflicts || trade.errors)
    throw new Error(`${trade.non2xx} purchases failed with a status, ${trade.errors} with an error:\n${failures.join('\n')}`);
  log(
    `purchases: ${trade.ok} in ${trade.seconds.toFixed(1)} s (${trade.rps.toFixed(1)}/s), p50 ${trade.p50} ms, p99 ${trade.p99} ms`,
  );
  log(`board trades while trading: ${reads.ok} reads, p50 ${reads.p50} ms, p99 ${reads.p99} ms`);

  log(`pgbench TPC-B: scale ${CLIENTS}, ${CLIENTS} clients, ${PGBENCH_SECONDS} s …`);
  const conn = new URL(db.url);
  const pgArgs = ['-h', conn.hostname, '-p', conn.port || '5432', '-U', decodeURIComponent(conn.username || 'postgres')];
  await run(PGBENCH, [...pgArgs, '-i', '-q', '-s', String(CLIENTS), db.name]);
  const pgbenchCpu = startCpuMeter();
  const { stdout } = await run(PGBENCH, [
    ...pgArgs,
    '-n',
    '-c',
    String(CLIENTS),
    '-j',
    String(Math.min(CLIENTS, 2)),
    '-T',
    String(PGBENCH_SECONDS),
    db.name,
  ]);
  const pgbenchUsage = pgbenchCpu.stop();
  const tps = Number(/tps = ([\d.]+)/.exec(stdout)?.[1]);
  const transactions = Number(/transactions actually processed: (\d+)/.exec(stdout)?.[1]);
  if (!Number.isFinite(tps) || !Number.isFinite(transactions))
    throw new Error(`no tps or transaction count in pgbench's output:\n${stdout}`);
  log(`pgbench: ${tps.toFixed(1)} tps`);
  // What one purchase and one TPC-B transaction cost in CPU (ms), the server's and PostgreSQL's,
  // and how many of the cores were busy: null where /proc cannot tell (not Linux, a remote database).
  const cpu = {
    perTradeMs: {
      server: cpuMsPer(tradingUsage?.serverSeconds, trade.ok),
      database: cpuMsPer(tradingUsage?.databaseSeconds, trade.ok),
    },
    perPgbenchTransactionMs: { database: cpuMsPer(pgbenchUsage?.databaseSeconds, transactions) },
    busyCores: {
      trading: tradingUsage ? round(tradingUsage.busyCores, 2) : null,
      pgbench: pgbenchUsage ? round(pgbenchUsage.busyCores, 2) : null,
    },
  };
  log(
    `CPU per purchase: server ${cpu.perTradeMs.server} ms, PostgreSQL ${cpu.perTradeMs.database} ms; per TPC-B transaction: PostgreSQL ${cpu.perPgbenchTransactionMs.database} ms`,
  );

  console.log(
    JSON.stringify({
      bench: 'trade',
      smoke,
      clients: CLIENTS,
      trades: trade.ok,
      retryableConflicts: conflicts,
      tradesPerSecond: round(trade.rps),
      pgbenchTps: round(tps),
      ratio: round(trade.rps / tps, 3),
      purchaseP50Ms: trade.p50,
      purchaseP99Ms: trade.p99,
      boardTradesP50Ms: reads.p50,
      boardTradesP99Ms: reads.p99,
      boardTradesReads: reads.ok,
      // Reads a second asked of the probe; 0: as fast as one connection could.
      boardTradesRate: BOARD_RATE,
      cpu,
      conditions: {
        ...(await benchConditions(sql, {
          listings: LISTINGS,
          sellers: SELLERS,
          buyers: CLIENTS * 4,
          pgbenchSeconds: PGBENCH_SECONDS,
        })),
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

function round(n: number, digits = 1) {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
