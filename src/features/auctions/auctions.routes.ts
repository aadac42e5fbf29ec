import { createRoute, z } from '@hono/zod-openapi';
import { pageQuerySchema, pageSchema } from '../../http/pagination.js';
import { idempotencyHeader, idParams, idSchema, jsonBody, jsonResponse, problems } from '../../http/schemas.js';
import { text } from '../../http/text.js';
import { moneySchema } from '../ledger/ledger.routes.js';
import { paymentSchema, providerProblem } from '../stripe/stripe.routes.js';

const tags = ['auctions'];
const PUBLIC: { [name: string]: string[] }[] = [{}];

const PREIMAGE_TEXT =
  'commitment = lowercase hex of SHA-256 over the UTF-8 bytes of "<amount>:<salt>", where <amount> is the bid ' +
  'in minor units of the listing currency written in base 10 without sign, leading zeros, separators or exponent, ' +
  'and <salt> is 16–128 characters of [A-Za-z0-9_-] that the bidder keeps secret until the reveal. ' +
  'Example: amount 12500, salt "k3P9xQ2mZ7vB1nW4" → preimage "12500:k3P9xQ2mZ7vB1nW4" → ' +
  'commitment = sha256hex("12500:k3P9xQ2mZ7vB1nW4"). Use at least 16 random characters: the salt is what keeps the amount secret.';

const WINNER_TEXT =
  'English: the highest bid wins if it reaches the reserve (accepted bids only ever rise). ' +
  'Sealed: among commitments whose reveal hashes to them and reaches the reserve (revealed amount ≥ max(reservePrice, startPrice)), ' +
  'the highest amount wins; ties go to the earliest committedAt, then the smaller commitment id; unrevealed commitments forfeit. ' +
  'No winner: the listing expires and the unit stays with the seller.';

export const bidSchema = z
  .object({
    id: idSchema('bid'),
    listingId: idSchema('lst'),
    bidderId: idSchema('acc'),
    amount: z.number().int(),
    currency: z.string(),
    createdAt: z.string(),
  })
  .openapi('Bid');

export const commitmentSchema = z
  .object({
    id: idSchema('bid'),
    listingId: idSchema('lst'),
    bidderId: idSchema('acc'),
    commitment: z.string().openapi({ description: 'Lowercase hex SHA-256 of "<amount>:<salt>".' }),
    committedAt: z.string(),
    revealed: z.boolean(),
    amount: z.number().int().nullable().openapi({ description: 'Null until revealed.' }),
    salt: z.string().nullable().openapi({ description: 'Null until revealed.' }),
    revealedAt: z.string().nullable(),
    currency: z.string(),
  })
  .openapi('SealedBidCommitment');

const outcomeSchema = z
  .object({
    result: z
      .enum(['won', 'no_winner'])
      .openapi({ description: 'won: a winner was reserved the unit; no_winner: the listing expired.' }),
    winnerId: idSchema('acc').nullable(),
    amount: z.number().int().nullable(),
    tradeId: idSchema('trd').nullable(),
    tradeStatus: z
      .enum(['reserved', 'settled', 'released'])
      .nullable()
      .openapi({ description: 'reserved: awaiting the winner’s payment; released: the winner did not pay in time.' }),
  })
  .openapi('AuctionOutcome');

export const auctionSchema = z
  .object({
    listingId: idSchema('lst'),
    kind: z.enum(['english', 'sealed']),
    status: z.enum(['open', 'closed', 'sold', 'cancelled', 'expired']),
    phase: z
      .enum(['scheduled', 'bidding', 'commit', 'reveal', 'ended', 'cancelled'])
      .openapi({ description: 'English: scheduled → bidding → ended. Sealed: scheduled → commit → reveal → ended.' }),
    currency: z.string(),
    startsAt: z.string(),
    endsAt: z
      .string()
      .openapi({ description: 'English: the end, after any anti-sniping extension. Sealed: the commit deadline.' }),
    revealEndsAt: z.string().nullable(),
    reservePrice: z.number().int().nullable(),
    startPrice: z.number().int().nullable(),
    minIncrement: z.number().int().nullable(),
    antiSnipeSeconds: z.number().int().nullable(),
    bids: z.number().int().openapi({ description: 'English: accepted bids. Sealed: commitments.' }),
    revealed: z.number().int().nullable().openapi({ description: 'Sealed: commitments revealed so far.' }),
    highestBid: bidSchema.nullable().openapi({ description: 'English only.' }),
    minimumNextBid: z.number().int().nullable().openapi({ description: 'English, while bidding: the least a bid may be.' }),
    outcome: outcomeSchema.nullable().openapi({ description: 'Once the auction has closed.' }),
    winnerRule: z.string(),
  })
  .openapi('Auction');

