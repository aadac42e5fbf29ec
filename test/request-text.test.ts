/**
 * Issue 10 item 3: every string of every request — body, query, path and headers of each operation
 * in /openapi.json — goes through the shared text schema (src/http/text.ts), seen by its
 * `x-haipai-text` mark; and that schema refuses what PostgreSQL cannot store, naming the field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEXT_EXTENSION } from '../src/http/text.js';
import { OPERATOR_KEY, startTestApp, type TestApp } from './support/harness.js';
import { isStringNode, type Json, operations, schemaNodes } from './support/openapi-walk.js';
import { world } from './support/world.js';

let t: TestApp;
let doc: Json;
beforeAll(async () => {
  t = await startTestApp();
  doc = (await t.call('GET', '/openapi.json')).body;
});
afterAll(async () => t?.close());

describe('text the database can store', () => {
  it('no string in any operation’s request lacks the shared text schema', () => {
    const missing: string[] = [];
    let strings = 0;
    for (const op of operations(doc)) {
      const places = [
        ...op.parameters.map((p) => ({ at: `${p.in}.${p.name}`, schema: p.schema })),
        ...(op.body ? [{ at: 'body', schema: op.body }] : []),
      ];
      for (const place of places) {
        for (const { at, node } of schemaNodes(doc, place.schema, place.at)) {
          if (!isStringNode(node) || node.enum || node.const !== undefined) continue;
          strings++;
          if (!node[TEXT_EXTENSION] || typeof node.maxLength !== 'number') missing.push(`${op.method} ${op.path} ${at}`);
        }
      }
    }
    expect(missing).toEqual([]);
    expect(strings).toBeGreaterThan(100); // the walk really reaches the request strings
  });

  it('refuses NUL, control characters and lone surrogates with a 400 naming the field; keeps multi-line text', async () => {
    const w = world(t);
    const p = await w.platform();
    for (const [name, field] of [
      ['NUL', 'Atelier\u0000Wu'],
      ['escape', 'Atelier\u001bWu'],
      ['newline in a name', 'Atelier\nWu'],
      ['lone surrogate', 'Atelier\ud800Wu'],
      ['too long', 'x'.repeat(201)],
    ]) {
      const res = await t.call('POST', '/v1/accounts', { key: p.key, body: { displayName: field, kind: 'person' } });
      expect(res.status, name).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.issues.map((i: { path: string }) => i.path)).toContain('displayName');
    }
    const ok = await t.call('POST', '/v1/accounts', { key: p.key, body: { displayName: 'Atelier 吴 👗', kind: 'person' } });
    expect(ok.status).toBe(201);

    const nul = await t.call('POST', '/v1/balances/top-ups', {
      key: OPERATOR_KEY,
      body: { holderId: ok.body.id, currency: 'CNY', amount: 5, memo: 'a\u0000b' },
    });
    expect(nul.status).toBe(400);
    expect(nul.body.issues.map((i: { path: string }) => i.path)).toEqual(['memo']);
    const memo = 'line one\nline two\twith a tab';
    const multi = await t.call('POST', '/v1/balances/top-ups', {
      key: OPERATOR_KEY,
      body: { holderId: ok.body.id, currency: 'CNY', amount: 5, memo },
    });
    expect(multi.status).toBe(201);
    expect(multi.body.memo).toBe(memo);
  });
});
