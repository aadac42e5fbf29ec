import { createRoute, z } from '@hono/zod-openapi';
import { pageQuerySchema, pageSchema } from '../../http/pagination.js';
import { idempotencyHeader, idParams, idSchema, jsonBody, jsonResponse, problems } from '../../http/schemas.js';
import { eventSchema } from '../events/events.schemas.js';
import { PRESET_NAMES, transferPolicySchema } from './policy.js';

const PUBLIC: { [name: string]: string[] }[] = [{}];

export const editionSchema = z
  .object({
    id: idSchema('edn'),
    assetId: idSchema('ast'),
    size: z.number().int(),
    minted: z.number().int(),
    preset: z.enum(PRESET_NAMES),
    policy: transferPolicySchema,
    royaltyBps: z
      .number()
      .int()
      .openapi({ description: "Royalty of every sale of the edition's units, basis points of the price." }),
    createdAt: z.string(),
  })
  .openapi('Edition');

export const unitSchema = z
  .object({
    id: idSchema('unt'),
    editionId: idSchema('edn'),
    assetId: idSchema('ast'),
    serial: z.number().int(),
    label: z.string().openapi({ example: '7/100' }),
    ownerId: idSchema('acc'),
    acquiredVia: z.enum(['mint', 'gift', 'trade']),
    acquiredAt: z.string(),
    frozen: z.boolean(),
  })
  .openapi('Unit');

export const createEdition = createRoute({
  method: 'post',
  path: '/v1/assets/{id}/editions',
  tags: ['editions'],
  summary: 'Issue a registered work as an edition of N numbered units, with a transfer policy',
  request: {
    params: idParams('ast'),
    headers: idempotencyHeader,
    body: jsonBody(
      z
        .object({
          size: z.number().int().min(1).max(1_000_000),
          preset: z.enum(PRESET_NAMES),
          policy: transferPolicySchema.partial().optional().openapi({ description: 'Overrides of the preset, field by field.' }),
          royaltyBps: z.number().int().min(0).max(5000).default(0).openapi({
            description:
              "Royalty of every sale of the edition's units, basis points of the price, split among the work's creators (and up its derivative chain).",
          }),
        })
        .strict(),
    ),
  },
  responses: { 201: jsonResponse('Created', editionSchema), ...problems(400, 401, 403, 404, 409) },
});

export const listEditions = createRoute({
  method: 'get',
  path: '/v1/assets/{id}/editions',
  tags: ['editions'],
  summary: "A registered work's editions (public)",
  security: PUBLIC,
  request: { params: idParams('ast'), query: pageQuerySchema },
  responses: { 200: jsonResponse('A page of editions', pageSchema(editionSchema)), ...problems(400, 404) },
});

export const getEdition = createRoute({
  method: 'get',
  path: '/v1/editions/{id}',
  tags: ['editions'],
  summary: 'Read an edition (public)',
  security: PUBLIC,
  request: { params: idParams('edn') },
  responses: { 200: jsonResponse('The edition', editionSchema), ...problems(400, 404) },
});

export const mint = createRoute({
  method: 'post',
  path: '/v1/editions/{id}/mint',
  tags: ['editions'],
  summary: 'Mint the next numbered units (never more than the edition size)',
  request: {
    params: idParams('edn'),
    headers: idempotencyHeader,
    body: jsonBody(
      z
        .object({
          count: z.number().int().min(1).max(1000).default(1),
          toAccountId: idSchema('acc')
            .optional()
            .openapi({ description: 'An account the caller acts for; the rights holder by default.' }),
        })
        .strict(),
    ),
  },
  responses: {
    201: jsonResponse('Minted', z.object({ edition: editionSchema, units: z.array(unitSchema) })),
    ...problems(400, 401, 403, 404, 409),
  },
});

export const listUnits = createRoute({
  method: 'get',
  path: '/v1/editions/{id}/units',
  tags: ['editions'],
  summary: "An edition's units and their owners, by serial (public)",
  security: PUBLIC,
  request: { params: idParams('edn'), query: pageQuerySchema },
  responses: { 200: jsonResponse('A page of units', pageSchema(unitSchema)), ...problems(400, 404) },
});

export const getUnit = createRoute({
  method: 'get',
  path: '/v1/units/{id}',
  tags: ['units'],
  summary: 'Read a unit and its current owner (public)',
  security: PUBLIC,
  request: { params: idParams('unt') },
  responses: { 200: jsonResponse('The unit', unitSchema), ...problems(400, 404) },
});

export const unitHistory = createRoute({
  method: 'get',
  path: '/v1/units/{id}/history',
  tags: ['units'],
  summary: "A unit's events, oldest first: mint, gifts and later trades (public)",
  security: PUBLIC,
  request: { params: idParams('unt'), query: pageQuerySchema },
  responses: { 200: jsonResponse('A page of events', pageSchema(eventSchema)), ...problems(400, 404) },
});

export const transferSchema = z
  .object({
    id: idSchema('trf'),
    unitId: idSchema('unt'),
    fromId: z.string(),
    toId: z.string(),
    via: z.literal('gift'),
    at: z.string(),
  })
  .openapi('Transfer');

export const giftUnit = createRoute({
  method: 'post',
  path: '/v1/units/{id}/transfers',
  tags: ['units'],
  summary: "Give a unit to another account, within the edition's transfer policy",
  description:
    'A refusal by the policy is a 422 `transfer_refused` whose `rule` names the rule (and `allowedAt` when it is a waiting time).',
  request: {
    params: idParams('unt'),
    headers: idempotencyHeader,
    body: jsonBody(
      z
        .object({
          fromAccountId: idSchema('acc').openapi({ description: 'The current owner, an account the caller acts for.' }),
          toAccountId: idSchema('acc'),
        })
        .strict(),
    ),
  },
  responses: {
    201: jsonResponse('Given', z.object({ transfer: transferSchema, unit: unitSchema })),
    ...problems(400, 401, 403, 404, 409, 422),
  },
});
