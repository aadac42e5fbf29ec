import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { integrateLog } from '../src/features/tlog/integrate.js';
import { type NodeScheduler, startNodeScheduler } from '../src/node-scheduler.js';
import { startTestApp, type TestApp } from './support/harness.js';
import { marketWorld } from './support/market.js';

// Node's scheduler (src/node-scheduler.ts, what `npm start` runs) with a webhook receiver that
// hangs: it holds the first request open until the test lets it answer, far short of the attempt
// timeout. The loops are driven by hand (tick) with an interval that never fires, so nothing here
// depends on how long anything takes.

/** A receiver on 127.0.0.1 that keeps requests unanswered until `answer()`; after that it answers at once. */
async function startHangingReceiver() {
  const held: ServerResponse[] = [];
  const types: string[] = [];
  let answering = false;
  let arrived!: () => void;
  const firstArrived = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      types.push(JSON.parse(Buffer.concat(chunks).toString('utf8')).type);
      arrived();
      if (answering) res.writeHead(204).end();
      else held.push(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    firstArrived,
    /** Event types of the requests received, in order. */
    types,
    unanswered: () => held.length,
    answer() {
      answering = true;
      for (const res of held.splice(0)) res.writeHead(204).end();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let t: TestApp;
let m: ReturnType<typeof marketWorld>;
let rx: Awaited<ReturnType<typeof startHangingReceiver>>;
beforeAll(async () => {
  // The longest attempt timeout allowed: the receiver is still "within its time" throughout.
  t = await startTestApp({ NOTICE_PERIOD: '0', WEBHOOK_ALLOW_HTTP_LOCAL: 'true', WEBHOOK_ATTEMPT_TIMEOUT: '60' });
  m = marketWorld(t);
  rx = await startHangingReceiver();
});
afterAll(async () => {
  rx?.answer();
  await rx?.close();
  await t?.close();
});

const HOUR = 3_600_000;
const listingRow = (id: string) =>
  t.deps.db.selectFrom('listings').select('status').where('id', '=', id).executeTakeFirstOrThrow();
const tradeRow = (id: string) =>
  t.deps.db.selectFrom('trades').select(['status', 'release_reason']).where('id', '=', id).executeTakeFirstOrThrow();
const unitOwner = async (id: string) =>
  (await t.deps.db.selectFrom('units').select('owner_id').where('id', '=', id).executeTakeFirstOrThrow()).owner_id;

/** A reserved purchase (lapses after 15 min) and an English auction with one bid ending in an hour. */
async function marketDueSoon() {
  const { p, edition } = await m.work();
  const seller = await m.account(p);
  const [a, b, bidder] = await m.accounts(p, 3);
  const [fixedUnit, auctionUnit] = (await m.mint(p, edition.id, 2, seller)).units;
  const fixed = await m.list(p, { kind: 'fixed', sellerId: seller, unitId: fixedUnit.id, price: 1_000 });
  await m.topUp(a!, 1_000);
  const reservation = m.ok(await m.buy(p, fixed.id, a!, { settle: false }), 201);
  const endsAt = new Date(t.clock.now().getTime() + HOUR).toISOString();
  const auction = await m.list(p, {
    kind: 'english',
    sellerId: seller,
    unitId: auctionUnit.id,
    startPrice: 500,
    minIncrement: 100,
    antiSnipeSeconds: 0,
    endsAt,
  });
  await m.topUp(bidder!, 700);
  const bid = await t.call('POST', `/v1/listings/${auction.id}/bids`, { key: p.key, body: { bidderId: bidder, amount: 700 } });
  m.ok(bid, 201);
  return { p, seller, b: b!, bidder: bidder!, fixed, reservation, auction, auctionUnit };
}

describe("Node's scheduler", () => {
  it('releases a lapsed reservation and closes a due auction while a webhook delivery hangs', async () => {
    const due = await marketDueSoon();
    // The platform's endpoint starts at the end of the log: it is sent what happens from now on.
    await integrateLog(t.deps);
    const ep = m.ok(
      await t.call('POST', '/v1/webhook-endpoints', { key: due.p.key, body: { url: rx.url, eventTypes: ['*'] } }),
      201,
    );
    m.ok(await t.call('POST', '/v1/assets', { key: due.p.key, body: m.assetBody(due.seller) }), 201);
    await integrateLog(t.deps);

    const scheduler: NodeScheduler = startNodeScheduler(t.deps, HOUR);
    try {
      const delivering = scheduler.delivery.tick();
      await rx.firstArrived;
      expect(rx.unanswered()).toBe(1);

      t.clock.advance(HOUR / 1000 + 1);
      await scheduler.market.tick();
      // Done while the delivery is still waiting for its answer.
      expect(rx.unanswered()).toBe(1);
      expect(await tradeRow(due.reservation.id)).toEqual({ status: 'released', release_reason: 'reservation_expired' });
      expect(await listingRow(due.auction.id)).toEqual({ status: 'closed' });
      expect(await unitOwner(due.auctionUnit.id)).toBe(due.bidder);
      // The unit is free again: another buyer gets it.
      await m.topUp(due.b, 1_000);
      expect(m.ok(await m.buy(due.p, due.fixed.id, due.b), 201).status).toBe('settled');

      // The delivery loop never overlaps itself: a tick now joins the run under way.
      const again = scheduler.delivery.tick();
      expect(rx.types).toEqual(['asset.created']);
      rx.answer();
      await Promise.all([delivering, again]);
      // Answered, the same run went on to what the market loop wrote meanwhile, in log order.
      expect(rx.types).toEqual(expect.arrayContaining(['asset.created', 'trade.released']));
      const view = m.ok(await t.call('GET', `/v1/webhook-endpoints/${ep.id}`, { key: due.p.key }), 200);
      expect(view.delivery).toMatchObject({ pendingEventId: null, failedAttempts: 0 });
    } finally {
      await scheduler.stop();
    }
  });

  it('stop() lets the attempt under way finish and be recorded, and starts nothing after it', async () => {
    const p = await m.platform();
    const slow = await startHangingReceiver();
    try {
      await integrateLog(t.deps);
      const ep = m.ok(
        await t.call('POST', '/v1/webhook-endpoints', { key: p.key, body: { url: slow.url, eventTypes: ['*'] } }),
        201,
      );
      const holder = await m.account(p);
      for (let i = 0; i < 3; i++) m.ok(await t.call('POST', '/v1/assets', { key: p.key, body: m.assetBody(holder) }), 201);
      await integrateLog(t.deps);

      const scheduler = startNodeScheduler(t.deps, HOUR);
      const delivering = scheduler.delivery.tick();
      await slow.firstArrived;
      const stopped = scheduler.stop();
      slow.answer();
      await Promise.all([stopped, delivering]);

      expect(slow.types).toEqual(['asset.created']);
      const attempts = m.ok(await t.call('GET', `/v1/webhook-endpoints/${ep.id}/deliveries`, { key: p.key }), 200);
      expect(attempts.data).toMatchObject([{ attempt: 1, statusCode: 204, succeeded: true }]);
      // Stopped loops stay stopped.
      await scheduler.delivery.tick();
      expect(slow.types).toHaveLength(1);
    } finally {
      slow.answer();
      await slow.close();
    }
  });
});
