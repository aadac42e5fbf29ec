import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDueAuctions } from '../src/features/auctions/closing.service.js';
import { releaseExpiredReservations } from '../src/features/market/trade-release.service.js';
import { startTestApp, type TestApp } from './support/harness.js';
import { marketWorld } from './support/market.js';

// Funded bids (README "Funded bids"): a bid holds its amount on the bidder's clearing balance, a
// sealed commitment its deposit. With DATABASE_URL set the parallel requests are real concurrent
// transactions on PostgreSQL.
let t: TestApp;
let m: ReturnType<typeof marketWorld>;
beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '0', MAX_COMMITMENTS_PER_LISTING: '3' });
  m = marketWorld(t);
});
afterAll(async () => t?.close());

type Key = { key: string; id: string };
const at = (sec: number) => new Date(t.clock.now().getTime() + sec * 1000).toISOString();
const commitmentFor = (amount: number, salt: string) => createHash('sha256').update(`${amount}:${salt}`, 'utf8').digest('hex');
const newSalt = () => randomBytes(18).toString('base64url');

const bid = (p: Key, listingId: string, bidderId: string, amount: number) =>
  t.call('POST', `/v1/listings/${listingId}/bids`, { key: p.key, body: { bidderId, amount } });
const commit = (p: Key, listingId: string, bidderId: string, commitment: string) =>
  t.call('POST', `/v1/listings/${listingId}/commitments`, { key: p.key, body: { bidderId, commitment } });
const reveal = (p: Key, listingId: string, bidderId: string, amount: number, salt: string) =>
  t.call('POST', `/v1/listings/${listingId}/reveals`, { key: p.key, body: { bidderId, amount, salt } });

/** Sellers each holding one minted unit of one registered work (royalty 0, platform fee 5%). */
async function sellers(n: number) {
  const world = await m.work({ size: n });
  const out: { p: Key; seller: string; unitId: string }[] = [];
  const owners = await m.accounts(world.p, n);
  const minted = m.ok(
    await t.call('POST', `/v1/editions/${world.edition.id}/mint`, { key: world.p.key, body: { count: n } }),
    201,
  );
  for (let i = 0; i < n; i++) {
    const unitId = minted.units[i].id as string;
    m.ok(
      await t.call('POST', `/v1/units/${unitId}/transfers`, {
        key: world.p.key,
        body: { fromAccountId: world.creator, toAccountId: owners[i] },
      }),
      201,
    );
    out.push({ p: world.p, seller: owners[i]!, unitId });
  }
  return out;
}

/** Every clearing balance but the outside world's: what was topped up must all still be here. */
async function moneyOnTheExchange(): Promise<bigint> {
  const row = await t.deps.db
    .selectFrom('balances')
    .select((eb) => eb.fn.sum<string>('amount').as('s'))
    .where('holder', '!=', 'external')
    .executeTakeFirstOrThrow();
  // A sale's fee and royalties not folded into their balances yet (schema/0027) are on the exchange too.
  const pending = await t.deps.db
    .selectFrom('postings')
    .select((eb) => eb.fn.sum<string>('amount').as('s'))
    .where('deferred', '=', true)
    .where('balance_after', 'is', null)
    .executeTakeFirstOrThrow();
  return BigInt(row.s ?? 0) + BigInt(pending.s ?? 0);
}

async function heldOn(listingId: string): Promise<number> {
  const row = await t.deps.db
    .selectFrom('balances')
    .select((eb) => eb.fn.sum<string>('amount').as('s'))
    .where('holder', 'like', `hold:${listingId}:%`)
    .executeTakeFirstOrThrow();
  return Number(row.s ?? 0);
}

