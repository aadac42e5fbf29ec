import { z } from '@hono/zod-openapi';
import { type IdPrefix, idPattern } from '../ids.js';
import { guardText, text } from './text.js';

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string().openapi({ description: 'Stable machine-readable error code.' }),
    detail: z.string(),
    requestId: z.string().optional(),
  })
  .passthrough()
  .openapi('Problem');

const PROBLEM_TEXT: Record<number, string> = {
  400: 'Invalid request (validation_failed, malformed_json, invalid_cursor …)',
  401: 'Missing or unknown API key',
  403: 'The key may not do this (wrong_role, insufficient_scope …)',
  404: 'Not found, or not visible to this key',
  409: 'Conflicts with the current state',
  413: 'Body too large',
  422: 'Refused by a rule (the problem names it)',
  429: 'Over a quota (quota_exceeded names it and its limit)',
};

/** Problem responses for a route contract: `...problems(400, 404)`. */
export function problems(...statuses: (keyof typeof PROBLEM_TEXT)[]) {
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      { description: PROBLEM_TEXT[s]!, content: { 'application/problem+json': { schema: problemSchema } } },
    ]),
  ) as Record<number, { description: string; content: { 'application/problem+json': { schema: typeof problemSchema } } }>;
}

export const idSchema = (prefix: IdPrefix) =>
  guardText(z.string(), { max: 64 })
    .regex(idPattern(prefix), `must be an id like ${prefix}_01J…`)
    .openapi({ example: `${prefix}_01JABCDEFGHJKMNPQRSTVWXYZ1` });

export const idParams = (prefix: IdPrefix) => z.object({ id: idSchema(prefix).openapi({ param: { name: 'id', in: 'path' } }) });

export const jsonBody = <T extends z.ZodTypeAny>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

export const jsonResponse = <T extends z.ZodTypeAny>(description: string, schema: T) => ({
  description,
  content: { 'application/json': { schema } },
});

export const idempotencyHeader = z.object({
  'idempotency-key': text({ max: 255 })
    .min(1)
    .optional()
    .openapi({ description: 'Retries with the same key and body return the first response.' }),
});

export const iso = (d: Date | null) => (d ? d.toISOString() : null);
