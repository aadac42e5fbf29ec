import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../..', import.meta.url).pathname;

export interface BenchServer {
  baseUrl: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * The real Node entry (`src/node.ts`, what `npm start` runs) in a process of its own, on
 * PostgreSQL, with a port the OS picks. Its request log is drained and dropped: a pipe nobody
 * reads would stall the server once full.
 */
export async function startBenchServer(env: Record<string, string>): Promise<BenchServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'haipai-bench-'));
  // BENCH_CPU_PROF=<dir> writes the server's V8 CPU profile there when it stops (open it in Chrome's DevTools).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const proc: ChildProcess = spawn(process.execPath, [...profile, '--import', 'tsx', 'src/node.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      DATA_DIR: dataDir,
      MEDIA_WORKER: 'off',
      // Benchmarks measure the server, not its rate limits.
      RATE_LIMITS: 'off',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGTERM');
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  const baseUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    let listening = false;
    const onData = (chunk: Buffer) => {
      if (listening) return;
      out += chunk.toString();
      const match = /haipai listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (match) {
        listening = true;
        out = '';
        resolve(match[1]!);
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (chunk: Buffer) => {
      if (!listening) onData(chunk);
      else process.stderr.write(chunk);
    });
    proc.on('exit', (code) => {
      if (!listening) reject(new Error(`server exited (${code}) before listening:\n${out}`));
    });
  });
  return { baseUrl, pid: proc.pid!, stop };
}

/** A small JSON client for setting up a benchmark through the API; any unexpected status throws. */
export function apiClient(baseUrl: string) {
  return async function call(
    method: string,
    path: string,
    key: string | null,
    body?: unknown,
    expect = [200, 201],
    // biome-ignore lint/suspicious/noExplicitAny: setup reads a few fields of each response
  ): Promise<any> {
    const headers: Record<string, string> = {};
    if (key) headers.authorization = `Bearer ${key}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!expect.includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
}

/** Runs `fn` over `items`, `width` at a time, in order of start. */
export async function inParallel<T, R>(items: readonly T[], width: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}
