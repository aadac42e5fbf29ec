import { z } from '@hono/zod-openapi';
import { idSchema } from '../../http/schemas.js';
import { ASSET_KINDS, ASSET_STATUSES, CATEGORIES, CREATOR_ROLES } from '../assets/assets.schemas.js';
import { licenceSchema } from '../assets/licence.js';
import { PRESET_NAMES, transferPolicySchema } from '../editions/policy.js';
import { registerEntrySchema } from '../licensing/licensing.schemas.js';

export const LISTING_KINDS = ['fixed', 'english', 'dutch', 'sealed'] as const;
export const BOARD_SORTS = ['newest', 'ending_soon', 'price_asc', 'price_desc'] as const;
export type BoardSort = (typeof BOARD_SORTS)[number];

export const PRICE_BASES = ['fixed', 'dutch', 'highest_bid', 'start_price'] as const;
export type PriceBasis = (typeof PRICE_BASES)[number];

const priceDescription =
  "What the listing costs at `asOf` (the request's instant), in minor units: the fixed price; the Dutch price at that instant; an English " +
  "auction's highest bid, or its start price before the first bid. Null for a sealed-bid auction, whose bids are secret.";

const workSchema = z
  .object({
    id: idSchema('ast'),
    title: z.string(),
    kind: z.enum(ASSET_KINDS),
    category: z.enum(CATEGORIES),
    registrationNumber: z.string().nullable(),
  })
  .openapi('BoardWork');

export const boardListingSchema = z
  .object({
    id: idSchema('lst'),
    kind: z
      .enum(LISTING_KINDS)
      .openapi({ description: 'How it sells: fixed price, or an English, Dutch or sealed-bid auction.' }),
    currency: z.string(),
    price: z.number().int().nullable().openapi({ description: priceDescription }),
    priceBasis: z
      .enum(PRICE_BASES)
      .nullable()
      .openapi({ description: 'Where `price` comes from; null for a sealed-bid auction.' }),
    asset: workSchema,
    edition: z
      .object({
        id: idSchema('edn'),
        size: z.number().int(),
        serial: z.number().int().nullable().openapi({ description: 'A secondary sale: the serial of the unit on sale.' }),
        remaining: z
          .number()
          .int()
          .nullable()
          .openapi({ description: 'A primary sale: how many units the listing still offers.' }),
        label: z.string().openapi({ example: '7/100', description: '"<serial>/<size>", or "<n> left" for a primary sale.' }),
      })
      .openapi('BoardEdition'),
    unitId: idSchema('unt').nullable(),
    startsAt: z.string(),
    endsAt: z.string().nullable().openapi({
      description: 'Fixed and Dutch: when it ends unsold; English: the (possibly extended) end; sealed: the commit deadline.',
    }),
    createdAt: z.string(),
  })
  .openapi('BoardListing');

export const boardTradeSchema = z
  .object({
    id: idSchema('trd'),
    asset: workSchema,
    editionSize: z.number().int(),
    serial: z.number().int(),
    label: z.string().openapi({ example: '7/100' }),
    market: z
      .enum([...LISTING_KINDS, 'offer'])
      .openapi({ description: 'The kind of listing it was bought from, or `offer` for an accepted offer.' }),
    price: z.number().int(),
    currency: z.string(),
    settledAt: z.string(),
    seller: z
      .string()
      .openapi({ example: 'p_3f9a0c12d4e5b6a7', description: 'Pseudonym of the seller (see the board description).' }),
    buyer: z.string().openapi({ example: 'p_8b1e2d3c4f5a6978', description: 'Pseudonym of the buyer.' }),
    logIndex: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'Index of its `trade.settled` event in the transparency log; null until integrated.' }),
  })
  .openapi('BoardTrade');

const statsRowFields = {
  currency: z.string(),
  count: z.number().int(),
  volume: z.number().int().openapi({ description: 'Sum of the prices, minor units.' }),
  mean: z.number().int().openapi({ description: 'volume / count, rounded half up to a whole minor unit.' }),
  median: z.number().int().openapi({
    description: 'The middle price; for an even count the mean of the two middle prices, rounded half up.',
  }),
  min: z.number().int(),
  max: z.number().int(),
};

export const boardStatsSchema = z
  .object({
    from: z.string().openapi({ description: 'Start of the window (inclusive), RFC 3339.' }),
    to: z.string().openapi({ description: 'End of the window (exclusive), RFC 3339.' }),
    total: z.array(z.object(statsRowFields)).openapi({ description: 'Per currency.' }),
    byCategory: z.array(z.object({ ...statsRowFields, category: z.enum(CATEGORIES) })),
    byDay: z.array(z.object({ ...statsRowFields, day: z.string().openapi({ example: '2026-07-01', description: 'UTC day.' }) })),
  })
  .openapi('BoardStats');

const eventProofSchema = z
  .object({
    eventId: idSchema('evt'),
    type: z.string(),
    logIndex: z.number().int().nullable(),
    leafHash: z.string().nullable().openapi({ description: 'RFC 6962 leaf hash, base64.' }),
    tlogProof: z.string().nullable().openapi({ description: 'C2SP tlog-proof against the latest checkpoint.' }),
  })
  .openapi('BoardEventProof', { description: 'An event and, once integrated into the log, its offline proof.' });

export const specSheetSchema = z
  .object({
    listing: z.object({
      id: idSchema('lst'),
      kind: z.enum(LISTING_KINDS),
      status: z.enum(['open', 'closed', 'sold', 'cancelled', 'expired']),
      currency: z.string(),
      price: z.number().int().nullable().openapi({ description: priceDescription }),
      priceBasis: z.enum(PRICE_BASES).nullable(),
      startsAt: z.string(),
      endsAt: z.string().nullable(),
    }),
    work: workSchema.extend({
      status: z.enum(ASSET_STATUSES),
      registeredAt: z.string().nullable(),
      identityCode: z.string().nullable(),
      parents: z.array(idSchema('ast')).openapi({ description: 'The works this one derives from.' }),
    }),
    creators: z.array(z.object({ accountId: idSchema('acc'), role: z.enum(CREATOR_ROLES), shareBps: z.number().int() })),
    rightsHolderId: idSchema('acc'),
    licence: licenceSchema,
    licenceGrants: z
      .array(registerEntrySchema)
      .openapi({ description: 'Licence grants of the work in force (the licence register).' }),
    edition: z.object({
      id: idSchema('edn'),
      size: z.number().int(),
      minted: z.number().int(),
      royaltyBps: z.number().int(),
      serial: z.number().int().nullable(),
      label: z.string(),
    }),
    unit: z.object({ id: idSchema('unt'), serial: z.number().int(), frozen: z.boolean() }).nullable(),
    previousOwners: z
      .number()
      .int()
      .openapi({
        description:
          'Distinct accounts that held the unit and passed it on by sale or gift (the current owner counts only if it ' +
          'held the unit before and passed it on). 0 for a primary sale.',
      }),
    ownerChanges: z.number().int().openapi({ description: 'Changes of owner of the unit since its mint (sales and gifts).' }),
    transferPolicy: z.object({ preset: z.enum(PRESET_NAMES), policy: transferPolicySchema }),
    logProof: z.object({
      registration: eventProofSchema.nullable().openapi({ description: "The work's `asset.registered` event." }),
      ownership: eventProofSchema
        .nullable()
        .openapi({ description: "The unit's latest change of owner (its mint, a sale or a gift); null for a primary sale." }),
    }),
  })
  .openapi('SpecSheet');