export const pendingCardBidSchema = z
  .object({
    paymentId: z.string().openapi({ description: 'Our id of the card authorisation behind the bid.' }),
    listingId: idSchema('lst'),
    bidderId: idSchema('acc'),
    amount: z.number().int(),
    currency: z.string(),
    status: z.enum(['awaiting_authorisation', 'counted', 'refused']).openapi({
      description:
        'awaiting_authorisation: confirm the PaymentIntent (manual capture); the bid counts when Stripe reports the ' +
        'authorisation, if it still reaches the minimum then. counted: an accepted bid (`bidId`). refused: it will never count.',
    }),
    bidId: idSchema('bid').nullable(),
  })
  .openapi('PendingCardBid');

export const placeBid = createRoute({
  method: 'post',
  path: '/v1/listings/{id}/bids',
  tags,
  summary: 'Bid on an English auction (a platform for its account, or the account itself)',
  description:
    'A bid must be at least the start price and at least the highest bid plus the minimum increment ' +
    '(409 `bid_too_low` names `minimumAmount`). A bid in the last `antiSnipeSeconds` moves the end to now + antiSnipeSeconds. ' +
    'Balance rail (default): the amount is held on the bidder’s clearing balance until outbid or the auction ends, and the ' +
    'winner pays from that hold when the auction closes. Stripe rail (`rail: "stripe"`): 202 with a PaymentIntent for the ' +
    'amount with manual capture; the bid counts only once Stripe reports the card authorised (webhook) and it still reaches ' +
    'the minimum then; an outbid or losing authorisation is cancelled, the winner’s is captured at the close. ' +
    'Codes: `not_an_auction`, `auction_not_open` (not started or cancelled), `auction_ended`, `own_listing`, ' +
    '`transfer_refused` (with `rule`: real_name_required, adults_only, auctions_not_allowed), `bid_too_low`, ' +
    "`insufficient_funds` (the bid is held on the bidder's clearing balance until outbid or the auction ends).",
  request: {
    params: idParams('lst'),
    headers: idempotencyHeader,
    body: jsonBody(
      z
        .object({
          bidderId: idSchema('acc'),
          amount: moneySchema.openapi({ description: 'Minor units of the listing currency.' }),
          rail: z
            .enum(['balance', 'stripe'])
            .default('balance')
            .openapi({ description: 'What funds the bid: a hold on the clearing balance, or a card authorisation.' }),
        })
        .strict(),
    ),
  },
  responses: {
    201: jsonResponse(
      'The accepted bid and the auction end after it',
      z.object({ bid: bidSchema, endsAt: z.string(), extended: z.boolean() }),
    ),
    202: jsonResponse(
      'A card bid waiting for Stripe’s authorisation, and the PaymentIntent to confirm',
      z.object({ pendingBid: pendingCardBidSchema, payment: paymentSchema }),
    ),
    ...problems(400, 401, 403, 404, 409, 422),
    ...providerProblem,
  },
});

export const listBids = createRoute({
  method: 'get',
  path: '/v1/listings/{id}/bids',
  tags,
  summary: "An English auction's accepted bids, highest first (public)",
  description:
    'Every accepted bid is kept. Accepted bids only ever rise, so highest first is also newest first. ' +
    'Reading an auction after its end closes it if the scheduler has not yet.',
  security: PUBLIC,
  request: { params: idParams('lst'), query: pageQuerySchema },
  responses: { 200: jsonResponse('A page of bids', pageSchema(bidSchema)), ...problems(400, 404, 409) },
});

