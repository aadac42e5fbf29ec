import { createRoute, z } from '@hono/zod-openapi';
import { idempotencyHeader, idParams, idSchema, jsonBody, jsonResponse, problems } from '../../http/schemas.js';
import { paymentSchema, providerProblem } from '../stripe/stripe.routes.js';
import { instantSchema, listingSchema, marketCurrencySchema, moneySchema, PUBLIC, tradeSchema } from './market.schemas.js';

/** A purchase's trade; on the stripe rail with the PaymentIntent to confirm. */
const purchaseSchema = tradeSchema.extend({ payment: paymentSchema.optional() }).openapi('Purchase');

const tags = ['market'];

const common = {
  sellerId: idSchema('acc').openapi({ description: 'The seller: an account the caller acts for.' }),
  unitId: idSchema('unt').optional().openapi({ description: 'Secondary sale: the unit, which the seller owns.' }),
  editionId: idSchema('edn')
    .optional()
    .openapi({ description: "Primary sale: the edition whose unsold units the work's rights holder sells." }),
  quantity: z
    .number()
    .int()
    .min(1)
    .max(100_000)
    .optional()
    .openapi({ description: 'Primary sales only: how many units at most (default 1).' }),
  currency: marketCurrencySchema,
  startsAt: instantSchema.optional().openapi({ description: 'Default: now. Not in the past.' }),
};

const fixed = z
  .object({ kind: z.literal('fixed'), ...common, price: moneySchema, endsAt: instantSchema.optional() })
  .strict()
  .openapi('FixedListingInput');
const dutch = z
  .object({
    kind: z.literal('dutch'),
    ...common,
    startPrice: moneySchema,
    floorPrice: moneySchema,
    endsAt: instantSchema.openapi({ description: 'The price reaches the floor here; the listing ends.' }),
  })
  .strict()
  .openapi('DutchListingInput', {
    description:
      'The price falls linearly from startPrice at startsAt to floorPrice at endsAt: ' +
      'price = startPrice − floor((startPrice − floorPrice) × elapsed ms / duration ms).',
  });
const english = z
  .object({
    kind: z.literal('english'),
    ...common,
    startPrice: moneySchema,
    reservePrice: moneySchema.optional(),
    minIncrement: moneySchema,
    endsAt: instantSchema,
    antiSnipeSeconds: z
      .number()
      .int()
      .min(0)
      .max(3600)
      .default(300)
      .openapi({ description: 'A bid this close to the end extends it by this much.' }),
  })
  .strict()
  .openapi('EnglishListingInput');
const sealed = z
  .object({
    kind: z.literal('sealed'),
    ...common,
    reservePrice: moneySchema.optional(),
    endsAt: instantSchema.openapi({ description: 'Commitments are accepted until here.' }),
    revealEndsAt: instantSchema.openapi({ description: 'Reveals are accepted from endsAt until here.' }),
    bidDeposit: moneySchema.optional().openapi({
      description:
        'A deposit each bidder puts up from its clearing balance when it first commits: given back after a reveal, ' +
        "forfeited to the seller if the commitment is never revealed; the winner's counts toward the price. " +
        'At most the lowest acceptable bid (reservePrice, else 1).',
    }),
  })
  .strict()
  .openapi('SealedListingInput');

export const createListingBody = z.discriminatedUnion('kind', [fixed, dutch, english, sealed]).superRefine((b, ctx) => {
  if (Boolean(b.unitId) === Boolean(b.editionId)) {
    ctx.addIssue({ code: 'custom', path: ['unitId'], message: 'name either unitId (secondary) or editionId (primary)' });
  }
  if (b.unitId && b.quantity !== undefined && b.quantity !== 1) {
    ctx.addIssue({ code: 'custom', path: ['quantity'], message: 'a unit listing sells exactly one unit' });
  }
  if ((b.kind === 'english' || b.kind === 'sealed') && (b.quantity ?? 1) !== 1) {
    ctx.addIssue({ code: 'custom', path: ['quantity'], message: 'an auction sells one unit' });
  }
  if (b.kind === 'dutch' && b.floorPrice > b.startPrice) {
    ctx.addIssue({ code: 'custom', path: ['floorPrice'], message: 'the floor must not be above the start price' });
  }
  if (b.kind === 'sealed' && b.bidDeposit !== undefined && b.bidDeposit > (b.reservePrice ?? 1)) {
    // The winner's deposit counts toward the price, so it may never exceed the lowest winning bid.
    ctx.addIssue({ code: 'custom', path: ['bidDeposit'], message: 'the deposit must not exceed the lowest acceptable bid' });
  }
  if (b.kind === 'sealed' && Date.parse(b.revealEndsAt) <= Date.parse(b.endsAt)) {
    ctx.addIssue({ code: 'custom', path: ['revealEndsAt'], message: 'the reveal window ends after the commit deadline' });
  }
  if (b.startsAt && b.endsAt && Date.parse(b.endsAt) <= Date.parse(b.startsAt)) {
    ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'endsAt must be after startsAt' });
  }
});

