import { createRoute, z } from '@hono/zod-openapi';
import { pageQuerySchema, pageSchema } from '../../http/pagination.js';
import { idempotencyHeader, idParams, idSchema, jsonBody, jsonResponse, problems } from '../../http/schemas.js';
import { text } from '../../http/text.js';

const tags = ['units'];

export const freezeSchema = z
  .object({
    id: idSchema('frz'),
    unitId: idSchema('unt'),
    cause: z.enum(['payment_disputed', 'refunded', 'dispute_lost', 'official', 'carried_over', 'case']).openapi({
      description:
        'payment_disputed: a card dispute is open; refunded / dispute_lost: the payment was returned and ownership left ' +
        'where it was for an official to decide; official: an official froze it; carried_over: frozen before causes were recorded; case: an IP case froze it as an interim measure, or for good after a takedown.',
    }),
    tradeId: idSchema('trd').nullable(),
    placedBy: z.string().openapi({ description: "'stripe' for a payment event, else the official's id" }),
    reason: z.string().nullable(),
    placedAt: z.string(),
    active: z.boolean(),
    liftedAt: z.string().nullable(),
    liftedBy: z.string().nullable(),
    liftReason: z.string().nullable(),
  })
  .openapi('Freeze');

const reasonBody = z.object({ reason: text({ multiline: true, max: 1000 }).trim().min(1) }).strict();

export const placeFreeze = createRoute({
  method: 'post',
  path: '/v1/units/{id}/freezes',
  tags,
  summary: 'An official freezes a unit: it cannot be sold, offered on or given until every freeze is lifted',
  description: 'The reason is kept for officials and the platform of the owner; the event in the log carries only its SHA-256.',
  request: { params: idParams('unt'), headers: idempotencyHeader, body: jsonBody(reasonBody) },
  responses: { 201: jsonResponse('The freeze', freezeSchema), ...problems(400, 401, 403, 404) },
});

export const liftFreeze = createRoute({
  method: 'post',
  path: '/v1/units/{id}/freezes/{freezeId}/lift',
  tags,
  summary: 'An official lifts one freeze (of any cause); the unit stays frozen while another is active',
  request: {
    params: z.object({
      id: idSchema('unt').openapi({ param: { name: 'id', in: 'path' } }),
      freezeId: idSchema('frz').openapi({ param: { name: 'freezeId', in: 'path' } }),
    }),
    headers: idempotencyHeader,
    body: jsonBody(reasonBody),
  },
  responses: { 200: jsonResponse('The lifted freeze', freezeSchema), ...problems(400, 401, 403, 404, 409) },
});

export const listFreezes = createRoute({
  method: 'get',
  path: '/v1/units/{id}/freezes',
  tags,
  summary: "Every freeze of a unit, active and lifted, oldest first (officials, the operator, the owner's platform)",
  request: { params: idParams('unt'), query: pageQuerySchema },
  responses: { 200: jsonResponse('A page of freezes', pageSchema(freezeSchema)), ...problems(400, 401, 404) },
});