export const commit = createRoute({
  method: 'post',
  path: '/v1/listings/{id}/commitments',
  tags,
  summary: 'Commit a sealed bid before the deadline (a platform for its account, or the account itself)',
  description:
    `${PREIMAGE_TEXT} ` +
    'One commitment per bidder: committing again before the deadline replaces the earlier commitment (201, with `replaces`; ' +
    'the replacement counts as a new commitment for tie-breaks); sending the identical commitment again changes nothing (200). ' +
    'Commitments are public at once (without amounts). ' +
    'Codes: `not_an_auction`, `auction_not_open`, `auction_ended`, `commit_phase_over`, `own_listing`, `transfer_refused`.',
  request: {
    params: idParams('lst'),
    headers: idempotencyHeader,
    body: jsonBody(
      z
        .object({
          bidderId: idSchema('acc'),
          commitment: text({ max: 64 })
            .regex(/^[0-9a-f]{64}$/, 'lowercase hex SHA-256 (64 characters)')
            .openapi({ example: 'a3f1c2…' }),
        })
        .strict(),
    ),
  },
  responses: {
    200: jsonResponse('The same commitment was already in place', z.object({ commitment: commitmentSchema, replaces: z.null() })),
    201: jsonResponse('Committed', z.object({ commitment: commitmentSchema, replaces: idSchema('bid').nullable() })),
    ...problems(400, 401, 403, 404, 409, 422, 429),
  },
});

export const listCommitments = createRoute({
  method: 'get',
  path: '/v1/listings/{id}/commitments',
  tags,
  summary: "A sealed-bid auction's commitments, with amounts and salts once revealed (public)",
  description:
    `Oldest commitment first. To check an outcome yourself: fetch every page; for each revealed entry recompute ${PREIMAGE_TEXT} ` +
    `Then apply the rule: ${WINNER_TEXT} Compare with \`GET /v1/listings/{id}/auction\` → outcome, and with the ` +
    '`sealed_bid.committed` / `sealed_bid.revealed` / `listing.closed` events in the transparency log.',
  security: PUBLIC,
  request: { params: idParams('lst'), query: pageQuerySchema },
  responses: { 200: jsonResponse('A page of commitments', pageSchema(commitmentSchema)), ...problems(400, 404, 409) },
});

export const reveal = createRoute({
  method: 'post',
  path: '/v1/listings/{id}/reveals',
  tags,
  summary: 'Reveal a sealed bid between the commit deadline and the reveal deadline',
  description:
    `The amount and salt must hash to the bidder's commitment: ${PREIMAGE_TEXT} ` +
    'A refused reveal changes nothing and may be retried until the reveal deadline; a commitment unrevealed by then forfeits. ' +
    'Codes: `not_an_auction`, `auction_not_open`, `reveal_phase_not_open` (before the commit deadline), `reveal_phase_over`, ' +
    '`no_commitment`, `already_revealed`, `reveal_mismatch`, `bid_below_reserve`.',
  request: {
    params: idParams('lst'),
    headers: idempotencyHeader,
    body: jsonBody(
      z
        .object({
          bidderId: idSchema('acc'),
          amount: moneySchema.openapi({ description: 'Minor units of the listing currency, as committed.' }),
          salt: text({ max: 128 }).regex(/^[A-Za-z0-9_-]{16,128}$/, '16–128 characters of [A-Za-z0-9_-]'),
        })
        .strict(),
    ),
  },
  responses: { 200: jsonResponse('Revealed', commitmentSchema), ...problems(400, 401, 403, 404, 409, 422) },
});

export const getAuction = createRoute({
  method: 'get',
  path: '/v1/listings/{id}/auction',
  tags,
  summary: "An auction's phase, standing and outcome (public)",
  description: `How the winner is decided: ${WINNER_TEXT} Reading an auction after its end closes it if the scheduler has not yet.`,
  security: PUBLIC,
  request: { params: idParams('lst') },
  responses: { 200: jsonResponse('The auction', auctionSchema), ...problems(400, 404, 409) },
});
