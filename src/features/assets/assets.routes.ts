import { createRoute, z } from '@hono/zod-openapi';
import { pageQuerySchema, pageSchema } from '../../http/pagination.js';
import { idempotencyHeader, idParams, idSchema, jsonBody, jsonResponse, problemSchema, problems } from '../../http/schemas.js';
import { eventSchema } from '../events/events.schemas.js';
import {
  ASSET_KINDS,
  ASSET_STATUSES,
  assetSchema,
  CATEGORIES,
  createAssetBody,
  objectionBody,
  reviewBody,
} from './assets.schemas.js';
import { licenceSchema } from './licence.js';

const tags = ['works'];
/** Public, but a key (if sent) widens what is visible. */
const OPTIONAL_KEY: { [name: string]: string[] }[] = [{}, { apiKey: [] }];

export const createAsset = createRoute({
  method: 'post',
  path: '/v1/assets',
  tags,
  summary: 'Create a work (draft) for a rights holder the caller acts for',
  request: { headers: idempotencyHeader, body: jsonBody(createAssetBody) },
  responses: { 201: jsonResponse('Created as a draft', assetSchema), ...problems(400, 401, 403, 404, 409, 422) },
});

export const listAssets = createRoute({
  method: 'get',
  path: '/v1/assets',
  tags,
  summary: 'List works: officials and the operator see all, platforms their own, everyone else the public ones',
  security: OPTIONAL_KEY,
  request: {
    query: pageQuerySchema.extend({
      status: z.enum(ASSET_STATUSES).optional(),
      kind: z.enum(ASSET_KINDS).optional(),
      category: z.enum(CATEGORIES).optional(),
    }),
  },
  responses: { 200: jsonResponse('A page of works', pageSchema(assetSchema)), ...problems(400, 401) },
});

export const getAsset = createRoute({
  method: 'get',
  path: '/v1/assets/{id}',
  tags,
  summary: 'Read a work (public once under notice or registered)',
  security: OPTIONAL_KEY,
  request: { params: idParams('ast') },
  responses: { 200: jsonResponse('The work', assetSchema), ...problems(400, 401, 404) },
});

export const submitAsset = createRoute({
  method: 'post',
  path: '/v1/assets/{id}/submit',
  tags,
  summary: 'Submit a draft for review; its files are screened first',
  description:
    'Waits up to MEDIA_SUBMIT_WAIT seconds for the media analysis of the files. An identical file in another ' +
    "party's registered work refuses the submission; near-duplicates and licence contradictions flag it for the " +
    'official (GET /v1/review/flagged).',
  request: { params: idParams('ast'), headers: idempotencyHeader },
  responses: {
    200: jsonResponse('Submitted', assetSchema),
    ...problems(400, 401, 403, 404),
    409: {
      description:
        'Not a draft (invalid_transition); analysis not finished (media_pending, with `pending`) or given up ' +
        "(media_failed); a file identical to another party's registered work (duplicate_work, naming it)",
      content: { 'application/problem+json': { schema: problemSchema } },
    },
    422: {
      description:
        'A file was refused by the media worker or a rule (media_refused with `rule`: format_mismatch, image_too_large, ' +
        'mesh_required, model_not_3d, …)',
      content: { 'application/problem+json': { schema: problemSchema } },
    },
  },
});

export const reviewAsset = createRoute({
  method: 'post',
  path: '/v1/assets/{id}/review',
  tags,
  summary: 'An official starts review, approves (opens the public notice) or rejects with a reason',
  request: { params: idParams('ast'), headers: idempotencyHeader, body: jsonBody(reviewBody) },
  responses: { 200: jsonResponse('The work after the decision', assetSchema), ...problems(400, 401, 403, 404, 409) },
});

const objectionSchema = z.object({ id: idSchema('obj'), assetId: idSchema('ast'), createdAt: z.string() }).openapi('Objection');

export const objectToAsset = createRoute({
  method: 'post',
  path: '/v1/assets/{id}/objections',
  tags,
  summary: 'Object to a work during its public notice (any key); it returns to review',
  request: { params: idParams('ast'), headers: idempotencyHeader, body: jsonBody(objectionBody) },
  responses: { 201: jsonResponse('Objection recorded', objectionSchema), ...problems(400, 401, 403, 404, 409, 429) },
});

export const certificate = createRoute({
  method: 'get',
  path: '/v1/assets/{id}/certificate',
  tags,
  summary: 'The registration certificate of a registered work (public)',
  security: [{}],
  request: { params: idParams('ast') },
  responses: {
    200: jsonResponse(
      'The certificate',
      z
        .object({
          registrationNumber: z.string(),
          registeredAt: z.string(),
          assetId: idSchema('ast'),
          kind: z.enum(ASSET_KINDS),
          title: z.string(),
          category: z.enum(CATEGORIES),
          rightsHolderId: z.string(),
          creators: z.array(z.object({ accountId: z.string(), role: z.string(), shareBps: z.number().int() })),
          identityCode: z.string().nullable(),
          claimedCreatedOn: z.string(),
          licence: licenceSchema,
          files: z.array(z.object({ purpose: z.string(), sha256: z.string() })),
          parents: z.array(z.object({ assetId: z.string(), registrationNumber: z.string().nullable() })),
          registrationEvent: eventSchema,
        })
        .openapi('Certificate'),
    ),
    ...problems(400, 404, 409),
  },
});

export const assetHistory = createRoute({
  method: 'get',
  path: '/v1/assets/{id}/history',
  tags,
  summary: 'Every event of a work, oldest first',
  security: OPTIONAL_KEY,
  request: { params: idParams('ast'), query: pageQuerySchema },
  responses: { 200: jsonResponse('A page of events', pageSchema(eventSchema)), ...problems(400, 401, 404) },
});
