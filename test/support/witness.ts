import { type ChildProcess, spawn } from 'node:child_process';
import { serve } from '@hono/node-server';
import postgres from 'postgres';
import type { DatabaseHandle } from '../../src/db/database.js';
import { openPglite } from '../../src/db/pglite.js';
import { openPostgres } from '../../src/db/postgres.js';
import { type Cosigner, generateCosignerKey, parseCosignerKey } from '../../src/features/tlog/cosignature.js';
import { MemoryLogger } from '../../src/ports/logger.js';
import { createWitnessApp } from '../../workers/witness/app.js';
import { logKeysByOrigin, migrateWitness } from '../../workers/witness/setup.js';

const ROOT = new URL('../..', import.meta.url).pathname;

/**
 * A witness database of the test's own: PGlite in memory, or a fresh schema at DATABASE_URL. The
 * witness is a service of its own (workers/witness), not the registry: its tables have no
 * application-role split, so it connects as DATABASE_URL's user, which created them.
 */
export async function openWitnessDatabase(): Promise<DatabaseHandle> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const handle = await openPglite();
    await migrateWitness(handle);
    return handle;
  }
  const schema = `w_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create schema ${schema}`);
  await admin.end();
  const handle = await openPostgres({ url, schema, max: 10 });
  await migrateWitness(handle);
  return {
    ...handle,
    close: async () => {
      await handle.close();
      const cleanup = postgres(url, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop schema ${schema} cascade`);
      await cleanup.end();
    },
  };
}

export interface TestWitness {
  app: ReturnType<typeof createWitnessApp>;
  cosigner: Cosigner;
  db: DatabaseHandle;
  clock: { now(): Date };
  /** POST /add-checkpoint in process. */
  add(body: string): Promise<{ status: number; text: string; contentType: string | null }>;
  /** Serves the witness over HTTP on an ephemeral port (for the log's client); returns its URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export async function startWitness(opts: { name: string; logKeys: string[]; now?: () => Date }): Promise<TestWitness> {
  const db = await openWitnessDatabase();
  const cosigner = await parseCosignerKey(await generateCosignerKey(opts.name));
  const clock = { now: opts.now ?? (() => new Date()) };
  const app = createWitnessApp({
    db: db.db,
    cosigner,
    logs: await logKeysByOrigin(opts.logKeys),
    clock,
    log: new MemoryLogger(),
  });
  let server: ReturnType<typeof serve> | undefined;
  return {
    app,
    cosigner,
    db,
    clock,
    async add(body) {
      const res = await app.request('/add-checkpoint', { method: 'POST', body });
      return { status: res.status, text: await res.text(), contentType: res.headers.get('content-type') };
    },
    listen: () =>
      new Promise((resolve) => {
        server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(`http://127.0.0.1:${info.port}`));
      }),
    async close() {
      if (server) await new Promise((resolve) => server!.close(resolve));
      await db.close();
    },
  };
}

export interface WitnessProcess {
  baseUrl: string;
  output(): string;
  stop(signal: NodeJS.Signals): Promise<number | null>;
}

/** `npm run witness`'s entry (workers/witness/main.ts) as a child process, for tests that kill it. */
export function spawnWitness(env: NodeJS.ProcessEnv): Promise<WitnessProcess> {
  const proc: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'workers/witness/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, WITNESS_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const stop = async (signal: NodeJS.Signals) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    proc.kill(signal);
    return exited;
  };
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = /witness listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (match) resolve({ baseUrl: match[1]!, output: () => out, stop });
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.on('exit', (code) => reject(new Error(`witness exited (${code}) before listening:\n${out}`)));
  });
}