export type CreateListingInput = z.infer<typeof createListingBody>;

export const createListing = createRoute({
  method: 'post',
  path: '/v1/listings',
  tags,
  summary: "List a unit (secondary sale) or an edition's unsold units (primary sale)",
  description:
    "The edition's transfer policy must allow the sale now; a refusal is a 422 `transfer_refused` naming its `rule` " +
    '(resale_not_allowed, resale_holding_time with allowedAt, auctions_not_allowed, licence_not_transferable, ' +
    'daily_transfer_limit, real_name_required, adults_only). English and sealed-bid listings are sold by their auction.',
  request: { headers: idempotencyHeader, body: jsonBody(createListingBody) },
  responses: { 201: jsonResponse('Listed', listingSchema), ...problems(400, 401, 403, 404, 409, 422) },
});

export const getListing = createRoute({
  method: 'get',
  path: '/v1/listings/{id}',
  tags,
  summary: 'Read a listing (public)',
  security: PUBLIC,
  request: { params: idParams('lst') },
  responses: { 200: jsonResponse('The listing', listingSchema), ...problems(400, 404) },
});

export const cancelListing = createRoute({
  method: 'post',
  path: '/v1/listings/{id}/cancel',
  tags,
  summary: 'Withdraw an open listing (the seller)',
  description:
    'Refused with 409 while a unit of it is reserved for a buyer (`listing_reserved`), once it is sold, ' +
    'and for an auction that has bids (`auction_has_bids`). Units already sold through a primary listing stay sold.',
  request: { params: idParams('lst'), headers: idempotencyHeader },
  responses: { 200: jsonResponse('Cancelled', listingSchema), ...problems(400, 401, 403, 404, 409) },
});

export const purchaseListing = createRoute({
  method: 'post',
  path: '/v1/listings/{id}/purchase',
  tags,
  summary: 'Buy from a fixed-price or Dutch listing: reserve a unit for the buyer and, by default, settle at once',
  description:
    'One transaction: the listing is locked, the price is the fixed price or the Dutch price at this instant, a unit is ' +
    'reserved for the buyer (primary sales take an unsold unit or mint the next serial) and, unless `settle` is false, ' +
    "paid from the buyer's clearing balance and handed over. Without enough balance nothing happens (409 " +
    '`insufficient_funds`). With `settle: false` the reservation holds for 15 minutes until `POST /v1/trades/{id}/settle`. ' +
    'Send an `Idempotency-Key`: a retry then never buys twice.',
  request: {
    params: idParams('lst'),
    headers: idempotencyHeader,
    body: jsonBody(
      z
        .object({
          buyerId: idSchema('acc').openapi({ description: 'The buyer: an account the caller acts for.' }),
          settle: z.boolean().default(true),
          rail: z
            .enum(['balance', 'stripe'])
            .default('balance')
            .openapi({
              description:
                '`stripe`: the unit is reserved and a Stripe PaymentIntent is created (its client secret is in `payment`); ' +
                'the trade settles when Stripe confirms the payment (webhook). `settle` is ignored.',
            }),
        })
        .strict(),
    ),
  },
  responses: {
    201: jsonResponse('The trade', purchaseSchema),
    ...problems(400, 401, 403, 404, 409, 422, 429),
    ...providerProblem,
  },
});
