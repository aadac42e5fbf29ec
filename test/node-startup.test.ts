/**
 * Issue 15 (one port; startup that explains itself) with the real Node entry: a taken port, two
 * instances side by side each taking uploads on its own origin, /readyz, a signing key that is not
 * the database's, and — on PostgreSQL — an unmigrated database.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSignerKey } from '../src/features/tlog/note.js';
import { nodeInstances } from './support/node-instance.js';
import { httpCall, runServerToExit, type ServerProcess, spawnServer } from './support/server-process.js';

const instances = nodeInstances();
const servers: ServerProcess[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop('SIGKILL');
  await instances.cleanup();
});

async function start(env: NodeJS.ProcessEnv) {
  const server = await spawnServer(env);
  servers.push(server);
  const operatorKey = (await readFile(join(env.DATA_DIR!, 'operator-api-key'), 'utf8')).trim();
  return { server, operatorKey, call: httpCall(server.baseUrl) };
}

/** A presigned upload from start to `completed`, as a client does it: create, PUT to the URL, complete. */
async function uploadThrough(call: ReturnType<typeof httpCall>, operatorKey: string) {
  const platform = (await call('POST', '/v1/platforms', { key: operatorKey, body: { name: 'Side by side' } })).body;
  const key = platform.apiKey.secret;
  const account = (await call('POST', '/v1/accounts', { key, body: { kind: 'person', displayName: 'Lin' } })).body;
  const bytes = randomBytes(2048);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const created = await call('POST', '/v1/uploads', {
    key,
    body: { accountId: account.id, mediaType: 'model/gltf-binary', size: bytes.length, sha256, filename: 'a.glb' },
  });
  expect(created.status).toBe(201);
  const upload = created.body;
  // A signature that does not match is refused by the store; the real one is accepted.
  const forged = new URL(upload.uploadUrl);
  forged.searchParams.set('X-Amz-Signature', '0'.repeat(64));
  const refused = await fetch(forged, { method: 'PUT', headers: upload.headers, body: bytes });
  expect(refused.status).toBe(403);
  await refused.arrayBuffer();
  const put = await fetch(upload.uploadUrl, { method: upload.method, headers: upload.headers, body: bytes });
  expect(put.status).toBe(200);
  await put.arrayBuffer();
  const completed = await call('POST', `/v1/uploads/${upload.id}/complete`, { key, body: {} });
  expect(completed.status).toBe(200);
  expect(completed.body.status).toBe('completed');
  return new URL(upload.uploadUrl);
}

describe('the Node entry at startup', { timeout: 240_000 }, () => {
  it('a port already taken ends it non-zero with one line naming PORT', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const { code, output } = await runServerToExit(await instances.env({ PORT: String(port) }));
      expect(code).toBe(1);
      expect(output.trim().split('\n')).toEqual([
        `port ${port} on 127.0.0.1 is already in use: set PORT to a free port (or 0 for any)`,
      ]);
    } finally {
      taken.close();
    }
  });

  it('two instances with their own PORT and DATA_DIR run side by side, each taking uploads on its own origin', async () => {
    const envA = await instances.env();
    const envB = await instances.env();
    const [a, b] = await Promise.all([start(envA), start(envB)]);
    expect(a.server.baseUrl).not.toBe(b.server.baseUrl);

    for (const { server, call, operatorKey } of [a, b]) {
      const ready = await call('GET', '/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({ ready: true, checks: { database: 'ok', migrations: 'ok', logSigner: 'ok' } });
      expect((await call('GET', '/healthz')).body).toEqual({ ok: true });
      // One port: the presigned URL is the API's own origin.
      expect((await uploadThrough(call, operatorKey)).origin).toBe(server.baseUrl);
      // The store is reachable there only for presigned PUTs: nothing of it can be read or listed.
      const listing = await fetch(`${server.baseUrl}/haipai/`);
      expect(listing.status).toBe(404);
      expect(await listing.json()).toMatchObject({ code: 'route_not_found' });
    }
    // Each one's operator key is its own.
    expect((await a.call('GET', '/v1/platforms', { key: b.operatorKey })).status).toBe(401);

    await a.server.stop('SIGTERM');
    expect(await a.server.exited).toEqual({ code: 0, signal: null });

    // A's database now belongs to A's log key: started with another key, it refuses in one line.
    await writeFile(join(envA.DATA_DIR!, 'tlog-signing.key'), `${await generateSignerKey('haipai.example/log')}\n`);
    const refused = await runServerToExit(envA);
    expect(refused.code).toBe(1);
    const lines = refused.output.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^this database's transparency log is haipai\.example\/log, signed by haipai\.example\/log\+/);
    expect(lines[0]).toContain('start with the TLOG_SIGNING_KEY this database was first started with');
  });

  describe.runIf(instances.onPostgres)('on PostgreSQL (DATABASE_URL)', () => {
    it('refuses an unmigrated database in one line, and migrates it with MIGRATE=1', async () => {
      const env = await instances.env();
      delete env.MIGRATE;
      const refused = await runServerToExit(env);
      expect(refused.code).toBe(1);
      const lines = refused.output.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^the database at DATABASE_URL lacks \d+ migration\(s\) \(0001_init\.sql…/);
      expect(lines[0]).toContain('run `npm run migrate` with the same DATABASE_URL, or start with MIGRATE=1');

      const { call, server } = await start({ ...env, MIGRATE: '1' });
      expect(server.output()).toMatch(/migrated the database: 0001_init\.sql, /);
      expect((await call('GET', '/readyz')).status).toBe(200);
    });
  });
});
