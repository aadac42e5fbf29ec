import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDueAuctions } from '../src/features/auctions/closing.service.js';
import { runScheduledWork } from '../src/scheduled.js';
import { OPERATOR_KEY, startTestApp, type TestApp } from './support/harness.js';
import { world } from './support/world.js';

let t: TestApp;
let w: ReturnType<typeof world>;
beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '0' });
  w = world(t);
});
afterAll(async () => t?.close());

type Platform = { id: string; key: string };

/** What a bidder computes on its own side, independently of the server's code. */
const commitmentFor = (amount: number, salt: string) => createHash('sha256').update(`${amount}:${salt}`, 'utf8').digest('hex');
const newSalt = () => randomBytes(18).toString('base64url'); // 24 characters of [A-Za-z0-9_-]

async function sellerWithUnit(preset = 'open_market') {
  const p = await w.platform();
  const off = await w.official();
  const seller = await w.account(p);
  const asset = await w.registeredAsset(p, off, seller);
  const edition = await w.edition(p, asset.id, 5, preset);
  const [unit] = (await w.mint(p, edition.id, 1)).units;
  return { p, seller, edition, unitId: unit.id as string };
}

/** A sealed-bid auction of the unit, listed through the API: commit for an hour, reveal for the next hour. */
async function sealedAuction(s: Awaited<ReturnType<typeof sellerWithUnit>>, reservePrice?: number) {
  const at = (sec: number) => new Date(t.clock.now().getTime() + sec * 1000).toISOString();
  const body = {
    kind: 'sealed',
    sellerId: s.seller,
    unitId: s.unitId,
    currency: 'CNY',
    reservePrice,
    endsAt: at(3600),
    revealEndsAt: at(7200),
  };
  return w.ok(await t.call('POST', '/v1/listings', { key: s.p.key, body }), 201).id as string;
}

const commit = (p: Platform, listingId: string, bidderId: string, commitment: string) =>
  t.call('POST', `/v1/listings/${listingId}/commitments`, { key: p.key, body: { bidderId, commitment } });
const reveal = (p: Platform, listingId: string, bidderId: string, amount: number, salt: string) =>
  t.call('POST', `/v1/listings/${listingId}/reveals`, { key: p.key, body: { bidderId, amount, salt } });

interface PublicCommitment {
  id: string;
  bidderId: string;
  commitment: string;
  committedAt: string;
  revealed: boolean;
  amount: number | null;
  salt: string | null;
  revealedAt: string | null;
}

/** Everything a third party needs, with no key: every page of the public commitments. */
async function publicCommitments(listingId: string): Promise<PublicCommitment[]> {
  const out: PublicCommitment[] = [];
  let after: string | null = null;
  do {
    const page: { data: PublicCommitment[]; nextCursor: string | null } = w.ok(
      await t.call('GET', `/v1/listings/${listingId}/commitments?limit=2${after ? `&after=${after}` : ''}`),
      200,
    );
    out.push(...page.data);
    after = page.nextCursor;
  } while (after);
  return out;
}

/**
 * A third party's recomputation, written from the published rule alone (not the server's code):
 * keep reveals that hash to their commitment and reach the reserve; highest amount wins; ties
 * to the earliest commitment (committedAt, then id).
 */
function recomputeWinner(entries: PublicCommitment[], reserve: number) {
  const valid = entries.filter(
    (e) => e.amount !== null && e.salt !== null && commitmentFor(e.amount, e.salt) === e.commitment && e.amount >= reserve,
  );
  valid.sort((a, b) => b.amount! - a.amount! || a.committedAt.localeCompare(b.committedAt) || a.id.localeCompare(b.id));
  return valid[0] ?? null;
}

async function owner(unitId: string) {
  return w.ok(await t.call('GET', `/v1/units/${unitId}`), 200).ownerId as string;
}

