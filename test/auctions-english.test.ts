import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDueAuctions } from '../src/features/auctions/closing.service.js';
import { releaseExpiredReservations } from '../src/features/market/trade-release.service.js';
import { newId } from '../src/ids.js';
import { runScheduledWork } from '../src/scheduled.js';
import { OPERATOR_KEY, startTestApp, type TestApp } from './support/harness.js';
import { world } from './support/world.js';

// With DATABASE_URL set these fire real parallel transactions at PostgreSQL; on PGlite the
// same rules hold with the queries serialised on one connection.
let t: TestApp;
let w: ReturnType<typeof world>;
beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '0' });
  w = world(t);
});
afterAll(async () => t?.close());

type Platform = { id: string; key: string };

/** A seller holding one minted unit of a registered work, on a platform. */
async function sellerWithUnit(preset = 'open_market', policy?: Record<string, unknown>) {
  const p = await w.platform();
  const off = await w.official();
  const seller = await w.account(p);
  const asset = await w.registeredAsset(p, off, seller);
  const edition = await w.edition(p, asset.id, 5, preset, policy);
  const [unit] = (await w.mint(p, edition.id, 1)).units;
  return { p, seller, edition, unitId: unit.id as string };
}

interface EnglishOptions {
  startPrice?: number;
  minIncrement?: number;
  reservePrice?: number;
  antiSnipeSeconds?: number;
  /** Seconds from now. */
  endsIn?: number;
  startsIn?: number;
}

/** An English auction of the seller's unit, listed through the API. */
async function englishAuction(s: Awaited<ReturnType<typeof sellerWithUnit>>, o: EnglishOptions = {}) {
  const at = (sec: number) => new Date(t.clock.now().getTime() + sec * 1000).toISOString();
  const body = {
    kind: 'english',
    sellerId: s.seller,
    unitId: s.unitId,
    currency: 'CNY',
    startPrice: o.startPrice ?? 1000,
    minIncrement: o.minIncrement ?? 100,
    reservePrice: o.reservePrice,
    antiSnipeSeconds: o.antiSnipeSeconds ?? 0,
    startsAt: o.startsIn ? at(o.startsIn) : undefined,
    endsAt: at(o.endsIn ?? 3600),
  };
  return w.ok(await t.call('POST', '/v1/listings', { key: s.p.key, body }), 201).id as string;
}

const bid = (p: Platform, listingId: string, bidderId: string, amount: unknown) =>
  t.call('POST', `/v1/listings/${listingId}/bids`, { key: p.key, body: { bidderId, amount } });

async function allBids(listingId: string) {
  const out: { id: string; bidderId: string; amount: number; createdAt: string }[] = [];
  let after: string | null = null;
  do {
    const page: { data: typeof out; nextCursor: string | null } = w.ok(
      await t.call('GET', `/v1/listings/${listingId}/bids?limit=30${after ? `&after=${after}` : ''}`),
      200,
    );
    out.push(...page.data);
    after = page.nextCursor;
  } while (after);
  return out;
}

async function balance(p: Platform, holder: string) {
  const body = w.ok(await t.call('GET', `/v1/balances/${holder}`, { key: p.key }), 200);
  return body.balances.find((b: { currency: string }) => b.currency === 'CNY')?.amount ?? 0;
}

const topUp = (holderId: string, amount: number) =>
  t.call('POST', '/v1/balances/top-ups', { key: OPERATOR_KEY, body: { holderId, currency: 'CNY', amount } });

async function owner(unitId: string) {
  return w.ok(await t.call('GET', `/v1/units/${unitId}`), 200).ownerId as string;
}

