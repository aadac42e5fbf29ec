/**
 * The log's side of tlog-witness: after the integration loop signs a checkpoint it asks the
 * witnesses (outside any transaction), retries one that fails, gives up on one that is down until
 * the next round, and serves the checkpoint anyway with a header saying the quorum is not met.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvent } from '../../src/features/events/events.repo.js';
import { collectCosignatures } from '../../src/features/tlog/cosign.service.js';
import { integrationLoop } from '../../src/features/tlog/integration-loop.js';
import { generateSignerKey, verifierKeyFromSigner } from '../../src/features/tlog/note.js';
import type { MemoryLogger } from '../../src/ports/logger.js';
import { startTestApp, TEST_LOG_ORIGIN, type TestApp } from '../support/harness.js';
import { startWitness, type TestWitness } from '../support/witness.js';

let t: TestApp;
let steady: TestWitness;
let flaky: TestWitness;
let flakyProxy: ReturnType<typeof serve>;
let downUrl: string;
let failuresLeft = 1;

function listen(app: Hono): Promise<{ server: ReturnType<typeof serve>; url: string }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
      resolve({ server, url: `http://127.0.0.1:${info.port}` }),
    );
  });
}

beforeAll(async () => {
  const key = await generateSignerKey(TEST_LOG_ORIGIN);
  const vkey = await verifierKeyFromSigner(key);
  steady = await startWitness({ name: 'steady.example/witness', logKeys: [vkey] });
  flaky = await startWitness({ name: 'flaky.example/witness', logKeys: [vkey] });
  const down = await startWitness({ name: 'down.example/witness', logKeys: [vkey] });
  // The flaky witness answers 503 to its first request, then works: the log must retry.
  const proxy = new Hono().all('*', (c) => {
    if (failuresLeft-- > 0) return c.text('busy', 503);
    return flaky.app.fetch(c.req.raw);
  });
  const flakyServer = await listen(proxy);
  flakyProxy = flakyServer.server;
  // A witness whose port no longer listens: every request fails to connect.
  const gone = await listen(new Hono());
  downUrl = gone.url;
  await new Promise((resolve) => gone.server.close(resolve));
  t = await startTestApp({
    TLOG_SIGNING_KEY: key,
    TLOG_WITNESSES: JSON.stringify([
      { url: await steady.listen(), key: steady.cosigner.verifierKey },
      { url: flakyServer.url, key: flaky.cosigner.verifierKey },
      { url: downUrl, key: down.cosigner.verifierKey },
    ]),
    TLOG_WITNESS_QUORUM: '3',
    TLOG_WITNESS_ATTEMPTS: '2',
    TLOG_WITNESS_TIMEOUT: '2',
  });
  await down.close();
});
afterAll(async () => {
  await t?.close();
  await new Promise((resolve) => flakyProxy?.close(resolve));
  await steady?.close();
  await flaky?.close();
});

describe('the log asks its witnesses', () => {
  it('after a write the loop signs, then collects what it can; below quorum the checkpoint says so', async () => {
    await t.deps.db.transaction().execute((trx) => recordEvent(trx, { type: 'test.synthetic', at: new Date(), facts: { i: 1 } }));
    const loop = integrationLoop(t.deps);
    loop.kick();
    await loop.idle();

    const res = await t.call('GET', '/log/checkpoint');
    expect(res.status).toBe(200);
    expect(res.headers.get('haipai-witness-cosignatures')).toBe('2');
    expect(res.headers.get('haipai-witness-quorum')).toBe('3');
    expect(res.headers.get('haipai-witness-quorum-met')).toBe('false');
    const names = res.text
      .split('\n\n')[1]!
      .trimEnd()
      .split('\n')
      .map((l) => l.split(' ')[1]);
    expect(names.sort()).toEqual([TEST_LOG_ORIGIN, 'flaky.example/witness', 'steady.example/witness'].sort());

    const lines = (t.deps.log as MemoryLogger).lines.filter((l) => l.msg === 'witness unavailable');
    // The flaky one failed once and was retried; the one that is down was tried twice, then left.
    expect(lines.filter((l) => l.fields?.witness === 'flaky.example/witness')).toHaveLength(1);
    expect(lines.filter((l) => l.fields?.witness === 'down.example/witness')).toHaveLength(2);
  });

  it('a later round asks only the witnesses missing from the latest checkpoint', async () => {
    const before = failuresLeft;
    const result = await collectCosignatures(t.deps);
    expect(result).toMatchObject({ cosigned: 2, quorum: 3 });
    // Neither the steady nor the flaky witness was asked again (the proxy counts its requests).
    expect(failuresLeft).toBe(before);
  });
});
