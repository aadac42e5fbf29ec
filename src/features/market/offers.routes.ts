import { createRoute, z } from '@hono/zod-openapi';
import { pageQuerySchema, pageSchema } from '../../http/pagination.js';
import { idempotencyHeader, idParams, idSchema, jsonBody, jsonResponse, problems } from '../../http/schemas.js';
import { instantSchema, marketCurrencySchema, moneySchema, offerSchema, PUBLIC, tradeSchema } from './market.schemas.js';

const tags = ['market'];

export const createOffer = createRoute({
  method: 'post',
  path: '/v1/units/{id}/offers',
  tags,
  summary: 'Offer to buy a unit outside any listing (the buyer)',
  description:
    'The offer stands until it expires, is cancelled by the buyer, or is accepted by whoever owns the unit then. ' +
    'Rules that no waiting can change (licence, resale, the buyer’s real name and age) are checked now: 422 `transfer_refused`.',
  request: {
    params: idParams('unt'),
    headers: idempotencyHeader,
    body: jsonBody(
      z
        .object({
          buyerId: idSchema('acc').openapi({ description: 'An account the caller acts for.' }),
          currency: marketCurrencySchema,
          amount: moneySchema,
          expiresAt: instantSchema.openapi({ description: 'In the future, at most 90 days ahead.' }),
        })
        .strict(),
    ),
  },
  responses: { 201: jsonResponse('Offered', offerSchema), ...problems(400, 401, 403, 404, 409, 422, 429) },
});

export const listOffers = createRoute({
  method: 'get',
  path: '/v1/units/{id}/offers',
  tags,
  summary: "A unit's offers, oldest first (public; buyers appear as pseudonymous account ids)",
  security: PUBLIC,
  request: {
    params: idParams('unt'),
    query: pageQuerySchema.extend({
      status: z.enum(['open', 'accepted', 'cancelled', 'expired', 'declined']).optional(),
    }),
  },
  responses: { 200: jsonResponse('A page of offers', pageSchema(offerSchema)), ...problems(400, 404) },
});

export const getOffer = createRoute({
  method: 'get',
  path: '/v1/offers/{id}',
  tags,
  summary: 'Read an offer (public)',
  security: PUBLIC,
  request: { params: idParams('ofr') },
  responses: { 200: jsonResponse('The offer', offerSchema), ...problems(400, 404) },
});

export const acceptOffer = createRoute({
  method: 'post',
  path: '/v1/offers/{id}/accept',
  tags,
  summary: 'Accept an offer (the current owner): the unit is sold and settled at the offer amount',
  description:
    "One transaction: the unit is locked, the policy is applied to the sale, the buyer's balance pays and the unit " +
    "changes owner; the unit's open listing ends. 409 `offer_expired`, `offer_not_open`, `not_owner`, " +
    '`insufficient_funds`; 422 `transfer_refused` with the rule. Other offers on the unit stay open.',
  request: {
    params: idParams('ofr'),
    headers: idempotencyHeader,
    body: jsonBody(
      z
        .object({ sellerId: idSchema('acc').openapi({ description: 'The current owner, an account the caller acts for.' }) })
        .strict(),
    ),
  },
  responses: {
    201: jsonResponse('Accepted and settled', z.object({ offer: offerSchema, trade: tradeSchema })),
    ...problems(400, 401, 403, 404, 409, 422),
  },
});

export const cancelOffer = createRoute({
  method: 'post',
  path: '/v1/offers/{id}/cancel',
  tags,
  summary: 'Withdraw an open offer (the buyer)',
  request: { params: idParams('ofr'), headers: idempotencyHeader },
  responses: { 200: jsonResponse('Cancelled', offerSchema), ...problems(400, 401, 403, 404, 409) },
});
