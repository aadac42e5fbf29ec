/**
 * Issue 10 item 1, in-process (PGlite here, PostgreSQL in test:pg): an idempotent request runs in
 * one transaction with its key. A refused primary purchase (the buyer cannot pay: the purchase had
 * already minted and reserved inside it) leaves nothing behind and its answer is the one replayed;
 * a successful one happens once however often it is retried, also in parallel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/harness.js';
import { marketWorld } from './support/market.js';

let t: TestApp;
let m: ReturnType<typeof marketWorld>;
beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '0' });
  m = marketWorld(t);
});
afterAll(async () => t?.close());

describe('one transaction per Idempotency-Key', () => {
  it('a refused purchase writes nothing, and its retries get the same refusal; a new key buys once', async () => {
    const { p, creator, edition } = await m.work();
    const listing = await m.list(p, { kind: 'fixed', sellerId: creator, editionId: edition.id, price: 5_000 });
    const [buyer] = await m.accounts(p, 1);
    await m.topUp(buyer!, 4_999);
    const before = await m.counts();
    const purchase = (key: string) =>
      t.call('POST', `/v1/listings/${listing.id}/purchase`, {
        key: p.key,
        body: { buyerId: buyer },
        headers: { 'idempotency-key': key },
      });

    const refused = await purchase('buy-1');
    m.problem(refused, 409, 'insufficient_funds');
    expect(await m.counts()).toEqual(before);
    expect(m.ok(await t.call('GET', `/v1/editions/${edition.id}`), 200).minted).toBe(0);

    // The answer is what the key stands for, even once the buyer could pay.
    await m.topUp(buyer!, 1);
    const replay = await purchase('buy-1');
    expect(replay.status).toBe(409);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.code).toBe('insufficient_funds');

    const bought = await Promise.all(Array.from({ length: 5 }, () => purchase('buy-2')));
    expect(bought.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(bought.map((r) => r.body.id)).size).toBe(1);
    expect(bought.filter((r) => r.headers.get('idempotent-replayed') === null)).toHaveLength(1);
    expect(m.ok(await t.call('GET', `/v1/editions/${edition.id}`), 200).minted).toBe(1);
    expect(await m.balance(buyer!)).toBe(0);
  });
});
