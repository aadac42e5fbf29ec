import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SeedError, seedTarget } from '../scripts/seed/target.js';

// Where `npm run seed` finds the instance and the operator key: the walkthrough's variables.
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'haipai-seed-target-'));
  await writeFile(join(dir, 'operator-api-key'), 'key-from-the-data-dir-0123456789\n');
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

it('reads the key the server generated into DATA_DIR when OPERATOR_API_KEY is not set', async () => {
  expect(await seedTarget({ DATA_DIR: dir, HAIPAI: 'http://127.0.0.1:9000/' })).toEqual({
    baseUrl: 'http://127.0.0.1:9000',
    operatorKey: 'key-from-the-data-dir-0123456789',
    keySource: join(dir, 'operator-api-key'),
  });
});

it('prefers OPERATOR_API_KEY, and HAIPAI over BASE_URL, with the README default address', async () => {
  const env = { DATA_DIR: dir, OPERATOR_API_KEY: 'key-from-the-environment-0123', BASE_URL: 'http://b.example' };
  expect(await seedTarget(env)).toMatchObject({ baseUrl: 'http://b.example', operatorKey: 'key-from-the-environment-0123' });
  expect(await seedTarget({ ...env, HAIPAI: 'http://h.example' })).toMatchObject({ baseUrl: 'http://h.example' });
  expect((await seedTarget({ OPERATOR_API_KEY: 'x'.repeat(16) })).baseUrl).toBe('http://127.0.0.1:8787');
});

it('names the file it looked for, and the variables that fix it, when there is no key', async () => {
  const missing = join(dir, 'nowhere');
  const err = await seedTarget({ DATA_DIR: missing }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SeedError);
  expect((err as Error).message).toContain(join(missing, 'operator-api-key'));
  expect((err as Error).message).toContain('OPERATOR_API_KEY');
});
