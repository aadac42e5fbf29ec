/**
 * Issue 10, "what it must show": a bad-input run over every operation in /openapi.json. Requests
 * are generated from the operation's own schemas with fast-check and then broken — malformed JSON,
 * wrong types, missing members, unknown enum values, huge numbers, NUL and lone surrogates in
 * strings, bad ids in the path and bad cursors in the query — sent with each kind of key, with and
 * without an Idempotency-Key. No answer may be a 5xx, and every 4xx is problem+json with a `code`.
 * The run is bounded (RUNS_PER_OPERATION per operation, fixed seed) so it stays quick on PGlite.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBase64Url } from '../src/crypto/bytes.js';
import { OPERATOR_KEY, startTestApp, type TestApp } from './support/harness.js';
import { marketWorld } from './support/market.js';
import { badValue, memberPaths, stringPaths, taintString, validArbitrary, withMember } from './support/openapi-arbitraries.js';
import { type Json, type Operation, operations } from './support/openapi-walk.js';

const RUNS_PER_OPERATION = 12;
const SEED = 20261205;

let t: TestApp;
let doc: Json;
let keys: string[];
let realIds: string[];

beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '0' });
  doc = (await t.call('GET', '/openapi.json')).body;
  // A small market, so that requests with real ids get past validation into the services.
  const m = marketWorld(t);
  const { p, off, creator, asset, edition } = await m.work({ royaltyBps: 1000 });
  const buyer = await m.account(p);
  await m.topUp(buyer, 1_000_000);
  const units = (await m.mint(p, edition.id, 3, creator)).units as { id: string }[];
  const listing = await m.list(p, { kind: 'fixed', sellerId: creator, unitId: units[0]!.id, price: 1000 });
  const accKey = m.ok(await t.call('POST', '/v1/api-keys', { key: p.key, body: { subjectId: buyer } }), 201);
  keys = [OPERATOR_KEY, p.key, off.key, accKey.secret, 'hpk_unknown'];
  realIds = [p.id, off.id, creator, buyer, asset.id, edition.id, listing.id, accKey.id, ...units.map((u) => u.id)];
});
afterAll(async () => t?.close());

const cursorOf = (k: unknown) => toBase64Url(new TextEncoder().encode(JSON.stringify({ k })));

/** Broken values for a path parameter or a query value, already in URL form. */
const badUrlValue = fc.constantFrom(
  'nope',
  '%00',
  '%ED%A0%80',
  '%FF',
  'x'.repeat(300),
  '..%2F..%2Fetc',
  'acc_01jabcdefghjkmnpqrstvwxyz1',
  '-1',
  '1.5',
  '99999999999999999999999',
  'garbage-cursor',
  cursorOf('\u0000'),
  cursorOf(12),
  cursorOf('x'.repeat(500)),
  cursorOf('99999999999999999999999'),
);

const malformedBody = fc.constantFrom('{"a":', '', 'null', '[]', '"\\u0000"', '{"a":1e999}', '{"a":"\\ud800"}', '\u0000');

interface Sent {
  method: string;
  path: string;
  key?: string;
  rawBody?: string;
  headers: Record<string, string>;
}