async function bidCount(listingId: string) {
  const row = await t.deps.db
    .selectFrom('bids')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('listing_id', '=', listingId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('English auction', () => {
  it('100 concurrent bids: every accepted bid is recorded in rising order and the highest wins and pays exactly its bid', async () => {
    const s = await sellerWithUnit();
    const listingId = await englishAuction(s, { startPrice: 1000, minIncrement: 100, endsIn: 3600 });
    const bidders = await Promise.all(Array.from({ length: 100 }, () => w.account(s.p)));
    // Distinct multiples of the increment in random order: many are too low by the time they land.
    const steps = Array.from({ length: 100 }, (_, i) => i).sort(() => Math.random() - 0.5);
    const amountOf = new Map(bidders.map((b, i) => [b, 1000 + steps[i]! * 100]));
    const top = bidders[steps.indexOf(99)]!;
    // Bids are funded: every bidder can cover its bid.
    await Promise.all(bidders.map(async (b) => w.ok(await topUp(b, 20_000), 201)));

    const results = await Promise.all(bidders.map((b) => bid(s.p, listingId, b, amountOf.get(b))));
    const accepted = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status !== 201);
    expect(accepted.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.status, JSON.stringify(r.body)).toBe(409);
      expect(r.body.code).toBe('bid_too_low');
      expect(r.body.minimumAmount).toBeGreaterThan(r.body.highestAmount === null ? 0 : r.body.highestAmount);
    }

    // Run the closer from several places at once, and read the auction at the same time.
    t.clock.advance(3601);
    const [a, b, c] = await Promise.all([
      closeDueAuctions(t.deps.db, t.clock.now()),
      closeDueAuctions(t.deps.db, t.clock.now()),
      runScheduledWork(t.deps).then(() => 0),
      t.call('GET', `/v1/listings/${listingId}/auction`),
    ]);
    expect(a + b + c).toBeLessThanOrEqual(1);

    const bids = await allBids(listingId);
    expect(bids).toHaveLength(accepted.length);
    expect(new Set(bids.map((x) => x.id))).toEqual(new Set(accepted.map((r) => r.body.bid.id)));
    // In the order they were accepted, each bid cleared the highest before it by the increment.
    const inOrder = [...bids].sort((x, y) => x.createdAt.localeCompare(y.createdAt) || x.amount - y.amount);
    expect(inOrder[0]!.amount).toBeGreaterThanOrEqual(1000);
    for (let i = 1; i < inOrder.length; i++) expect(inOrder[i]!.amount).toBeGreaterThanOrEqual(inOrder[i - 1]!.amount + 100);
    for (const x of bids) expect(x.amount).toBe(amountOf.get(x.bidderId));
    expect(bids[0]).toMatchObject({ bidderId: top, amount: 10_900 });

    const auction = w.ok(await t.call('GET', `/v1/listings/${listingId}/auction`), 200);
    expect(auction).toMatchObject({ status: 'closed', phase: 'ended', bids: accepted.length });
    expect(auction.outcome).toMatchObject({ result: 'won', winnerId: top, amount: 10_900, tradeStatus: 'settled' });
    const trades = await t.deps.db.selectFrom('trades').selectAll().where('listing_id', '=', listingId).execute();
    expect(trades).toHaveLength(1);

    expect(await owner(s.unitId)).toBe(top);
    expect(await balance(s.p, top)).toBe(20_000 - 10_900);
    // 5% platform fee; the seller is the sole creator and the edition has no royalty.
    expect(await balance(s.p, s.seller)).toBe(10_900 - 545);
    expect(await balance(s.p, s.p.id)).toBe(545);
    // Every outbid bidder has its whole balance back; nothing is left on hold.
    const others = await Promise.all(bidders.filter((b) => b !== top).map((b) => balance(s.p, b)));
    expect(others).toEqual(Array(99).fill(20_000));
    const holds = await t.deps.db
      .selectFrom('balances')
      .select('amount')
      .where('holder', 'like', `hold:${listingId}:%`)
      .execute();
    expect(holds.every((h) => h.amount === 0n)).toBe(true);

    const events = await t.deps.db.selectFrom('events').select(['type', 'entry']).where('unit_id', '=', s.unitId).execute();
    expect(events.filter((e) => e.type === 'bid.placed')).toHaveLength(accepted.length);
    const closed = events.filter((e) => e.type === 'listing.closed').map((e) => JSON.parse(e.entry));
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({ listingId, winnerId: top, amount: 10_900, tradeId: trades[0]!.id });
  });

  it('an auction read while bids land shows a bid count and a highest bid that agree', async () => {
    const s = await sellerWithUnit();
    const listingId = await englishAuction(s, { startPrice: 1000, minIncrement: 100, endsIn: 3600 });
    const bidders = await Promise.all(Array.from({ length: 30 }, () => w.account(s.p)));
    await Promise.all(bidders.map(async (b) => w.ok(await topUp(b, 20_000), 201)));
    // Rising amounts, each placed after the one before: the n-th accepted bid is the highest of n.
    const placing = (async () => {
      for (const [i, b] of bidders.entries()) w.ok(await bid(s.p, listingId, b, 1000 + i * 100), 201);
    })();
    const reads: { bids: number; highestBid: { amount: number } | null }[] = [];
    let done = false;
    const stop = () => {
      done = true;
    };
    placing.then(stop, stop);
    while (!done) reads.push(w.ok(await t.call('GET', `/v1/listings/${listingId}/auction`), 200));
    await placing;
    expect(reads.length).toBeGreaterThan(0);
    for (const r of reads) {
      // Bid n (from 1) is 1000 + (n - 1) * 100.
      expect(r.highestBid?.amount ?? null, JSON.stringify(r)).toBe(r.bids === 0 ? null : 1000 + (r.bids - 1) * 100);
    }
  });

  it('anti-sniping extends the end; a bid after the extended end is refused', async () => {
    const s = await sellerWithUnit();
    const listingId = await englishAuction(s, { endsIn: 120, antiSnipeSeconds: 60 });
    const [x, y] = await Promise.all([w.account(s.p), w.account(s.p)]);
    w.ok(await topUp(x, 1500), 201);
    w.ok(await topUp(y, 1100), 201);
    // The end as set when the auction opened (120 s after), read rather than timed: setting up the
    // bidders takes wall-clock time, and the clock is the real one plus the test's advances.
    const { endsAt: openedEnd } = w.ok(await t.call('GET', `/v1/listings/${listingId}/auction`), 200);

    const first = w.ok(await bid(s.p, listingId, x, 1000), 201);
    expect(first.extended).toBe(false);
    expect(first.endsAt).toBe(openedEnd);

    t.clock.advance(90); // 30 s before the end: inside the window
    const second = w.ok(await bid(s.p, listingId, y, 1100), 201);
    expect(second.extended).toBe(true);
    const extendedEnd = new Date(second.endsAt).getTime();
    expect(extendedEnd).toBeGreaterThan(Date.parse(openedEnd));
    expect(extendedEnd - new Date(second.bid.createdAt).getTime()).toBe(60_000);

    t.clock.advance(45); // past the original end, before the extended one
    const third = w.ok(await bid(s.p, listingId, x, 1200), 201);
    expect(third.extended).toBe(true);
    const auction = w.ok(await t.call('GET', `/v1/listings/${listingId}/auction`), 200);
    expect(auction).toMatchObject({ phase: 'bidding', minimumNextBid: 1300, endsAt: third.endsAt });

    t.clock.advance(61);
    const late = await bid(s.p, listingId, y, 5000);
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('auction_ended');
    expect(await bidCount(listingId)).toBe(3);

    // The late bid closed the auction on its way: x won at 1200 and paid from its hold at once;
    // y has its outbid 1100 back.
    const closed = w.ok(await t.call('GET', `/v1/listings/${listingId}/auction`), 200);
    expect(closed.status).toBe('closed');
    expect(closed.outcome).toMatchObject({ result: 'won', winnerId: x, amount: 1200, tradeStatus: 'settled' });
    expect(await owner(s.unitId)).toBe(x);
    const again = await bid(s.p, listingId, y, 6000);
    expect(again.body.code).toBe('auction_ended');
    expect(await balance(s.p, x)).toBe(300);
    expect(await balance(s.p, y)).toBe(1100);
  });

  it('a winner who cannot settle: when its reservation lapses the next bid inherits the sale', async () => {
    const s = await sellerWithUnit();
    const off = await w.official();
    const listingId = await englishAuction(s, { endsIn: 60 });
    const [x, y] = await Promise.all([w.account(s.p), w.account(s.p)]);
    w.ok(await topUp(x, 1000), 201);
    w.ok(await topUp(y, 1100), 201);
    w.ok(await bid(s.p, listingId, x, 1000), 201);
    w.ok(await bid(s.p, listingId, y, 1100), 201);
    expect([await balance(s.p, x), await balance(s.p, y)]).toEqual([1000, 0]);
    // An official freezes the unit before the close: y wins but the trade cannot settle yet.
    const freeze = w.ok(
      await t.call('POST', `/v1/units/${s.unitId}/freezes`, { key: off.key, body: { reason: 'dispute' } }),
      201,
    );
    t.clock.advance(61);
    expect(await closeDueAuctions(t.deps.db, t.clock.now())).toBeGreaterThanOrEqual(1);
    const first = w.ok(await t.call('GET', `/v1/listings/${listingId}/auction`), 200);
    expect(first.outcome).toMatchObject({ winnerId: y, amount: 1100, tradeStatus: 'reserved' });
    expect(await balance(s.p, y)).toBe(0); // still held for the sale

    t.clock.advance(15 * 60 + 1);
    await releaseExpiredReservations(t.deps.db, t.clock.now());
    await closeDueAuctions(t.deps.db, t.clock.now()); // the scheduler's next step: the reopened auction closes again
    const second = w.ok(await t.call('GET', `/v1/listings/${listingId}/auction`), 200);
    expect(second).toMatchObject({ status: 'closed', outcome: { winnerId: x, amount: 1000, tradeStatus: 'reserved' } });
    expect(second.outcome.tradeId).not.toBe(first.outcome.tradeId);
    expect(await balance(s.p, y)).toBe(1100); // y's hold came back when the sale passed on

    w.ok(
      await t.call('POST', `/v1/units/${s.unitId}/freezes/${freeze.id}/lift`, { key: off.key, body: { reason: 'resolved' } }),
      200,
    );
    w.ok(await t.call('POST', `/v1/trades/${second.outcome.tradeId}/settle`, { key: s.p.key }), 200);
    expect(await owner(s.unitId)).toBe(x);
    expect(await balance(s.p, x)).toBe(0);
    const closedEvents = await t.deps.db
      .selectFrom('events')
      .select('entry')
      .where('type', '=', 'listing.closed')
      .where('unit_id', '=', s.unitId)
      .orderBy('seq')
      .execute();
    expect(closedEvents.map((e) => JSON.parse(e.entry))).toEqual([
      expect.objectContaining({ winnerId: y, amount: 1100 }),
      expect.objectContaining({ winnerId: x, amount: 1000, passedOver: [y] }),
    ]);

    // Nobody left to pass the sale to: the listing expires.
    const s2 = await sellerWithUnit();
    const lone = await englishAuction(s2, { endsIn: 60 });
    const z = await w.account(s2.p);
    w.ok(await topUp(z, 1000), 201);
    w.ok(await bid(s2.p, lone, z, 1000), 201);
    w.ok(await t.call('POST', `/v1/units/${s2.unitId}/freezes`, { key: off.key, body: { reason: 'dispute' } }), 201);
    t.clock.advance(61);
    await closeDueAuctions(t.deps.db, t.clock.now());
    t.clock.advance(15 * 60 + 1);
    await releaseExpiredReservations(t.deps.db, t.clock.now());
    await closeDueAuctions(t.deps.db, t.clock.now());
    const after = w.ok(await t.call('GET', `/v1/listings/${lone}/auction`), 200);
    expect(after.status).toBe('expired');
    expect(after.outcome).toMatchObject({ result: 'won', winnerId: z, tradeStatus: 'released' });
    expect(await owner(s2.unitId)).toBe(s2.seller);
    expect(await balance(s2.p, z)).toBe(1000);
  });

  it('reserve not met: the listing expires and the unit stays with the seller', async () => {
    const s = await sellerWithUnit();
    const listingId = await englishAuction(s, { reservePrice: 5000, endsIn: 60 });
    const [x, y] = await Promise.all([w.account(s.p), w.account(s.p)]);
    w.ok(await topUp(x, 1000), 201);
    w.ok(await topUp(y, 10_000), 201);
    w.ok(await bid(s.p, listingId, x, 1000), 201);
    w.ok(await bid(s.p, listingId, y, 1100), 201);
    t.clock.advance(61);
    await closeDueAuctions(t.deps.db, t.clock.now());
    const auction = w.ok(await t.call('GET', `/v1/listings/${listingId}/auction`), 200);
    expect(auction).toMatchObject({ status: 'expired', phase: 'ended', outcome: { result: 'no_winner', winnerId: null } });
    expect(await owner(s.unitId)).toBe(s.seller);
    // Both have their money back.
    expect(await balance(s.p, x)).toBe(1000);
    expect(await balance(s.p, y)).toBe(10_000);
    const expired = await t.deps.db
      .selectFrom('events')
      .select('entry')
      .where('type', '=', 'listing.expired')
      .where('unit_id', '=', s.unitId)
      .execute();
    expect(expired.map((e) => JSON.parse(e.entry))).toEqual([
      expect.objectContaining({ listingId, reason: 'reserve_not_met', highestAmount: 1100 }),
    ]);
    // Closing again changes nothing.
    await closeDueAuctions(t.deps.db, t.clock.now());
    expect(await t.deps.db.selectFrom('trades').select('id').where('listing_id', '=', listingId).execute()).toHaveLength(0);
  });

  it('an auction with no bids expires', async () => {
    const s = await sellerWithUnit();
    const listingId = await englishAuction(s, { endsIn: 10 });
    t.clock.advance(11);
    const bids = w.ok(await t.call('GET', `/v1/listings/${listingId}/bids`), 200);
    expect(bids.data).toEqual([]);
    // Reads never write: until the scheduler closes it, the auction reads as ended but still open.
    expect(w.ok(await t.call('GET', `/v1/listings/${listingId}/auction`), 200)).toMatchObject({ status: 'open', phase: 'ended' });
    await runScheduledWork(t.deps);
    const auction = w.ok(await t.call('GET', `/v1/listings/${listingId}/auction`), 200);
    expect(auction.status).toBe('expired');
  });

  it('refuses bad bids with a problem code and records nothing', async () => {
    const s = await sellerWithUnit('open_market', { realNameRequired: true });
    const listingId = await englishAuction(s, { startPrice: 1000, minIncrement: 100 });
    const x = await w.account(s.p);
    const unattested = await w.account(s.p, { attested: false });
    const other = await w.platform('Other');
    const stranger = await w.account(other);

    const cases: [string, unknown, number, string][] = [
      [s.seller, 1000, 422, 'own_listing'],
      [x, 999, 409, 'bid_too_low'],
      [x, -5, 400, 'validation_failed'],
      [x, 1000.5, 400, 'validation_failed'],
      [x, '1000', 400, 'validation_failed'],
      [unattested, 1000, 422, 'transfer_refused'],
      [stranger, 1000, 404, 'not_found'],
    ];
    for (const [who, amount, status, code] of cases) {
      const res = await bid(s.p, listingId, who, amount);
      expect(res.status, `${who} ${amount} ${JSON.stringify(res.body)}`).toBe(status);
      expect(res.body.code).toBe(code);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    }
    const realName = await bid(s.p, listingId, unattested, 1000);
    expect(realName.body.rule).toBe('real_name_required');
    const low = await bid(s.p, listingId, x, 999);
    expect(low.body.minimumAmount).toBe(1000);
    // Another platform may not bid for an account it does not hold.
    expect((await bid(other, listingId, x, 1000)).status).toBe(404);
    expect(await bidCount(listingId)).toBe(0);

    // A bid nobody has the money for is refused, and nothing is held or recorded.
    const unfunded = await bid(s.p, listingId, x, 1000);
    expect(unfunded.status).toBe(409);
    expect(unfunded.body).toMatchObject({ code: 'insufficient_funds', holder: x, available: 0, required: 1000 });
    expect(await bidCount(listingId)).toBe(0);

    w.ok(await topUp(x, 1000), 201);
    w.ok(await bid(s.p, listingId, x, 1000), 201);
    const underIncrement = await bid(s.p, listingId, x, 1099);
    expect(underIncrement.body).toMatchObject({ code: 'bid_too_low', minimumAmount: 1100, highestAmount: 1000 });
    expect(await bidCount(listingId)).toBe(1);

    const fixedSeller = await sellerWithUnit();
    const fixed = w.ok(
      await t.call('POST', '/v1/listings', {
        key: fixedSeller.p.key,
        body: { kind: 'fixed', sellerId: fixedSeller.seller, unitId: fixedSeller.unitId, currency: 'CNY', price: 5000 },
      }),
      201,
    ).id;
    const y = await w.account(fixedSeller.p);
    const notAuction = await bid(fixedSeller.p, fixed, y, 5000);
    expect(notAuction.status).toBe(409);
    expect(notAuction.body).toMatchObject({ code: 'not_an_auction', kind: 'fixed' });

    const laterSeller = await sellerWithUnit();
    const later = await englishAuction(laterSeller, { startsIn: 600, endsIn: 1200 });
    const z = await w.account(laterSeller.p);
    expect((await bid(laterSeller.p, later, z, 1000)).body.code).toBe('auction_not_open');

    const missing = await bid(s.p, newId('lst'), x, 1000);
    expect(missing.status).toBe(404);
  });

  it('the mainland-collectibles preset refuses auctions at listing', async () => {
    const s = await sellerWithUnit('mainland_collectible');
    const res = await t.call('POST', '/v1/listings', {
      key: s.p.key,
      body: {
        kind: 'english',
        sellerId: s.seller,
        unitId: s.unitId,
        currency: 'CNY',
        startPrice: 1000,
        minIncrement: 100,
        endsAt: new Date(t.clock.now().getTime() + 3600_000).toISOString(),
      },
    });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'transfer_refused', rule: 'auctions_not_allowed' });
  });

  it('a primary-sale auction takes (or mints) an unsold unit of the edition for the winner', async () => {
    const p = await w.platform();
    const off = await w.official();
    const issuer = await w.account(p);
    const asset = await w.registeredAsset(p, off, issuer);
    const edition = await w.edition(p, asset.id, 3);
    const listing = w.ok(
      await t.call('POST', '/v1/listings', {
        key: p.key,
        body: {
          kind: 'english',
          sellerId: issuer,
          editionId: edition.id,
          currency: 'CNY',
          startPrice: 2000,
          minIncrement: 100,
          antiSnipeSeconds: 0,
          endsAt: new Date(t.clock.now().getTime() + 60_000).toISOString(),
        },
      }),
      201,
    );
    const x = await w.account(p);
    w.ok(await topUp(x, 2000), 201);
    w.ok(await bid(p, listing.id, x, 2000), 201);
    t.clock.advance(61);
    await closeDueAuctions(t.deps.db, t.clock.now());
    const auction = w.ok(await t.call('GET', `/v1/listings/${listing.id}/auction`), 200);
    expect(auction.outcome).toMatchObject({ result: 'won', winnerId: x, amount: 2000, tradeStatus: 'settled' });
    const trade = await t.deps.db
      .selectFrom('trades')
      .selectAll()
      .where('id', '=', auction.outcome.tradeId)
      .executeTakeFirstOrThrow();
    const unit = w.ok(await t.call('GET', `/v1/units/${trade.unit_id}`), 200);
    expect(unit).toMatchObject({ editionId: edition.id, serial: 1, ownerId: x });
  });
});
