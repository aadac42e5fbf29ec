import { toHex } from '../../crypto/bytes.js';
import type { Db } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import { requirePrincipal } from '../../http/auth.js';
import { decodeCursor, toPage } from '../../http/pagination.js';
import { conflict, notFound } from '../../http/problem.js';
import { createRouter } from '../../http/router.js';
import { iso } from '../../http/schemas.js';
import type { PaymentRow } from '../stripe/payments.repo.js';
import { englishMinimum } from './auction-rules.js';
import { auctionTrade, bidSummary, bidsPage, commitmentsPage, findListing, type Listing } from './auctions.repo.js';
import * as routes from './auctions.routes.js';
import { placeBid } from './bids.service.js';
import { placeCardBid } from './card-bids.service.js';
import { auctionDue } from './closing.service.js';
import { commitSealedBid, revealSealedBid } from './sealed.service.js';

const presentBid = (currency: string) => (b: Row<'bids'>) => ({
  id: b.id,
  listingId: b.listing_id,
  bidderId: b.bidder_id,
  amount: Number(b.amount),
  currency,
  createdAt: b.created_at.toISOString(),
});

const presentCardBid = (p: PaymentRow) => ({
  paymentId: p.id,
  listingId: p.listing_id!,
  bidderId: p.holder,
  amount: Number(p.amount),
  currency: p.currency,
  status: p.bid_id ? ('counted' as const) : p.bid_refused ? ('refused' as const) : ('awaiting_authorisation' as const),
  bidId: p.bid_id,
});

const presentCommitment = (currency: string) => (s: Row<'sealed_bids'>) => ({
  id: s.id,
  listingId: s.listing_id,
  bidderId: s.bidder_id,
  commitment: toHex(s.commitment),
  committedAt: s.committed_at.toISOString(),
  revealed: s.revealed_at !== null,
  amount: s.amount === null ? null : Number(s.amount),
  salt: s.salt,
  revealedAt: iso(s.revealed_at),
  currency,
});

/**
 * The auction listing as stored. Reads never write: an auction past its end is closed by the
 * scheduler (or by the next bid, reveal or settlement), and until then its phase reads `ended`.
 */
async function currentAuction(db: Db, id: string, _now: Date, kind?: 'english' | 'sealed'): Promise<Listing> {
  const listing = await findListing(db, id);
  if (!listing) throw notFound('listing', id);
  if (kind ? listing.kind !== kind : listing.kind !== 'english' && listing.kind !== 'sealed') {
    throw conflict('not_an_auction', `Listing ${id} is a ${listing.kind} listing.`, { kind: listing.kind });
  }
  return listing;
}

export function auctionsRouter() {
  return createRouter()
    .openapi(routes.placeBid, async (c) => {
      const principal = requirePrincipal(c, 'platform', 'account');
      const deps = c.get('deps');
      const { rail, ...input } = c.req.valid('json');
      if (rail === 'stripe') {
        const pending = await placeCardBid(deps, principal, c.req.valid('param').id, input, c.req.header('idempotency-key'));
        return c.json({ pendingBid: presentCardBid(pending.payment), payment: pending.view }, 202);
      }
      // A card bid this beats has its authorisation cancelled by the schedule (sendDueBidActions), not
      // here: this request's writes may still be inside its idempotency transaction.
      const placed = await placeBid(deps.db, principal, c.req.valid('param').id, input, deps.clock);
      return c.json(
        { bid: presentBid(placed.currency)(placed.bid), endsAt: placed.endsAt.toISOString(), extended: placed.extended },
        201,
      );
    })
    .openapi(routes.listBids, async (c) => {
      const { db, clock } = c.get('deps');
      const listing = await currentAuction(db, c.req.valid('param').id, clock.now(), 'english');
      const { after, limit } = c.req.valid('query');
      const cursor = decodeCursor(after, /^\d{1,19}$/);
      const rows = await bidsPage(db, listing.id, { belowAmount: cursor === undefined ? undefined : BigInt(cursor), limit });
      return c.json(
        toPage(rows, limit, (r) => String(r.amount), presentBid(listing.currency)),
        200,
      );
    })
    .openapi(routes.commit, async (c) => {
      const principal = requirePrincipal(c, 'platform', 'account');
      const { db, clock, config } = c.get('deps');
      const result = await commitSealedBid(
        db,
        principal,
        c.req.valid('param').id,
        c.req.valid('json'),
        clock,
        config.MAX_COMMITMENTS_PER_LISTING,
      );
      const listing = await findListing(db, result.commitment.listing_id);
      const commitment = presentCommitment(listing!.currency)(result.commitment);
      if (!result.changed) return c.json({ commitment, replaces: null }, 200);
      return c.json({ commitment, replaces: result.replaces }, 201);
    })
    .openapi(routes.listCommitments, async (c) => {
      const { db, clock } = c.get('deps');
      const listing = await currentAuction(db, c.req.valid('param').id, clock.now(), 'sealed');
      const { after, limit } = c.req.valid('query');
      const rows = await commitmentsPage(db, listing.id, { afterId: decodeCursor(after), limit });
      return c.json(
        toPage(rows, limit, (r) => r.id, presentCommitment(listing.currency)),
        200,
      );
    })
    .openapi(routes.reveal, async (c) => {
      const principal = requirePrincipal(c, 'platform', 'account');
      const { db, clock } = c.get('deps');
      const revealed = await revealSealedBid(db, principal, c.req.valid('param').id, c.req.valid('json'), clock);
      const listing = await findListing(db, revealed.listing_id);
      return c.json(presentCommitment(listing!.currency)(revealed), 200);
    })
    .openapi(routes.getAuction, async (c) => {
      const { db, clock } = c.get('deps');
      const now = clock.now();
      const listing = await currentAuction(db, c.req.valid('param').id, now);
      return c.json(await presentAuction(db, listing, now), 200);
    });
}

