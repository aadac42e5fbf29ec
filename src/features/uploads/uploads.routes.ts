import { createRoute, z } from '@hono/zod-openapi';
import { idempotencyHeader, idParams, idSchema, jsonBody, jsonResponse, problemSchema, problems } from '../../http/schemas.js';
import { text } from '../../http/text.js';
import { UPLOAD_MEDIA_TYPES } from './uploads.media-types.js';

/** A problem response whose description names the codes this route can answer with. */
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema } },
});

const sha256Hex = text({ max: 64 })
  .regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits')
  .openapi({
    description: 'SHA-256 of the file, lowercase hex.',
    example: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  });

export const uploadSchema = z
  .object({
    id: idSchema('upl'),
    accountId: idSchema('acc'),
    mediaType: z.string(),
    size: z.number().int().openapi({ description: 'Declared size in bytes.' }),
    sha256: sha256Hex,
    filename: z.string().nullable(),
    status: z.enum(['pending', 'completed']),
    createdAt: z.string(),
    expiresAt: z.string().openapi({ description: 'After this, the upload URL is dead and a pending upload cannot complete.' }),
    completedAt: z.string().nullable(),
  })
  .openapi('Upload');

const issuedUploadSchema = uploadSchema
  .extend({
    uploadUrl: z.string().openapi({ description: 'Presigned URL: PUT the exact bytes here before expiresAt.' }),
    method: z.literal('PUT'),
    headers: z
      .object({ 'content-type': z.string() })
      .openapi({ description: 'Send these headers with the PUT. The body must be exactly `size` bytes.' }),
  })
  .openapi('IssuedUpload');

const filename = text({ max: 255 })
  .trim()
  .min(1)
  .refine((s) => ![...s].some((ch) => ch === '/' || ch === '\\' || ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f), {
    message: 'must be a plain file name without slashes or control characters',
  });

export const createUpload = createRoute({
  method: 'post',
  path: '/v1/uploads',
  tags: ['uploads'],
  summary: 'Start an upload (platform for its account, or the account itself): returns a presigned PUT URL',
  description:
    'Declare the file first, then PUT it to `uploadUrl` with `headers`, then call `/complete`. ' +
    `Accepted media types: ${Object.keys(UPLOAD_MEDIA_TYPES).join(', ')}. ` +
    'VRM avatars are `model/gltf-binary`; FBX has no registered type, so use `model/vnd.fbx`.',
  request: {
    headers: idempotencyHeader,
    body: jsonBody(
      z
        .object({
          accountId: idSchema('acc'),
          mediaType: text({ max: 255 }).min(1).openapi({ example: 'model/gltf-binary' }),
          size: z.number().int().positive().openapi({ description: 'Exact size in bytes; at most MAX_UPLOAD_BYTES.' }),
          sha256: sha256Hex,
          filename: filename.optional().openapi({ example: 'qipao.vrm' }),
        })
        .strict(),
    ),
  },
  responses: {
    201: jsonResponse('Pending upload with its presigned URL', issuedUploadSchema),
    ...problems(400, 401, 403, 404),
    413: problem('The declared size exceeds the upload limit (upload_too_large), or the request body is too large'),
    415: problem('The media type is not on the allow-list (unsupported_media_type), or the request is not JSON'),
  },
});

export const completeUpload = createRoute({
  method: 'post',
  path: '/v1/uploads/{id}/complete',
  tags: ['uploads'],
  summary: 'Complete an upload: the server re-reads the object and checks its size and SHA-256',
  description:
    'Idempotent: completing a completed upload returns it again. On refusal the upload stays pending; ' +
    'PUT the right bytes and call again before `expiresAt`.',
  request: { params: idParams('upl') },
  responses: {
    200: jsonResponse('The completed upload', uploadSchema),
    ...problems(400, 401, 403, 404),
    409: problem('Nothing was stored yet (upload_missing), or the pending upload expired (upload_expired)'),
    422: problem('The stored bytes do not match the declaration (upload_size_mismatch, upload_hash_mismatch)'),
  },
});

export const getUpload = createRoute({
  method: 'get',
  path: '/v1/uploads/{id}',
  tags: ['uploads'],
  summary: "Read an upload (its account's platform, or the account itself)",
  request: { params: idParams('upl') },
  responses: { 200: jsonResponse('The upload', uploadSchema), ...problems(400, 401, 403, 404) },
});
