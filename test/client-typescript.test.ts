import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateSchemaTypes, SCHEMA_FILE } from '../clients/typescript/scripts/generate.js';
import { createHaipaiClient, idempotent, items, ProblemError, unwrap } from '../clients/typescript/src/index.js';
import { OPERATOR_KEY, startTestApp, type TestApp } from './support/harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

/** The client talking to the in-process app (its fetch hands each Request to Hono). */
function client(apiKey?: string) {
  return createHaipaiClient({ baseUrl: 'http://haipai.test', apiKey, fetch: async (req) => t.app.request(req) });
}

it('the committed client types are what openapi-typescript makes of the served /openapi.json', async () => {
  const committed = await readFile(SCHEMA_FILE, 'utf8');
  // If this fails, a route changed: run `npm run client:generate` and commit clients/typescript/src/schema.d.ts.
  expect(
    committed === (await generateSchemaTypes()),
    'clients/typescript/src/schema.d.ts is stale: npm run client:generate',
  ).toBe(true);
});

it('turns problems into ProblemError with the stable code and the extension members', async () => {
  const operator = client(OPERATOR_KEY);
  const res = await operator.POST('/v1/platforms', { body: { name: '', feeBps: 99_999 } });
  expect(res.response.status).toBe(400);
  let caught: unknown;
  try {
    unwrap(res);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ProblemError);
  expect(caught).toMatchObject({ status: 400, code: 'validation_failed' });
  expect((caught as ProblemError).problem.issues).toBeInstanceOf(Array);

  const anonymous = client();
  await expect(async () => unwrap(await anonymous.GET('/v1/accounts'))).rejects.toMatchObject({
    status: 401,
    code: 'unauthenticated',
  });
});

it('sends one idempotency key per logical request, so a retry replays the first answer', async () => {
  const operator = client(OPERATOR_KEY);
  const headers = idempotent();
  const first = await operator.POST('/v1/platforms', { body: { name: 'Bund Digital Fashion', feeBps: 250 }, headers });
  const again = await operator.POST('/v1/platforms', { body: { name: 'Bund Digital Fashion', feeBps: 250 }, headers });
  expect(again.response.headers.get('idempotent-replayed')).toBe('true');
  expect(unwrap(again).platform.id).toBe(unwrap(first).platform.id);
  const other = unwrap(
    await operator.POST('/v1/platforms', { body: { name: 'Bund Digital Fashion', feeBps: 250 }, headers: idempotent() }),
  );
  expect(other.platform.id).not.toBe(unwrap(first).platform.id);
});

it('walks every page of a list with items()', async () => {
  const operator = client(OPERATOR_KEY);
  const platform = unwrap(await operator.POST('/v1/platforms', { body: { name: 'Longtang Metaverse', feeBps: 400 } }));
  const p = client(platform.apiKey.secret);
  const created: string[] = [];
  for (let i = 0; i < 7; i++) {
    created.push(unwrap(await p.POST('/v1/accounts', { body: { kind: 'person', displayName: `Collector ${i}` } })).id);
  }
  const seen: string[] = [];
  for await (const account of items((after) => p.GET('/v1/accounts', { params: { query: { after, limit: 3 } } }))) {
    seen.push(account.id);
  }
  expect(seen.sort()).toEqual(created.sort());
});
