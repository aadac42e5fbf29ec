import { createRoute, z } from '@hono/zod-openapi';
import { pageQuerySchema, pageSchema } from '../../http/pagination.js';
import { idParams, idSchema, jsonResponse, problems } from '../../http/schemas.js';
import { guardText } from '../../http/text.js';
import { ASSET_KINDS, CATEGORIES } from '../assets/assets.schemas.js';
import { marketCurrencySchema, PUBLIC } from '../market/market.schemas.js';
import {
  BOARD_SORTS,
  boardListingSchema,
  boardStatsSchema,
  boardTradeSchema,
  LISTING_KINDS,
  specSheetSchema,
} from './board.schemas.js';

const tags = ['board'];
const price = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const listBoardListings = createRoute({
  method: 'get',
  path: '/v1/board/listings',
  tags,
  security: PUBLIC,
  summary: 'Open listings (public)',
  description:
    'Listings taking buyers or bids now: open, started, not past their end (a listing whose end has passed is never ' +
    'shown, even before it is marked expired or closed), and not of a frozen unit. A sealed-bid auction shows until ' +
    'its commit deadline.\n\n' +
    "**Prices** are in minor units at the instant `asOf` (the request's): the fixed price, the Dutch price at that " +
    "instant, an English auction's highest bid (its start price before the first bid). A sealed-bid auction has no " +
    'visible price: `minPrice`/`maxPrice` leave it out, and the price sorts put it after every priced listing. Price ' +
    'bounds and price sorts compare minor units, so combine them with `currency`.\n\n' +
    '**Price order** is by a stored sort key, so that every page is an index seek: exact for fixed prices and English ' +
    "auctions (a bid moves its auction at once). A Dutch auction's price falls continuously, so its place is its price " +
    "at the last refresh by the server's scheduler, redone once the price has fallen by 0.5 % (not within a minute): " +
    'between refreshes a Dutch auction ' +
    'may show a price slightly lower than its place in the order suggests. Price bounds compare the price shown.\n\n' +
    '**Paging**: `nextCursor` carries the last sort key, and the next page starts after it. A listing whose place ' +
    'changes during a walk (a bid, a Dutch refresh, an English end extended by a late bid in `ending_soon`) may be ' +
    'seen twice or not at all by that walk; every other listing is seen exactly once. Cursors last 15 minutes ' +
    '(400 `cursor_expired`).',
  request: {
    query: pageQuerySchema.extend({
      kind: z.enum(ASSET_KINDS).optional().openapi({ description: 'The kind of work.' }),
      category: z.enum(CATEGORIES).optional(),
      currency: marketCurrencySchema.optional(),
      listingKind: z.enum(LISTING_KINDS).optional().openapi({ description: 'Fixed price, or the kind of auction.' }),
      minPrice: price.optional().openapi({ description: 'Current price at least this (minor units).' }),
      maxPrice: price.optional().openapi({ description: 'Current price at most this (minor units).' }),
      sort: z
        .enum(BOARD_SORTS)
        .default('newest')
        .openapi({
          description:
            'newest: most recently listed first; ending_soon: earliest end first, listings without an end last; ' +
            'price_asc / price_desc: by price (for Dutch auctions, the price at the last refresh: see above), ' +
            'sealed-bid auctions last. Ties go by listing id (in the direction of the sort; sealed-bid ones ascending).',
        }),
    }),
  },
  responses: {
    200: jsonResponse(
      'A page of open listings',
      pageSchema(boardListingSchema).extend({
        asOf: z.string().openapi({ description: 'The instant the prices on this page are for (RFC 3339).' }),
      }),
    ),
    ...problems(400),
  },
});

export const listBoardTrades = createRoute({
  method: 'get',
  path: '/v1/board/trades',
  tags,
  security: PUBLIC,
  summary: 'Recent settled trades, newest first (public)',
  description:
    'Parties appear as pseudonyms, never as account ids: `p_` + the first 16 hex digits of ' +
    'SHA-256("haipai-board:" + account id). A pseudonym is stable, so one party can be followed across trades; it ' +
    'is not a secret mapping: the `trade.settled` event at `logIndex` in the public log names the accounts (account ' +
    'ids are themselves pseudonymous; events never carry names or identity documents).',
  request: {
    query: pageQuerySchema.extend({
      currency: marketCurrencySchema.optional(),
      category: z.enum(CATEGORIES).optional(),
      assetId: idSchema('ast').optional().openapi({ description: 'Trades of this work only.' }),
    }),
  },
  responses: { 200: jsonResponse('A page of trades', pageSchema(boardTradeSchema)), ...problems(400) },
});

const instantOrDay = z
  .union([guardText(z.iso.date(), { max: 10 }), guardText(z.iso.datetime({ offset: true }), { max: 40 })])
  .openapi({ example: '2026-07-01', description: 'A UTC day (its 00:00) or an RFC 3339 instant.' });

export const boardStats = createRoute({
  method: 'get',
  path: '/v1/board/stats',
  tags,
  security: PUBLIC,
  summary: 'Volume, count, mean and median price of settled trades, by currency, category and UTC day (public)',
  description:
    'A simple price index over settled trades in [from, to). Default window: the last 30 UTC days including today; at ' +
    'most 366 days. Every figure is an integer in minor units: the mean is volume / count rounded half up; the ' +
    'median is the middle price, or for an even count the mean of the two middle prices rounded half up. Figures ' +
    'are per currency (never summed across currencies); days with no trades are left out.',
  request: {
    query: z.object({
      from: instantOrDay.optional().openapi({ description: 'Start, inclusive. A UTC day or an RFC 3339 instant.' }),
      to: instantOrDay.optional().openapi({ description: 'End, exclusive. A UTC day (its 00:00) or an RFC 3339 instant.' }),
      currency: marketCurrencySchema.optional(),
      category: z.enum(CATEGORIES).optional(),
    }),
  },
  responses: { 200: jsonResponse('Statistics', boardStatsSchema), ...problems(400) },
});

export const listingSpecSheet = createRoute({
  method: 'get',
  path: '/v1/board/listings/{id}/spec',
  tags,
  security: PUBLIC,
  summary: 'The public spec sheet of a listing: work, rights, edition, previous owners, transfer policy, log proofs',
  description:
    "`logProof.registration` proves the work's registration event and `logProof.ownership` the unit's latest change " +
    'of owner, each as a C2SP tlog-proof against the latest signed checkpoint (null fields until the event is ' +
    'integrated). Check one with `npm run verify -- <file> --vkey <key from /log/vkey>`.',
  request: { params: idParams('lst') },
  responses: { 200: jsonResponse('The spec sheet', specSheetSchema), ...problems(400, 404) },
});

export const tradeCertificateProof = createRoute({
  method: 'get',
  path: '/v1/trades/{id}/certificate.tlog-proof',
  tags: ['market'],
  summary: "Download a trade's certificate: the offline proof (C2SP tlog-proof) of its trade.settled event",
  description:
    'For whoever may read the trade. 409 `trade_not_settled` before settlement, `certificate_pending` until the ' +
    'integrator has put the event into a signed checkpoint (normally within seconds).',
  request: { params: idParams('trd') },
  responses: {
    200: { description: 'The proof file', content: { 'text/plain': { schema: z.string() } } },
    ...problems(400, 401, 404, 409),
  },
});
