import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/*
 * The trade and board benchmarks at their --smoke size: they run end to end against PostgreSQL
 * (they need it, and pgbench, so only under DATABASE_URL) and end with their JSON line. Their
 * numbers are not checked: benchmarks are not timed tests.
 */
const run = promisify(execFile);
const ROOT = new URL('..', import.meta.url).pathname;

async function lastJsonLine(script: string) {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', script, '--smoke'], {
    cwd: ROOT,
    env: process.env,
    maxBuffer: 16 * 1024 * 1024,
  });
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines.at(-1)!);
}

const positive = expect.any(Number);
/** What every benchmark's last line says about where it ran. */
const conditions = {
  database: expect.stringMatching(/^PostgreSQL \d+/),
  sharedBuffers: expect.any(String),
  cpus: positive,
  loadAverageBefore: [expect.any(Number), expect.any(Number), expect.any(Number)],
  loadAverageAfter: [expect.any(Number), expect.any(Number), expect.any(Number)],
};

/** CPU per operation is read from /proc, of the server and of PostgreSQL's processes: it needs both on this Linux machine. */
const cpuReadable =
  process.platform === 'linux' && ['127.0.0.1', 'localhost'].includes(new URL(process.env.DATABASE_URL ?? 'x:').hostname);
const cpuFigure = cpuReadable ? positive : null;

describe.skipIf(!process.env.DATABASE_URL)('benchmarks at smoke size', () => {
  it('bench:trade buys every listing through the server and compares with pgbench', { timeout: 300_000 }, async () => {
    const result = await lastJsonLine('scripts/bench-trade.ts');
    expect(result).toEqual({
      bench: 'trade',
      smoke: true,
      clients: 2,
      trades: expect.any(Number),
      retryableConflicts: expect.any(Number),
      tradesPerSecond: positive,
      pgbenchTps: positive,
      ratio: positive,
      purchaseP50Ms: positive,
      purchaseP99Ms: positive,
      boardTradesP50Ms: positive,
      boardTradesP99Ms: positive,
      boardTradesReads: positive,
      boardTradesRate: 20,
      cpu: {
        perTradeMs: { server: cpuFigure, database: cpuFigure },
        perPgbenchTransactionMs: { database: cpuFigure },
        busyCores: { trading: cpuFigure, pgbench: cpuFigure },
      },
      conditions: {
        ...conditions,
        listings: 40,
        sellers: 2,
        buyers: 8,
        pgbenchSeconds: 2,
      },
    });
    // Concurrent purchases no longer deadlock (test/market-purchase-contention.test.ts): every one settles.
    expect(result.trades).toBe(40);
    expect(result.retryableConflicts).toBe(0);
    expect(result.tradesPerSecond).toBeGreaterThan(0);
    expect(result.pgbenchTps).toBeGreaterThan(0);
    if (cpuReadable) {
      expect(result.cpu.perTradeMs.server).toBeGreaterThan(0);
      expect(result.cpu.perTradeMs.database).toBeGreaterThan(0);
      expect(result.cpu.perPgbenchTransactionMs.database).toBeGreaterThan(0);
    }
  });

  it('bench:board measures every board route against the bare route', { timeout: 300_000 }, async () => {
    const result = await lastJsonLine('scripts/bench-board.ts');
    expect(result).toMatchObject({ bench: 'board', smoke: true, listings: 1000, trades: 5000, deepToFirstPage: positive });
    expect(result.conditions).toEqual({ ...conditions, listings: 1000, trades: 5000, clients: 2, seconds: 1 });
    expect(Object.keys(result.routes).sort()).toEqual(
      [
        'listingsEndingSoon',
        'listingsFilterPriceDeep',
        'listingsFilterPriceFirst',
        'listingsNewest',
        'stats',
        'trades',
        'tradesByCategory',
      ].sort(),
    );
    // biome-ignore lint/suspicious/noExplicitAny: a parsed JSON line, checked field by field
    for (const route of Object.values(result.routes) as any[]) {
      expect(route).toEqual({
        rps: positive,
        p50Ms: positive,
        p99Ms: positive,
        bytes: positive,
        bareRps: positive,
        ratio: positive,
        cpuMsPerRequest: { server: cpuFigure, database: cpuFigure },
        bareCpuMsPerRequest: { server: cpuFigure, database: cpuFigure },
      });
      expect(route.rps).toBeGreaterThan(0);
      expect(route.bytes).toBeGreaterThan(100);
      if (cpuReadable) expect(route.cpuMsPerRequest.server).toBeGreaterThan(0);
    }
  });
});
