/**
 * The witness process (`npm run witness`'s entry) keeps its state in its own database: killed
 * with SIGKILL mid-life and started again on the same database, it still knows the latest
 * checkpoint it cosigned, so it refuses an older or inconsistent one. SIGTERM closes it cleanly
 * (exit 0). Each case runs with the witness on PGlite under WITNESS_DATA_DIR and, when
 * DATABASE_URL is set, on a PostgreSQL database of its own (WITNESS_DATABASE_URL).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatAddCheckpoint } from '../../src/features/tlog/add-checkpoint.js';
import { type MemoryLog, memoryLog } from '../support/memory-log.js';
import { spawnWitness, type WitnessProcess } from '../support/witness.js';
import { independentCosignatureCheck } from './cosignature-independent.js';

const ORIGIN = 'durable.example/log';
/** Each case starts the witness process (tsx, then its database) two or three times: more than the default 60 s on a loaded machine. */
const SPAWNS_TIMEOUT = 240_000;

async function post(base: string, body: string) {
  const res = await fetch(`${base}/add-checkpoint`, { method: 'POST', body });
  return { status: res.status, text: await res.text(), contentType: res.headers.get('content-type') };
}

/** Where a witness keeps its state: a fresh data directory, plus a fresh database on PostgreSQL. */
interface WitnessStorage {
  /** What the witness prints as its database flavour when it listens. */
  flavour: 'pglite' | 'postgres';
  /** Environment naming a fresh storage called `sub`, for the witness process. */
  env(sub: string): Promise<Record<string, string>>;
  close(): Promise<void>;
}

async function pgliteStorage(): Promise<WitnessStorage> {
  const dir = await mkdtemp(join(tmpdir(), 'haipai-witness-'));
  return {
    flavour: 'pglite',
    env: async (sub) => ({ WITNESS_DATA_DIR: join(dir, sub) }),
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

async function postgresStorage(url: string): Promise<WitnessStorage> {
  const dir = await mkdtemp(join(tmpdir(), 'haipai-witness-'));
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  const made: string[] = [];
  return {
    flavour: 'postgres',
    async env(sub) {
      const name = `witness_${sub}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
      await admin.unsafe(`create database ${name}`);
      made.push(name);
      const own = new URL(url);
      own.pathname = `/${name}`;
      // The key still lives under the data directory; the state lives in PostgreSQL only.
      return { WITNESS_DATA_DIR: join(dir, sub), WITNESS_DATABASE_URL: own.toString() };
    },
    async close() {
      for (const name of made) await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const backends: [string, () => Promise<WitnessStorage>][] = [['PGlite', pgliteStorage]];
if (process.env.DATABASE_URL) backends.push(['PostgreSQL', () => postgresStorage(process.env.DATABASE_URL!)]);

describe.each(backends)('witness durability on %s', (_backend, openStorage) => {
  let storage: WitnessStorage;
  let log: MemoryLog;
  let running: WitnessProcess | undefined;
  let killedEnv: Record<string, string>;

  beforeAll(async () => {
    storage = await openStorage();
    log = await memoryLog(ORIGIN);
    killedEnv = {
      ...(await storage.env('killed')),
      WITNESS_NAME: 'durable.example/witness',
      WITNESS_LOG_KEYS: log.signer.verifierKey,
    };
  });
  afterAll(async () => {
    await running?.stop('SIGKILL');
    await storage?.close();
  });

  it(
    'after SIGKILL and a restart it remembers what it cosigned and refuses old or forked checkpoints',
    async () => {
      running = await spawnWitness(killedEnv);
      const vkey = (await (await fetch(`${running.baseUrl}/vkey`)).text()).trim();
      await log.append('a', 'b');
      await log.append('c', 'd');
      const first = await post(
        running.baseUrl,
        formatAddCheckpoint({ oldSize: 0, proof: [], checkpoint: await log.checkpoint() }),
      );
      expect(first.status).toBe(200);
      expect(independentCosignatureCheck(vkey, await log.checkpoint(), first.text)).not.toBeNull();
      await running.stop('SIGKILL');

      running = await spawnWitness(killedEnv);
      expect(running.output()).toContain(`(${storage.flavour})`);
      // Same key (kept under the data directory), same state.
      expect((await (await fetch(`${running.baseUrl}/vkey`)).text()).trim()).toBe(vkey);
      const fromZero = await post(
        running.baseUrl,
        formatAddCheckpoint({ oldSize: 0, proof: [], checkpoint: await log.checkpoint(2) }),
      );
      expect(fromZero.status).toBe(409);
      expect(fromZero.contentType).toBe('text/x.tlog.size');
      expect(fromZero.text).toBe('4\n');

      // A fork at the same size, signed by the same key: refused.
      const fork = await memoryLog(ORIGIN, log.signerKey);
      await fork.append('a', 'b', 'c', 'D');
      const forked = await post(
        running.baseUrl,
        formatAddCheckpoint({ oldSize: 4, proof: [], checkpoint: await fork.checkpoint() }),
      );
      expect(forked.status).toBe(409);
      // A fork that grows past it: its proof does not start from the root the witness keeps.
      await fork.append('e');
      const grown = await post(
        running.baseUrl,
        formatAddCheckpoint({ oldSize: 4, proof: await fork.consistency(4, 5), checkpoint: await fork.checkpoint() }),
      );
      expect(grown.status).toBe(422);

      // The real log goes on from where the witness was.
      await log.append('e');
      const next = await post(
        running.baseUrl,
        formatAddCheckpoint({ oldSize: 4, proof: await log.consistency(4, 5), checkpoint: await log.checkpoint() }),
      );
      expect(next.status).toBe(200);
    },
    SPAWNS_TIMEOUT,
  );

  it(
    'closes its server and database on SIGTERM and exits 0, keeping its state',
    async () => {
      const own = await memoryLog('graceful.example/log');
      await own.append('x', 'y', 'z');
      const ownEnv = { ...(await storage.env('graceful')), WITNESS_LOG_KEYS: own.signer.verifierKey };
      const first = await spawnWitness(ownEnv);
      const cosigned = await post(
        first.baseUrl,
        formatAddCheckpoint({ oldSize: 0, proof: [], checkpoint: await own.checkpoint() }),
      );
      expect(cosigned.status).toBe(200);
      expect(await first.stop('SIGTERM')).toBe(0);
      const second = await spawnWitness(ownEnv);
      try {
        const again = await post(
          second.baseUrl,
          formatAddCheckpoint({ oldSize: 0, proof: [], checkpoint: await own.checkpoint() }),
        );
        expect(again.text).toBe('3\n');
      } finally {
        await second.stop('SIGTERM');
      }
    },
    SPAWNS_TIMEOUT,
  );
});
