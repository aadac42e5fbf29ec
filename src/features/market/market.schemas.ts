import { z } from '@hono/zod-openapi';
import { idSchema } from '../../http/schemas.js';
import { guardText, text } from '../../http/text.js';
import { moneySchema } from '../ledger/ledger.routes.js';

export const PUBLIC: { [name: string]: string[] }[] = [{}];
export { moneySchema };

/** ISO 4217 codes the runtime knows (Node and workerd both ship ICU); format-only if it cannot tell. */
const KNOWN_CURRENCIES: ReadonlySet<string> | null = (() => {
  try {
    return new Set(Intl.supportedValuesOf('currency'));
  } catch {
    return null;
  }
})();

export const marketCurrencySchema = text({ max: 3 })
  .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as CNY')
  .refine((c) => !KNOWN_CURRENCIES || KNOWN_CURRENCIES.has(c), 'not an ISO 4217 currency')
  .openapi({ example: 'CNY' });

export const instantSchema = guardText(z.iso.datetime({ offset: true }), { max: 40 }).openapi({
  example: '2026-07-01T12:00:00Z',
  description: 'RFC 3339 timestamp.',
});

const LISTING_KINDS = ['fixed', 'english', 'dutch', 'sealed'] as const;
const LISTING_STATUSES = ['open', 'closed', 'sold', 'cancelled', 'expired'] as const;
const nullableMoney = z.number().int().nullable();

export const listingSchema = z
  .object({
    id: idSchema('lst'),
    kind: z.enum(LISTING_KINDS),
    status: z.enum(LISTING_STATUSES).openapi({
      description:
        'open: takes buyers (or bids); sold: every unit is reserved or sold; closed: an auction that ended; ' +
        'cancelled by the seller or by a change of owner; expired: ended unsold. A listing past `endsAt` reads as expired.',
    }),
    sellerId: idSchema('acc'),
    platformId: idSchema('plt'),
    unitId: idSchema('unt').nullable().openapi({ description: 'A secondary sale: this unit. Null for a primary sale.' }),
    editionId: idSchema('edn'),
    assetId: idSchema('ast'),
    quantity: z.number().int(),
    sold: z.number().int().openapi({ description: 'Units reserved or sold through this listing.' }),
    currency: z.string(),
    price: nullableMoney.openapi({ description: 'Fixed price, minor units.' }),
    startPrice: nullableMoney,
    floorPrice: nullableMoney,
    reservePrice: nullableMoney,
    minIncrement: nullableMoney,
    antiSnipeSeconds: z.number().int().nullable(),
    currentPrice: nullableMoney.openapi({
      description: 'What a purchase costs right now: the fixed price, or the Dutch price at this instant; null for auctions.',
    }),
    startsAt: z.string(),
    endsAt: z.string().nullable(),
    revealEndsAt: z.string().nullable(),
    bidDeposit: nullableMoney.openapi({ description: 'Sealed bids: the deposit each commitment puts up; null if none.' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Listing');

export const tradeSchema = z
  .object({
    id: idSchema('trd'),
    listingId: idSchema('lst').nullable(),
    offerId: idSchema('ofr').nullable(),
    unitId: idSchema('unt'),
    sellerId: idSchema('acc'),
    buyerId: idSchema('acc'),
    platformId: idSchema('plt').openapi({ description: 'The platform that earns the fee.' }),
    currency: z.string(),
    price: z.number().int(),
    feeBps: z.number().int(),
    royaltyBps: z.number().int(),
    rail: z.enum(['balance', 'stripe']),
    status: z.enum(['reserved', 'settled', 'released']),
    reservedUntil: z.string(),
    journalId: idSchema('jnl').nullable(),
    createdAt: z.string(),
    settledAt: z.string().nullable(),
    releasedAt: z.string().nullable(),
    releaseReason: z.string().nullable(),
  })
  .openapi('Trade');

export const offerSchema = z
  .object({
    id: idSchema('ofr'),
    unitId: idSchema('unt'),
    buyerId: idSchema('acc').openapi({ description: 'A pseudonymous account id.' }),
    platformId: idSchema('plt'),
    currency: z.string(),
    amount: z.number().int(),
    expiresAt: z.string(),
    status: z.enum(['open', 'accepted', 'cancelled', 'expired', 'declined']),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Offer');
