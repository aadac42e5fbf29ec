import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

it('documents every registry path, each error as problem+json', async () => {
  const doc = await t.call('GET', '/openapi.json');
  expect(doc.status).toBe(200);
  const paths = Object.keys(doc.body.paths);
  expect(paths).toEqual(
    expect.arrayContaining([
      '/v1/platforms',
      '/v1/accounts',
      '/v1/accounts/{id}',
      '/v1/officials',
      '/v1/uploads',
      '/v1/uploads/{id}/complete',
      '/v1/assets',
      '/v1/assets/{id}',
      '/v1/assets/{id}/submit',
      '/v1/assets/{id}/review',
      '/v1/assets/{id}/objections',
      '/v1/assets/{id}/certificate',
      '/v1/assets/{id}/history',
      '/v1/assets/{id}/editions',
      '/v1/editions/{id}',
      '/v1/editions/{id}/mint',
      '/v1/units/{id}',
      '/v1/units/{id}/history',
      '/v1/units/{id}/transfers',
    ]),
  );
  for (const [path, ops] of Object.entries<Record<string, { responses: Record<string, { content?: object }> }>>(doc.body.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) >= 400)
          expect(Object.keys(response.content ?? {}), `${method} ${path} ${status}`).toEqual(['application/problem+json']);
      }
    }
  }
});

it('answers unknown routes with a problem', async () => {
  const res = await t.call('GET', '/v1/nope');
  expect(res.status).toBe(404);
  expect(res.body.code).toBe('route_not_found');
});
