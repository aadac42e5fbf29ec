import { createRoute, z } from '@hono/zod-openapi';
import { pageQuerySchema, pageSchema } from '../../http/pagination.js';
import { idParams, idSchema, jsonResponse, problems } from '../../http/schemas.js';
import { guardText } from '../../http/text.js';
import { assetSchema } from '../assets/assets.schemas.js';
import { licenceSchema } from '../assets/licence.js';

const tags = ['audit'];

export const ownershipRecordSchema = z
  .object({
    transferId: idSchema('trf'),
    unitId: idSchema('unt'),
    serial: z.number().int(),
    fromId: z.string().nullable().openapi({ description: 'null for a mint' }),
    toId: z.string(),
    via: z.enum(['mint', 'gift', 'trade']),
    at: z.string(),
    eventId: z.string(),
    logIndex: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "The event's leaf in the transparency log; null until integrated." }),
    tlogProof: z.string().nullable().openapi({ description: 'C2SP tlog-proof of the event against the latest checkpoint.' }),
  })
  .openapi('OwnershipRecord');

export const unitOwnership = createRoute({
  method: 'get',
  path: '/v1/audit/units/{id}/ownership',
  tags,
  summary: 'Every owner a unit has had, in order (officials, operator)',
  request: { params: idParams('unt'), query: pageQuerySchema },
  responses: {
    200: jsonResponse('A page of changes of owner', pageSchema(ownershipRecordSchema)),
    ...problems(400, 401, 403, 404),
  },
});

export const unitOwnerAt = createRoute({
  method: 'get',
  path: '/v1/audit/units/{id}/owner',
  tags,
  summary: 'Who owned a unit at a given time (officials, operator)',
  request: {
    params: idParams('unt'),
    query: z.object({
      at: guardText(z.iso.datetime({ offset: true }), { max: 40 }).openapi({ example: '2026-06-01T08:00:00Z' }),
    }),
  },
  responses: {
    200: jsonResponse(
      'The owner at that time and the change of owner that made them so',
      z.object({ unitId: idSchema('unt'), at: z.string(), ownerId: z.string(), since: ownershipRecordSchema }),
    ),
    ...problems(400, 401, 403, 404),
  },
});

export const assetOwnership = createRoute({
  method: 'get',
  path: '/v1/audit/assets/{id}/ownership',
  tags,
  summary: 'Every change of owner of every unit of a work, in order (officials, operator)',
  request: { params: idParams('ast'), query: pageQuerySchema },
  responses: {
    200: jsonResponse('A page of changes of owner', pageSchema(ownershipRecordSchema)),
    ...problems(400, 401, 403, 404),
  },
});

export const provenance = createRoute({
  method: 'get',
  path: '/v1/audit/assets/{id}/provenance',
  tags,
  summary: 'The full provenance of a work: creators, rights holder, licence, ancestors, review decisions, objections',
  request: { params: idParams('ast') },
  responses: {
    200: jsonResponse(
      'Provenance',
      z
        .object({
          asset: assetSchema,
          ancestors: z.array(
            z.object({
              assetId: z.string(),
              parentOf: z.string(),
              depth: z.number().int(),
              title: z.string(),
              status: z.string(),
              registrationNumber: z.string().nullable(),
              rightsHolderId: z.string(),
              licence: licenceSchema,
            }),
          ),
          reviews: z.array(
            z.object({
              id: z.string(),
              officialId: z.string(),
              action: z.string(),
              reason: z.string().nullable(),
              at: z.string(),
            }),
          ),
          objections: z.array(
            z.object({ id: z.string(), by: z.object({ kind: z.string(), id: z.string() }), reason: z.string(), at: z.string() }),
          ),
        })
        .openapi('Provenance'),
    ),
    ...problems(400, 401, 403, 404),
  },
});

export const accessLog = createRoute({
  method: 'get',
  path: '/v1/audit/access-log',
  tags,
  summary: 'Every read made by an official (operator)',
  request: { query: pageQuerySchema.extend({ officialId: idSchema('off').optional() }) },
  responses: {
    200: jsonResponse(
      'A page of reads',
      pageSchema(
        z.object({
          officialId: z.string(),
          method: z.string(),
          path: z.string(),
          status: z.number().int(),
          requestId: z.string().nullable(),
          at: z.string(),
        }),
      ),
    ),
    ...problems(400, 401, 403),
  },
});