describe('funded English bids', () => {
  it('concurrent bids on two auctions by the same bidders: only funded bids count, and money is conserved', async () => {
    const [a, b] = await sellers(2);
    const p = a!.p;
    const listings = await Promise.all(
      [a!, b!].map(async (s) =>
        m.list(p, {
          kind: 'english',
          sellerId: s.seller,
          unitId: s.unitId,
          startPrice: 1000,
          minIncrement: 100,
          antiSnipeSeconds: 0,
          endsAt: at(3600),
        }),
      ),
    );
    const bidders = await m.accounts(p, 12);
    // Each bidder has 3,000: enough for one high bid or a few low ones, never for all of them at once.
    await Promise.all(bidders.map((x) => m.topUp(x, 3_000)));
    const before = await moneyOnTheExchange();
    const attempts = bidders.flatMap((x, i) =>
      listings.map((l, j) => ({ listingId: l.id as string, bidder: x, amount: 1000 + ((i * 7 + j * 5) % 25) * 100 })),
    );
    const results = await Promise.all(attempts.map((x) => bid(p, x.listingId, x.bidder, x.amount)));
    for (const r of results) {
      expect([201, 409], JSON.stringify(r.body)).toContain(r.status);
      if (r.status === 409) expect(['bid_too_low', 'insufficient_funds']).toContain(r.body.code);
    }
    // Whatever the interleaving, each listing holds exactly its standing highest bid, and no bidder
    // has more on hold than it had.
    for (const l of listings) {
      const auction = m.ok(await t.call('GET', `/v1/listings/${l.id}/auction`), 200);
      expect(await heldOn(l.id)).toBe(auction.highestBid?.amount ?? 0);
    }
    for (const x of bidders) expect(await m.balance(x)).toBeGreaterThanOrEqual(0);
    expect(await moneyOnTheExchange()).toBe(before);

    t.clock.advance(3601);
    await Promise.all([closeDueAuctions(t.deps.db, t.clock.now()), closeDueAuctions(t.deps.db, t.clock.now())]);
    const paid = new Map<string, number>();
    for (const [i, l] of listings.entries()) {
      const auction = m.ok(await t.call('GET', `/v1/listings/${l.id}/auction`), 200);
      expect(auction.outcome).toMatchObject({ result: 'won', tradeStatus: 'settled' });
      expect(await m.owner([a!, b!][i]!.unitId)).toBe(auction.outcome.winnerId);
      paid.set(auction.outcome.winnerId, (paid.get(auction.outcome.winnerId) ?? 0) + auction.outcome.amount);
      expect(await heldOn(l.id)).toBe(0);
    }
    // Money in = money out: every bidder has its 3,000 less what it won with; nothing is stuck on hold.
    for (const x of bidders) expect(await m.balance(x)).toBe(3_000 - (paid.get(x) ?? 0));
    expect(await moneyOnTheExchange()).toBe(before);
  });

  it('raising one’s own bid holds only the difference; being outbid gives the hold back at once', async () => {
    const [s] = await sellers(1);
    const l = await m.list(s!.p, {
      kind: 'english',
      sellerId: s!.seller,
      unitId: s!.unitId,
      startPrice: 1000,
      minIncrement: 100,
      antiSnipeSeconds: 0,
      endsAt: at(600),
    });
    const [x, y] = await m.accounts(s!.p, 2);
    await m.topUp(x!, 1500);
    await m.topUp(y!, 1400);
    m.ok(await bid(s!.p, l.id, x!, 1000), 201);
    m.ok(await bid(s!.p, l.id, x!, 1200), 201);
    expect([await m.balance(x!), await heldOn(l.id)]).toEqual([300, 1200]);
    m.problem(await bid(s!.p, l.id, y!, 1500), 409, 'insufficient_funds');
    m.ok(await bid(s!.p, l.id, y!, 1300), 201);
    expect([await m.balance(x!), await m.balance(y!), await heldOn(l.id)]).toEqual([1500, 100, 1300]);
    const statement = m.ok(await t.call('GET', `/v1/balances/${x}/statement?currency=CNY`, { key: s!.p.key }), 200);
    expect(statement.data.map((r: { kind: string; amount: number }) => [r.kind, r.amount])).toEqual([
      ['topup', 1500],
      ['bid_hold', -1000],
      ['bid_hold', -200],
      ['bid_hold', 1200],
    ]);
  });
});