async function presentAuction(db: Db, listing: Listing, now: Date) {
  const english = listing.kind === 'english';
  const phase =
    listing.status === 'cancelled'
      ? 'cancelled'
      : listing.status !== 'open' || auctionDue(listing, now)
        ? 'ended'
        : now < listing.starts_at
          ? 'scheduled'
          : english
            ? 'bidding'
            : now < listing.ends_at!
              ? 'commit'
              : 'reveal';
  const num = (v: bigint | null) => (v === null ? null : Number(v));

  let bids: number;
  let revealed: number | null = null;
  let highest: Row<'bids'> | undefined;
  if (english) {
    ({ count: bids, highest } = await bidSummary(db, listing.id));
  } else {
    const counts = await db
      .selectFrom('sealed_bids')
      .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.count<string>('revealed_at').as('revealed')])
      .where('listing_id', '=', listing.id)
      .executeTakeFirstOrThrow();
    bids = Number(counts.n);
    revealed = Number(counts.revealed);
  }

  let outcome = null;
  if (listing.status === 'closed' || listing.status === 'sold' || listing.status === 'expired') {
    const trade = await auctionTrade(db, listing.id);
    outcome = trade
      ? {
          result: 'won' as const,
          winnerId: trade.buyer_id,
          amount: Number(trade.price),
          tradeId: trade.id,
          tradeStatus: trade.status,
        }
      : { result: 'no_winner' as const, winnerId: null, amount: null, tradeId: null, tradeStatus: null };
  }

  return {
    listingId: listing.id,
    kind: listing.kind as 'english' | 'sealed',
    status: listing.status,
    phase: phase as 'scheduled' | 'bidding' | 'commit' | 'reveal' | 'ended' | 'cancelled',
    currency: listing.currency,
    startsAt: listing.starts_at.toISOString(),
    endsAt: listing.ends_at!.toISOString(),
    revealEndsAt: iso(listing.reveal_ends_at),
    reservePrice: num(listing.reserve_price),
    startPrice: num(listing.start_price),
    minIncrement: num(listing.min_increment),
    antiSnipeSeconds: listing.anti_snipe_seconds,
    bids,
    revealed,
    highestBid: highest ? presentBid(listing.currency)(highest) : null,
    minimumNextBid:
      english && (phase === 'bidding' || phase === 'scheduled') ? Number(englishMinimum(listing, highest?.amount ?? null)) : null,
    outcome,
    winnerRule: english
      ? 'The highest bid wins if it reaches the reserve price.'
      : 'The highest revealed amount that hashes to its commitment and reaches the reserve wins; ties go to the earliest commitment (committedAt, then id); unrevealed commitments forfeit.',
  };
}
