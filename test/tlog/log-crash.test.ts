/**
 * A crash between commit and integration loses nothing: the real server (src/node.ts) on real
 * PostgreSQL takes writes with integration held back, is killed with SIGKILL, and on a normal
 * restart integrates every event it had committed — signed with the same key, which the
 * embedded default generated under DATA_DIR on the first start.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCheckpoint } from '../../src/features/tlog/checkpoint.js';
import { appRoleUrl, createAppSchema } from '../support/app-role.js';
import { OPERATOR_KEY, type TestApp } from '../support/harness.js';
import { httpCall, type ServerProcess, spawnServer } from '../support/server-process.js';
import { world } from '../support/world.js';

const url = process.env.DATABASE_URL;

describe.runIf(url)('log after a crash (real server, PostgreSQL)', () => {
  const schema = `t_crash_${Date.now().toString(36)}`;
  let dir: string;
  let sql: postgres.Sql;
  let made: Awaited<ReturnType<typeof createAppSchema>> | undefined;
  let child: ServerProcess | undefined;

  /** Starts `node src/node.ts` and resolves with its base URL once it listens. */
  async function startServer(extraEnv: Record<string, string>): Promise<string> {
    const env = {
      ...process.env,
      DATABASE_URL: appRoleUrl(url!, schema),
      DATA_DIR: dir,
      PORT: '0',
      OPERATOR_API_KEY: OPERATOR_KEY,
      NOTICE_PERIOD: '0',
      ...extraEnv,
    };
    child = await spawnServer(env);
    return child.baseUrl;
  }

  async function kill(signal: NodeJS.Signals) {
    const proc = child!;
    child = undefined;
    await proc.stop(signal);
  }

  /** world() over real HTTP: the same builders, driving the spawned server. */
  function httpWorld(base: string) {
    const call = httpCall(base);
    return world({ call } as TestApp);
  }

  const count = async (table: string) => Number((await sql.unsafe(`select count(*)::int as n from ${table}`))[0]!.n);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'haipai-crash-'));
    // Made and migrated as the owner; the server and this test's reads run as the application role.
    made = await createAppSchema(url!, schema);
    sql = postgres(appRoleUrl(url!, schema), { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    if (child) await kill('SIGKILL');
    await sql.end();
    await made?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('integrates on restart every event committed before a SIGKILL', async () => {
    // First run: no integration after writes, and the interval far away.
    let base = await startServer({ SCHEDULE_INTERVAL: '3600', TLOG_INTEGRATE_AFTER_WRITE: 'false' });
    const keyFile = await stat(join(dir, 'tlog-signing.key'));
    expect(keyFile.mode & 0o777).toBe(0o600);
    const vkey = (await (await fetch(`${base}/log/vkey`)).text()).trim();
    // Let the start-up integration (of an empty queue) sign the empty tree before writing.
    for (let i = 0; i < 50 && (await count('log_checkpoints')) === 0; i++) await new Promise((r) => setTimeout(r, 100));

    let w = httpWorld(base);
    const p = await w.platform();
    const off = await w.official();
    const acc = await w.account(p);
    const asset = await w.registeredAsset(p, off, acc);
    await w.mint(p, (await w.edition(p, asset.id, 5)).id, 3);
    const committed = await count('events');
    expect(committed).toBeGreaterThan(5);
    expect(await count('log_queue')).toBe(committed);
    expect(await count('log_leaves')).toBe(0);

    await kill('SIGKILL');

    // Normal restart: the queue is integrated at start-up, and later writes right after they commit.
    base = await startServer({});
    for (let i = 0; i < 100 && (await count('log_queue')) > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await count('log_queue')).toBe(0);
    expect(await count('log_leaves')).toBe(committed);
    expect((await (await fetch(`${base}/log/vkey`)).text()).trim()).toBe(vkey); // the key kept under DATA_DIR
    const checkpoint = await openCheckpoint(await (await fetch(`${base}/log/checkpoint`)).text(), vkey);
    expect(checkpoint.size).toBe(committed);

    w = httpWorld(base);
    const started = Date.now();
    await w.mint(p, (await w.edition(p, asset.id, 2)).id, 1);
    for (let i = 0; i < 100 && (await count('log_queue')) > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await count('log_queue')).toBe(0);
    console.log(`after restart, a write was in a signed checkpoint ${Date.now() - started} ms after its request started`);
    await kill('SIGTERM');
  });
});