describe('sealed-bid auction', () => {
  it('commit, reveal, close: the highest valid reveal wins and anyone can recompute it', async () => {
    const s = await sellerWithUnit();
    const listingId = await sealedAuction(s, 2000);
    const [a, b, c, d, e, f] = await Promise.all(Array.from({ length: 6 }, () => w.account(s.p)));
    const bids = {
      a: { who: a!, amount: 5000, salt: newSalt() },
      b: { who: b!, amount: 7000, salt: newSalt() }, // reveals a different amount: mismatch, then forfeits
      c: { who: c!, amount: 6000, salt: newSalt() }, // ties with d, committed first: wins
      d: { who: d!, amount: 6000, salt: newSalt() },
      e: { who: e!, amount: 8000, salt: newSalt() }, // never reveals: forfeits
      f: { who: f!, amount: 1500, salt: newSalt() }, // below the reserve: its reveal is refused
    };
    w.ok(
      await t.call('POST', '/v1/balances/top-ups', { key: OPERATOR_KEY, body: { holderId: c, currency: 'CNY', amount: 9000 } }),
      201,
    );

    // a first commits to something else, then replaces it; sending the same commitment again changes nothing.
    const firstA = w.ok(await commit(s.p, listingId, a!, commitmentFor(4000, bids.a.salt)), 201);
    expect(firstA.replaces).toBeNull();
    for (const k of ['a', 'b', 'c', 'd', 'e', 'f'] as const) {
      const x = bids[k];
      const res = w.ok(await commit(s.p, listingId, x.who, commitmentFor(x.amount, x.salt)), 201);
      expect(res.commitment).toMatchObject({ bidderId: x.who, revealed: false, amount: null, salt: null });
      if (k === 'a') expect(res.replaces).toBe(firstA.commitment.id);
      t.clock.advance(1); // distinct commit times, so the tie-break is visible
    }
    const same = w.ok(await commit(s.p, listingId, a!, commitmentFor(bids.a.amount, bids.a.salt)), 200);
    expect(same.replaces).toBeNull();

    // During the commit phase anyone sees who committed and the hashes, never an amount.
    const during = await publicCommitments(listingId);
    expect(during).toHaveLength(6);
    expect(during.every((x) => x.amount === null && x.salt === null && /^[0-9a-f]{64}$/.test(x.commitment))).toBe(true);
    expect(during.find((x) => x.bidderId === c)!.commitment).toBe(commitmentFor(6000, bids.c.salt));
    const phase = w.ok(await t.call('GET', `/v1/listings/${listingId}/auction`), 200);
    expect(phase).toMatchObject({ kind: 'sealed', phase: 'commit', bids: 6, revealed: 0, outcome: null });
    const early = await reveal(s.p, listingId, a!, bids.a.amount, bids.a.salt);
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('reveal_phase_not_open');
    // The log entries of commitments carry the hash, not the amount.
    const committedEvents = await t.deps.db
      .selectFrom('events')
      .select('entry')
      .where('type', '=', 'sealed_bid.committed')
      .where('unit_id', '=', s.unitId)
      .execute();
    expect(committedEvents).toHaveLength(7);
    for (const ev of committedEvents) expect(JSON.parse(ev.entry)).not.toHaveProperty('amount');

    t.clock.advance(3600);
    const late = await commit(s.p, listingId, a!, commitmentFor(9999, bids.a.salt));
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('commit_phase_over');

    // Reveals.
    const mismatch = await reveal(s.p, listingId, b!, 9000, bids.b.salt);
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.code).toBe('reveal_mismatch');
    const lowReveal = await reveal(s.p, listingId, f!, bids.f.amount, bids.f.salt);
    expect(lowReveal.status).toBe(422);
    expect(lowReveal.body).toMatchObject({ code: 'bid_below_reserve', minimumAmount: 2000 });
    const other = await w.platform('Other');
    expect((await reveal(other, listingId, a!, bids.a.amount, bids.a.salt)).status).toBe(404);
    const outsider = await w.account(s.p);
    expect((await reveal(s.p, listingId, outsider, 5000, newSalt())).body.code).toBe('no_commitment');
    for (const k of ['a', 'c', 'd'] as const) {
      const x = bids[k];
      const res = w.ok(await reveal(s.p, listingId, x.who, x.amount, x.salt), 200);
      expect(res).toMatchObject({ revealed: true, amount: x.amount, salt: x.salt });
    }
    // Revealing the same again is harmless; a different preimage after revealing is not.
    w.ok(await reveal(s.p, listingId, a!, bids.a.amount, bids.a.salt), 200);
    expect((await reveal(s.p, listingId, a!, 1, newSalt())).body.code).toBe('already_revealed');

    t.clock.advance(3600);
    const tooLate = await reveal(s.p, listingId, e!, bids.e.amount, bids.e.salt);
    expect(tooLate.status).toBe(409);
    expect(tooLate.body.code).toBe('reveal_phase_over');
    await closeDueAuctions(t.deps.db, t.clock.now());

    const auction = w.ok(await t.call('GET', `/v1/listings/${listingId}/auction`), 200);
    expect(auction).toMatchObject({ status: 'closed', phase: 'ended', bids: 6, revealed: 3 });
    expect(auction.outcome).toMatchObject({ result: 'won', winnerId: c, amount: 6000, tradeStatus: 'settled' });
    expect(await owner(s.unitId)).toBe(c);
    const cBalance = w.ok(await t.call('GET', `/v1/balances/${c}`, { key: s.p.key }), 200);
    expect(cBalance.balances).toEqual([{ currency: 'CNY', amount: 3000, owed: 0 }]);

    // A third party, with no key, recomputes the outcome from the public commitments and reveals.
    const published = await publicCommitments(listingId);
    expect(
      published
        .filter((x) => x.revealed)
        .map((x) => x.bidderId)
        .sort(),
    ).toEqual([a, c, d].sort());
    const winner = recomputeWinner(published, auction.reservePrice);
    expect(winner).toMatchObject({ bidderId: auction.outcome.winnerId, amount: auction.outcome.amount });
    const closedEvent = await t.deps.db
      .selectFrom('events')
      .select('entry')
      .where('type', '=', 'listing.closed')
      .where('unit_id', '=', s.unitId)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(closedEvent.entry)).toMatchObject({
      listingId,
      winnerId: c,
      amount: 6000,
      commitmentId: winner!.id,
      commitments: 6,
      revealed: 3,
      forfeited: 3,
    });
  });

  it('no valid reveal: the listing expires and the unit stays with the seller', async () => {
    const s = await sellerWithUnit();
    const listingId = await sealedAuction(s);
    const x = await w.account(s.p);
    w.ok(await commit(s.p, listingId, x, commitmentFor(3000, newSalt())), 201);
    t.clock.advance(7201);
    const read = w.ok(await t.call('GET', `/v1/listings/${listingId}/commitments`), 200);
    expect(read.data).toHaveLength(1);
    // Reads never write: the scheduler closes the auction.
    expect(w.ok(await t.call('GET', `/v1/listings/${listingId}/auction`), 200)).toMatchObject({ status: 'open', phase: 'ended' });
    await runScheduledWork(t.deps);
    const auction = w.ok(await t.call('GET', `/v1/listings/${listingId}/auction`), 200);
    expect(auction).toMatchObject({ status: 'expired', outcome: { result: 'no_winner' } });
    expect(await owner(s.unitId)).toBe(s.seller);
  });

  it('refuses commitments that are malformed, on the wrong kind of listing, or from the seller', async () => {
    const s = await sellerWithUnit();
    const listingId = await sealedAuction(s);
    const x = await w.account(s.p);
    expect((await commit(s.p, listingId, x, 'ABC')).body.code).toBe('validation_failed');
    expect((await commit(s.p, listingId, x, commitmentFor(1, newSalt()).toUpperCase())).body.code).toBe('validation_failed');
    expect((await commit(s.p, listingId, s.seller, commitmentFor(1, newSalt()))).body.code).toBe('own_listing');
    const bidOnSealed = await t.call('POST', `/v1/listings/${listingId}/bids`, {
      key: s.p.key,
      body: { bidderId: x, amount: 100 },
    });
    expect(bidOnSealed.body).toMatchObject({ code: 'not_an_auction', kind: 'sealed' });
    expect((await reveal(s.p, listingId, x, 100, 'short')).body.code).toBe('validation_failed');
    expect((await t.call('GET', `/v1/listings/${listingId}/bids`)).body.code).toBe('not_an_auction');
    expect(await t.deps.db.selectFrom('sealed_bids').select('id').where('listing_id', '=', listingId).execute()).toEqual([]);
  });
});
