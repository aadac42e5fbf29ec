import { createRoute, z } from '@hono/zod-openapi';
import { pageQuerySchema, pageSchema } from '../../http/pagination.js';
import { idParams, idSchema, jsonResponse, problemSchema, problems } from '../../http/schemas.js';
import { text } from '../../http/text.js';
import { ASSET_KINDS, ASSET_STATUSES } from '../assets/assets.schemas.js';
import { fileMediaSchema, screeningMatchSchema, screeningSchema } from './media.schemas.js';
import { MAX_THRESHOLD } from './similarity.js';

const tags = ['media and screening'];
const OPTIONAL_KEY: { [name: string]: string[] }[] = [{}, { apiKey: [] }];

export const uploadMedia = createRoute({
  method: 'get',
  path: '/v1/uploads/{id}/media',
  tags,
  summary: "The media worker's analysis of an upload (its platform or account, officials, operator)",
  description:
    'Real format (magic bytes), refusal and its rule, image size, perceptual hashes, BlurHash and previews, ' +
    '3D counts (meshes, vertices, textures), glTF copyright and VRM licence metadata.',
  request: { params: idParams('upl') },
  responses: { 200: jsonResponse('The analysis', fileMediaSchema), ...problems(400, 401, 403, 404) },
});

export const uploadPreview = createRoute({
  method: 'get',
  path: '/v1/uploads/{id}/preview/{size}',
  tags,
  summary: 'A WebP preview of an image upload (public once a work under notice or registered shows it)',
  security: OPTIONAL_KEY,
  request: {
    params: z.object({
      id: idSchema('upl').openapi({ param: { name: 'id', in: 'path' } }),
      size: z
        .enum(['small', 'large'])
        .openapi({ param: { name: 'size', in: 'path' }, description: 'small: 256 px, large: 1024 px' }),
    }),
  },
  responses: {
    200: { description: 'The preview', content: { 'image/webp': { schema: z.string().openapi({ format: 'binary' }) } } },
    ...problems(400, 401, 404),
  },
});

export const similarWorks = createRoute({
  method: 'get',
  path: '/v1/assets/similar',
  tags,
  summary: 'Works with a file perceptually similar to an upload or a hash (officials, operator)',
  description:
    'Searches the similarity index (multi-index hashing over 16-bit bands of the 64-bit hashes), which finds every ' +
    `match within the threshold without scanning all works. Give exactly one of \`upload\` or \`hash\`.`,
  request: {
    query: z.object({
      upload: idSchema('upl').optional().openapi({ description: "Compare with this image upload's dHash and pHash." }),
      hash: text({ max: 16 })
        .regex(/^[0-9a-f]{16}$/, 'must be 16 lowercase hex digits')
        .optional()
        .openapi({ description: 'A 64-bit perceptual hash.', example: 'c3a1f0e0b8989c1e' }),
      algorithm: z.enum(['phash', 'dhash']).default('phash').openapi({ description: 'Which hash `hash` is.' }),
      threshold: z.coerce
        .number()
        .int()
        .min(0)
        .max(MAX_THRESHOLD)
        .optional()
        .openapi({ description: `Largest Hamming distance; default MEDIA_NEAR_DUPLICATE_THRESHOLD, at most ${MAX_THRESHOLD}.` }),
      limit: z.coerce.number().int().min(1).max(100).default(20),
    }),
  },
  responses: {
    200: jsonResponse(
      'Matches, nearest first',
      z.object({
        threshold: z.number().int(),
        data: z.array(screeningMatchSchema.omit({ uploadId: true }).extend({ uploadId: z.string().nullable() })),
      }),
    ),
    ...problems(400, 401, 403, 404, 409),
  },
});

export const assetScreening = createRoute({
  method: 'get',
  path: '/v1/assets/{id}/screening',
  tags,
  summary: "A work's screening at submission: exact and near-duplicate matches, licence contradictions (officials, operator)",
  request: { params: idParams('ast') },
  responses: {
    200: jsonResponse('The screening', screeningSchema),
    ...problems(400, 401, 403),
    404: {
      description: 'No such work (not_found), or it has not been submitted yet (not_screened)',
      content: { 'application/problem+json': { schema: problemSchema } },
    },
  },
});

const flaggedItemSchema = z
  .object({
    asset: z.object({
      id: z.string(),
      kind: z.enum(ASSET_KINDS),
      title: z.string(),
      status: z.enum(ASSET_STATUSES),
      platformId: z.string(),
      rightsHolderId: z.string(),
      submittedAt: z.string().nullable(),
    }),
    screening: screeningSchema,
  })
  .openapi('FlaggedSubmission');

export const flaggedSubmissions = createRoute({
  method: 'get',
  path: '/v1/review/flagged',
  tags,
  summary: 'Submissions whose screening found near-duplicates, identical files or licence contradictions (officials, operator)',
  request: {
    query: pageQuerySchema.extend({
      status: z
        .enum(ASSET_STATUSES)
        .optional()
        .openapi({ description: 'Only works in this status; by default those awaiting a decision (submitted, in_review).' }),
    }),
  },
  responses: {
    200: jsonResponse('A page of flagged submissions, oldest first', pageSchema(flaggedItemSchema)),
    ...problems(400, 401, 403),
  },
});

const jobSchema = z
  .object({
    uploadId: z.string(),
    status: z.enum(['queued', 'running', 'done', 'dead']),
    attempts: z.number().int(),
    dueAt: z.string().openapi({ description: 'Queued: when the backoff ends. Running: when the lease expires.' }),
    lastError: z.string().nullable(),
    deadReason: z.string().nullable(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi('MediaJob');

export const mediaJobs = createRoute({
  method: 'get',
  path: '/v1/media/jobs',
  tags,
  summary: 'Media jobs by status, e.g. the dead letters (operator)',
  request: { query: pageQuerySchema.extend({ status: z.enum(['queued', 'running', 'done', 'dead']).default('dead') }) },
  responses: { 200: jsonResponse('A page of jobs', pageSchema(jobSchema)), ...problems(400, 401, 403) },
});

export const retryMediaJob = createRoute({
  method: 'post',
  path: '/v1/media/jobs/{id}/retry',
  tags,
  summary: 'Give a dead-lettered job a fresh set of attempts (operator)',
  request: { params: idParams('upl') },
  responses: {
    200: jsonResponse('The job, queued again', jobSchema),
    ...problems(400, 401, 403, 404),
    409: {
      description: 'The job is not dead (job_not_dead)',
      content: { 'application/problem+json': { schema: problemSchema } },
    },
  },
});
