import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { migrationFiles } from '../src/db/migrate.js';
import { startTestApp, type TestApp } from './support/harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

/** The app as an entry would build it, with these deps changed. */
async function readyz(change: Partial<TestApp['deps']>) {
  const res = await createApp({ ...t.deps, ...change }).request('/readyz');
  return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
}

describe('health routes', () => {
  it('/healthz answers without touching anything', async () => {
    expect((await t.call('GET', '/healthz')).body).toEqual({ ok: true });
  });

  it('/readyz is ready when the database answers, every shipped migration is applied and the signer is loaded', async () => {
    const ready = await readyz({ schemaMigrations: await migrationFiles() });
    expect(ready).toMatchObject({
      status: 200,
      body: { ready: true, checks: { database: 'ok', migrations: 'ok', logSigner: 'ok' } },
    });
    // Without the list (the Worker), migrations are not checked.
    expect((await readyz({ schemaMigrations: undefined })).body.checks.migrations).toBe('not_checked');
  });

  it('/readyz is a 503 problem naming what fails: a missing migration, no signer', async () => {
    const behind = await readyz({
      schemaMigrations: [...(await migrationFiles()), '9999_from_the_future.sql'],
      tlogSigner: undefined,
    });
    expect(behind.status).toBe(503);
    expect(behind.type).toBe('application/problem+json');
    expect(behind.body).toMatchObject({
      code: 'not_ready',
      detail: 'Not ready: migrations, logSigner.',
      checks: { database: 'ok', migrations: 'failing', logSigner: 'failing' },
    });
  });
});