describe('sealed bids with a deposit', () => {
  async function sealedWithDeposit(s: { p: Key; seller: string; unitId: string }, bidDeposit: number, reservePrice = 2000) {
    return m.list(s.p, {
      kind: 'sealed',
      sellerId: s.seller,
      unitId: s.unitId,
      reservePrice,
      bidDeposit,
      endsAt: at(3600),
      revealEndsAt: at(7200),
    });
  }

  it('is refused when it exceeds the lowest acceptable bid', async () => {
    const [s] = await sellers(1);
    const res = await t.call('POST', '/v1/listings', {
      key: s!.p.key,
      body: {
        kind: 'sealed',
        sellerId: s!.seller,
        unitId: s!.unitId,
        currency: 'CNY',
        reservePrice: 500,
        bidDeposit: 501,
        endsAt: at(3600),
        revealEndsAt: at(7200),
      },
    });
    expect(m.problem(res, 400, 'validation_failed').issues).toEqual([expect.objectContaining({ path: 'bidDeposit' })]);
  });

  it('deposits: held at the first commitment, returned after a reveal, forfeited to the seller if never revealed, counted toward the winner’s price', async () => {
    const [s] = await sellers(1);
    const l = await sealedWithDeposit(s!, 300);
    expect(l.bidDeposit).toBe(300);
    const [winner, loser, silent, broke] = await m.accounts(s!.p, 4);
    await m.topUp(winner!, 5_000);
    await m.topUp(loser!, 300);
    await m.topUp(silent!, 1_000);
    await m.topUp(broke!, 299);
    const before = await moneyOnTheExchange();
    const salts = { winner: newSalt(), loser: newSalt(), silent: newSalt() };

    m.problem(await commit(s!.p, l.id, broke!, commitmentFor(2500, newSalt())), 409, 'insufficient_funds');
    m.ok(await commit(s!.p, l.id, winner!, commitmentFor(4000, salts.winner)), 201);
    // Replacing a commitment puts up nothing more.
    m.ok(await commit(s!.p, l.id, winner!, commitmentFor(4500, salts.winner)), 201);
    m.ok(await commit(s!.p, l.id, loser!, commitmentFor(2500, salts.loser)), 201);
    m.ok(await commit(s!.p, l.id, silent!, commitmentFor(9000, salts.silent)), 201);
    expect([await m.balance(winner!), await m.balance(loser!), await m.balance(silent!), await m.balance(broke!)]).toEqual([
      4_700, 0, 700, 299,
    ]);
    expect(await heldOn(l.id)).toBe(900);

    t.clock.advance(3600);
    m.ok(await reveal(s!.p, l.id, winner!, 4500, salts.winner), 200);
    m.ok(await reveal(s!.p, l.id, loser!, 2500, salts.loser), 200);
    t.clock.advance(3601);
    await closeDueAuctions(t.deps.db, t.clock.now());

    const auction = m.ok(await t.call('GET', `/v1/listings/${l.id}/auction`), 200);
    expect(auction.outcome).toMatchObject({ winnerId: winner, amount: 4500, tradeStatus: 'settled' });
    expect(await m.owner(s!.unitId)).toBe(winner);
    // The winner paid 4,500 in all: its 300 deposit and 4,200 from its balance.
    expect(await m.balance(winner!)).toBe(500);
    expect(await m.balance(loser!)).toBe(300);
    expect(await m.balance(silent!)).toBe(700);
    // The seller: 4,500 less the 5% fee, plus the unrevealed deposit.
    expect(await m.balance(s!.seller)).toBe(4500 - 225 + 300);
    expect(await heldOn(l.id)).toBe(0);
    expect(await moneyOnTheExchange()).toBe(before);
    const forfeits = await t.deps.db.selectFrom('journals').select('id').where('kind', '=', 'forfeit').execute();
    expect(forfeits.length).toBeGreaterThanOrEqual(1);
  });

  it('a winner who does not pay: the next valid reveal inherits the sale and the winner gets its deposit back', async () => {
    const [s] = await sellers(1);
    const l = await sealedWithDeposit(s!, 200);
    const [high, next] = await m.accounts(s!.p, 2);
    await m.topUp(high!, 200); // enough for the deposit, not for the 9,000 it bids
    await m.topUp(next!, 3_000);
    const salts = [newSalt(), newSalt()];
    m.ok(await commit(s!.p, l.id, high!, commitmentFor(9000, salts[0]!)), 201);
    m.ok(await commit(s!.p, l.id, next!, commitmentFor(2500, salts[1]!)), 201);
    t.clock.advance(3600);
    m.ok(await reveal(s!.p, l.id, high!, 9000, salts[0]!), 200);
    m.ok(await reveal(s!.p, l.id, next!, 2500, salts[1]!), 200);
    t.clock.advance(3601);
    await closeDueAuctions(t.deps.db, t.clock.now());
    const first = m.ok(await t.call('GET', `/v1/listings/${l.id}/auction`), 200);
    expect(first.outcome).toMatchObject({ winnerId: high, amount: 9000, tradeStatus: 'reserved' });
    expect(await m.balance(next!)).toBe(3_000); // the runner-up's deposit is back already

    t.clock.advance(15 * 60 + 1);
    await releaseExpiredReservations(t.deps.db, t.clock.now());
    await closeDueAuctions(t.deps.db, t.clock.now());
    const second = m.ok(await t.call('GET', `/v1/listings/${l.id}/auction`), 200);
    expect(second).toMatchObject({ status: 'closed', outcome: { winnerId: next, amount: 2500, tradeStatus: 'settled' } });
    expect(await m.owner(s!.unitId)).toBe(next);
    expect(await m.balance(next!)).toBe(500);
    expect(await m.balance(high!)).toBe(200);
    expect(await heldOn(l.id)).toBe(0);
  });

  it('commitments per bidder and listing are bounded, also under concurrent attempts', async () => {
    const [s] = await sellers(1);
    const l = await sealedWithDeposit(s!, 100);
    const [x] = await m.accounts(s!.p, 1);
    await m.topUp(x!, 100);
    m.ok(await commit(s!.p, l.id, x!, commitmentFor(3000, newSalt())), 201);
    const results = await Promise.all(
      Array.from({ length: 6 }, () => commit(s!.p, l.id, x!, commitmentFor(3000 + Math.floor(Math.random() * 1e6), newSalt()))),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(2); // MAX_COMMITMENTS_PER_LISTING=3 in this file
    for (const r of results.filter((r) => r.status !== 201)) {
      expect(m.problem(r, 429, 'quota_exceeded')).toMatchObject({ quota: 'commitments_per_listing', limit: 3 });
    }
    const events = await t.deps.db
      .selectFrom('events')
      .select('entry')
      .where('type', '=', 'sealed_bid.committed')
      .where('unit_id', '=', s!.unitId)
      .execute();
    expect(events).toHaveLength(3);
    expect(await heldOn(l.id)).toBe(100);
  });
});