function requestArbitrary(op: Operation): fc.Arbitrary<Sent> {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const paramValue = (schema: Json) => {
    const fitting = realIds.filter((id) => typeof schema?.pattern === 'string' && new RegExp(schema.pattern).test(id));
    return fc.oneof(
      { arbitrary: validArbitrary(doc, schema).map((v) => encodeURIComponent(String(v))), weight: 1 },
      {
        arbitrary: fitting.length
          ? fc.constantFrom(...fitting)
          : validArbitrary(doc, schema).map((v) => encodeURIComponent(String(v))),
        weight: 3,
      },
      { arbitrary: badUrlValue, weight: 2 },
    );
  };
  const path = fc
    .tuple(...pathParams.map((p) => paramValue(p.schema)))
    .map((values) => pathParams.reduce((acc, p, i) => acc.replace(`{${p.name}}`, values[i]!), op.path));
  const query = fc.tuple(...queryParams.map((p) => fc.option(paramValue(p.schema), { nil: undefined }))).map((values) =>
    queryParams
      .map((p, i) => (values[i] === undefined ? null : `${p.name}=${values[i]}`))
      .filter(Boolean)
      .join('&'),
  );
  const body: fc.Arbitrary<string | undefined> = op.body
    ? fc.oneof(
        { arbitrary: validArbitrary(doc, op.body, realIds).map((v) => JSON.stringify(v)), weight: 2 },
        {
          arbitrary: validArbitrary(doc, op.body, realIds).chain((v) =>
            fc
              .tuple(fc.constantFrom(...memberPaths(v)), fc.option(badValue, { nil: undefined, freq: 4 }))
              .map(([at, bad]) => JSON.stringify(withMember(v, at, bad)) ?? 'null'),
          ),
          weight: 3,
        },
        {
          arbitrary: fc
            .tuple(validArbitrary(doc, op.body, realIds), fc.constantFrom('\u0000', '\ud800', 'a\u0000', '\udc00b'))
            .chain(([v, suffix]) =>
              fc.constantFrom(...stringPaths(v), []).map((at) => JSON.stringify(taintString(v, at, suffix))),
            ),
          weight: 2,
        },
        { arbitrary: malformedBody, weight: 1 },
      )
    : op.method === 'GET'
      ? fc.constant(undefined)
      : fc.option(malformedBody, { nil: undefined, freq: 4 });
  return fc
    .record({
      path,
      query,
      body,
      key: fc.oneof(
        { arbitrary: fc.constantFrom(...keys.slice(0, 2)), weight: 8 }, // operator, platform: most routes are theirs
        { arbitrary: fc.constantFrom(...keys.slice(2)), weight: 3 },
        { arbitrary: fc.constant(undefined), weight: 1 },
      ),
      idempotencyKey: fc.option(fc.uuid(), { nil: undefined }),
    })
    .map((r) => ({
      method: op.method,
      path: r.query ? `${r.path}?${r.query}` : r.path,
      key: r.key,
      rawBody: r.body,
      headers: {
        ...(r.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(r.idempotencyKey !== undefined && op.method === 'POST' ? { 'idempotency-key': r.idempotencyKey } : {}),
      },
    }));
}

describe('bad input over every operation', () => {
  it('never answers 5xx; every 4xx is problem+json with a code', async () => {
    const ops = operations(doc);
    expect(ops.length).toBeGreaterThan(80);
    const failures: string[] = [];
    for (const [i, op] of ops.entries()) {
      await fc.assert(
        fc.asyncProperty(requestArbitrary(op), async (req) => {
          const res = await t.call(req.method, req.path, { key: req.key, rawBody: req.rawBody, headers: req.headers });
          const problem = res.status >= 400;
          const wellFormed =
            res.status < 500 &&
            (!problem ||
              (/application\/problem\+json/.test(res.headers.get('content-type') ?? '') && typeof res.body?.code === 'string'));
          if (!wellFormed) {
            failures.push(
              `${req.method} ${req.path} body=${req.rawBody?.slice(0, 200)} → ${res.status} ${res.text.slice(0, 200)}`,
            );
          }
          return true; // collected, so that one run reports every operation that fails
        }),
        { numRuns: RUNS_PER_OPERATION, seed: SEED + i },
      );
    }
    expect(failures).toEqual([]);
  });

  it('a NUL or a lone surrogate in any one string of a body that is otherwise fine answers 400, never 5xx', async () => {
    const failures: string[] = [];
    let tainted = 0;
    for (const [i, op] of operations(doc).entries()) {
      if (!op.body) continue;
      const [body] = fc.sample(validArbitrary(doc, op.body, realIds), { numRuns: 1, seed: SEED + i });
      const path = op.path.replace(/\{[^}]+\}/g, (m) => {
        const param = op.parameters.find((p) => `{${p.name}}` === m);
        return realIds.find((id) => param?.schema?.pattern && new RegExp(param.schema.pattern).test(id)) ?? 'nope';
      });
      // The key that gets past authorisation, so that the tainted text would reach the database.
      let key = keys[0];
      for (const k of keys.slice(0, 4)) {
        const res = await t.call(op.method, path, {
          key: k,
          rawBody: JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
        });
        if (res.status !== 401 && res.status !== 403) {
          key = k;
          break;
        }
      }
      for (const at of stringPaths(body)) {
        for (const suffix of ['\u0000', '\ud800']) {
          const rawBody = JSON.stringify(taintString(body, at, suffix));
          const res = await t.call(op.method, path, { key, rawBody, headers: { 'content-type': 'application/json' } });
          tainted++;
          if (res.status !== 400) {
            failures.push(
              `${op.method} ${path} ${at.join('.')} ${JSON.stringify(suffix)} → ${res.status} ${res.text.slice(0, 160)}`,
            );
          }
        }
      }
    }
    expect(tainted).toBeGreaterThan(100);
    expect(failures).toEqual([]);
  });
});
