import { createRoute, z } from '@hono/zod-openapi';
import { SCOPES } from '../../http/auth.js';
import { pageQuerySchema, pageSchema } from '../../http/pagination.js';
import { idempotencyHeader, idParams, idSchema, jsonBody, jsonResponse, problems } from '../../http/schemas.js';
import { SECRET_REPLAY_NOTE } from '../../http/secret-values.js';
import { text } from '../../http/text.js';

const apiKeySchema = z
  .object({
    id: idSchema('key'),
    secret: z.string().openapi({ description: `Shown once; store it now. ${SECRET_REPLAY_NOTE}` }),
    scopes: z.array(z.enum(SCOPES)),
  })
  .openapi('IssuedApiKey');

export const platformSchema = z
  .object({ id: idSchema('plt'), name: z.string(), feeBps: z.number().int(), createdAt: z.string() })
  .openapi('Platform');

export const officialSchema = z
  .object({ id: idSchema('off'), name: z.string(), office: z.string(), createdAt: z.string() })
  .openapi('Official');

export const accountSchema = z
  .object({
    id: idSchema('acc'),
    platformId: idSchema('plt'),
    kind: z.enum(['person', 'organization']),
    displayName: z.string(),
    externalRef: z.string().nullable(),
    kycLevel: z.enum(['none', 'basic', 'verified']),
    isAdult: z.boolean().nullable(),
    attestedAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('Account');

const name = text({ max: 200 }).trim().min(1);

export const createPlatform = createRoute({
  method: 'post',
  path: '/v1/platforms',
  tags: ['parties'],
  summary: 'Create a platform (operator); returns its first API key',
  request: {
    headers: idempotencyHeader,
    body: jsonBody(z.object({ name, feeBps: z.number().int().min(0).max(10000).default(0) }).strict()),
  },
  responses: {
    201: jsonResponse('Created', z.object({ platform: platformSchema, apiKey: apiKeySchema })),
    ...problems(400, 401, 403),
  },
});

export const listPlatforms = createRoute({
  method: 'get',
  path: '/v1/platforms',
  tags: ['parties'],
  summary: 'List platforms (operator)',
  request: { query: pageQuerySchema },
  responses: { 200: jsonResponse('A page of platforms', pageSchema(platformSchema)), ...problems(400, 401, 403) },
});

export const getPlatform = createRoute({
  method: 'get',
  path: '/v1/platforms/{id}',
  tags: ['parties'],
  summary: 'Read a platform (operator, or the platform itself)',
  request: { params: idParams('plt') },
  responses: { 200: jsonResponse('The platform', platformSchema), ...problems(400, 401, 403, 404) },
});

export const createOfficial = createRoute({
  method: 'post',
  path: '/v1/officials',
  tags: ['parties'],
  summary: 'Create an IP official (operator); returns their first API key',
  request: { headers: idempotencyHeader, body: jsonBody(z.object({ name, office: name }).strict()) },
  responses: {
    201: jsonResponse('Created', z.object({ official: officialSchema, apiKey: apiKeySchema })),
    ...problems(400, 401, 403),
  },
});

export const listOfficials = createRoute({
  method: 'get',
  path: '/v1/officials',
  tags: ['parties'],
  summary: 'List officials (operator)',
  request: { query: pageQuerySchema },
  responses: { 200: jsonResponse('A page of officials', pageSchema(officialSchema)), ...problems(400, 401, 403) },
});

export const createAccount = createRoute({
  method: 'post',
  path: '/v1/accounts',
  tags: ['parties'],
  summary: 'Create an account (platform): a person or organisation on this platform',
  request: {
    headers: idempotencyHeader,
    body: jsonBody(
      z
        .object({
          kind: z.enum(['person', 'organization']),
          displayName: name,
          externalRef: text({ max: 200 })
            .trim()
            .min(1)
            .optional()
            .openapi({ description: 'Your own id for this user; unique per platform.' }),
        })
        .strict(),
    ),
  },
  responses: { 201: jsonResponse('Created', accountSchema), ...problems(400, 401, 403, 409) },
});

export const listAccounts = createRoute({
  method: 'get',
  path: '/v1/accounts',
  tags: ['parties'],
  summary: "List the calling platform's accounts",
  request: { query: pageQuerySchema },
  responses: { 200: jsonResponse('A page of accounts', pageSchema(accountSchema)), ...problems(400, 401, 403) },
});

export const getAccount = createRoute({
  method: 'get',
  path: '/v1/accounts/{id}',
  tags: ['parties'],
  summary: 'Read an account (its platform, itself, officials, the operator)',
  request: { params: idParams('acc') },
  responses: { 200: jsonResponse('The account', accountSchema), ...problems(400, 401, 404) },
});

export const attestAccount = createRoute({
  method: 'post',
  path: '/v1/accounts/{id}/attestations',
  tags: ['parties'],
  summary: "Record the platform's real-name attestation for its account (KYC level, adult or minor)",
  request: {
    params: idParams('acc'),
    headers: idempotencyHeader,
    body: jsonBody(
      z
        .object({
          kycLevel: z.enum(['none', 'basic', 'verified']),
          isAdult: z.boolean(),
          method: text({ max: 100 }).trim().min(1).openapi({ example: 'id_card_face_match' }),
        })
        .strict(),
    ),
  },
  responses: { 201: jsonResponse('The account, attested', accountSchema), ...problems(400, 401, 403, 404) },
});

export const issueKey = createRoute({
  method: 'post',
  path: '/v1/api-keys',
  tags: ['parties'],
  summary: 'Issue an API key: the operator for platforms and officials, a platform for its accounts',
  request: {
    headers: idempotencyHeader,
    body: jsonBody(
      z
        .object({
          subjectId: text({ max: 64 }).regex(/^(plt|off|acc)_[0-9A-Z]{26}$/, 'a platform, official or account id'),
          scopes: z.array(z.enum(SCOPES)).min(1).default(['read', 'write']),
          label: text({ max: 200 }).optional(),
        })
        .strict(),
    ),
  },
  responses: { 201: jsonResponse('Issued', apiKeySchema), ...problems(400, 401, 403, 404) },
});

export const revokeKey = createRoute({
  method: 'post',
  path: '/v1/api-keys/{id}/revoke',
  tags: ['parties'],
  summary: 'Revoke a key (whoever may issue it, or the key holder)',
  request: { params: idParams('key') },
  responses: {
    200: jsonResponse('Revoked', z.object({ id: idSchema('key'), revokedAt: z.string() })),
    ...problems(400, 401, 404),
  },
});
