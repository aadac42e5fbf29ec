import { createRoute, z } from '@hono/zod-openapi';
import { pageQuerySchema, pageSchema } from '../../http/pagination.js';
import { idempotencyHeader, jsonBody, jsonResponse, problems } from '../../http/schemas.js';
import { SECRET_REPLAY_NOTE } from '../../http/secret-values.js';
import { text } from '../../http/text.js';
import { eventSchema } from '../events/events.schemas.js';
import { DEFAULT_ROTATION_GRACE_SECONDS, MAX_ENDPOINTS_PER_PLATFORM } from './endpoints.service.js';
import { EVENT_TYPE_PATTERN, PARTY_FACTS } from './feed.js';
import { MAX_URL_LENGTH } from './webhook-url.js';

const endpointId = text({ max: 64 })
  .regex(/^whe_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be an id like whe_01J…')
  .openapi({ example: 'whe_01JABCDEFGHJKMNPQRSTVWXYZ1' });
const endpointParams = z.object({ id: endpointId.openapi({ param: { name: 'id', in: 'path' } }) });

const eventType = text({ max: 100 })
  .regex(EVENT_TYPE_PATTERN, 'an event type (unit.gifted), a prefix (unit.*) or *')
  .openapi({ example: 'unit.*' });

const endpointSchema = z
  .object({
    id: endpointId,
    url: z.string(),
    description: z.string().nullable(),
    eventTypes: z.array(z.string()),
    status: z.enum(['enabled', 'disabled']),
    disabledReason: z.enum(['manual', 'gone', 'failing']).nullable().openapi({
      description: 'manual: disabled through the API; gone: the receiver answered 410; failing: every attempt failed for 5 days.',
    }),
    delivery: z.object({
      cursor: z.string().openapi({
        description: 'A GET /v1/events cursor: every event before it has been delivered to this endpoint (or is not for it).',
      }),
      pendingEventId: z.string().nullable().openapi({ description: 'The event being delivered; later ones wait for it.' }),
      failedAttempts: z.number().int(),
      nextAttemptAt: z.string().nullable(),
      failingSince: z.string().nullable(),
    }),
    secrets: z
      .array(z.object({ createdAt: z.string(), expiresAt: z.string().nullable() }))
      .openapi({ description: 'Secrets that sign deliveries now, newest first; values are shown only when made.' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('WebhookEndpoint');

const withSecret = endpointSchema
  .extend({
    secret: z.string().openapi({
      description: `The signing secret (Standard Webhooks whsec_…). Shown once; store it now; it is kept only sealed (AES-256-GCM). ${SECRET_REPLAY_NOTE}`,
      example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    }),
  })
  .openapi('WebhookEndpointWithSecret');

export const envelopeSchema = z
  .object({
    type: z.string().openapi({ example: 'unit.gifted' }),
    timestamp: z.string().openapi({ description: 'When the event happened (not when it was sent).' }),
    data: eventSchema.omit({ tlogProof: true }),
  })
  .openapi('WebhookEvent', {
    description: 'The Standard Webhooks payload: the body of a delivery, byte for byte as JSON, and an item of GET /v1/events.',
  });

const attemptSchema = z
  .object({
    eventId: z.string(),
    logIndex: z.number().int(),
    attempt: z.number().int().openapi({ description: '1 for the first try of this event, 2 for its first retry …' }),
    at: z.string(),
    durationMs: z.number().int(),
    statusCode: z.number().int().nullable(),
    succeeded: z.boolean(),
    error: z.string().nullable().openapi({ example: 'HTTP 500' }),
    nextAttemptAt: z.string().nullable(),
  })
  .openapi('WebhookAttempt');

const tags = ['webhooks'];

export const createEndpoint = createRoute({
  method: 'post',
  path: '/v1/webhook-endpoints',
  tags,
  summary: "Register a webhook endpoint (platform); it receives the platform's events from now on",
  description:
    'Deliveries follow Standard Webhooks: headers webhook-id (the event id), webhook-timestamp and webhook-signature. ' +
    `At most ${MAX_ENDPOINTS_PER_PLATFORM} endpoints per platform. URLs must be https and must not point at private, ` +
    'loopback or link-local addresses (422 invalid_webhook_url, private_address).',
  request: {
    headers: idempotencyHeader,
    body: jsonBody(
      z
        .object({
          url: text({ max: MAX_URL_LENGTH }).min(1).openapi({ example: 'https://hooks.example.com/haipai' }),
          eventTypes: z
            .array(eventType)
            .min(1)
            .max(100)
            .openapi({ example: ['unit.*', 'trade.settled'] }),
          description: text({ max: 500 }).trim().optional(),
        })
        .strict(),
    ),
  },
  responses: { 201: jsonResponse('Created', withSecret), ...problems(400, 401, 403, 409, 422) },
});

export const listEndpoints = createRoute({
  method: 'get',
  path: '/v1/webhook-endpoints',
  tags,
  summary: "List the platform's webhook endpoints",
  request: { query: pageQuerySchema },
  responses: { 200: jsonResponse('A page of endpoints', pageSchema(endpointSchema)), ...problems(400, 401, 403) },
});

export const getEndpoint = createRoute({
  method: 'get',
  path: '/v1/webhook-endpoints/{id}',
  tags,
  summary: 'Read a webhook endpoint and where its delivery stands',
  request: { params: endpointParams },
  responses: { 200: jsonResponse('The endpoint', endpointSchema), ...problems(400, 401, 403, 404) },
});

export const rotateSecret = createRoute({
  method: 'post',
  path: '/v1/webhook-endpoints/{id}/rotate-secret',
  tags,
  summary: 'Make a new signing secret; the previous one keeps signing for a grace period',
  description:
    'During the grace period every delivery carries two signatures (space-delimited in webhook-signature), one per ' +
    'secret, so a receiver verifies with either. `graceSeconds: 0` ends the previous secrets at once.',
  request: {
    params: endpointParams,
    headers: idempotencyHeader,
    body: {
      required: false,
      content: {
        'application/json': {
          schema: z
            .object({
              graceSeconds: z
                .number()
                .int()
                .min(0)
                .max(7 * 86400)
                .optional()
                .openapi({ description: `Default ${DEFAULT_ROTATION_GRACE_SECONDS} (24 hours).` }),
            })
            .strict(),
        },
      },
    },
  },
  responses: { 200: jsonResponse('The endpoint with its new secret', withSecret), ...problems(400, 401, 403, 404) },
});

export const disableEndpoint = createRoute({
  method: 'post',
  path: '/v1/webhook-endpoints/{id}/disable',
  tags,
  summary: 'Stop deliveries to an endpoint',
  request: { params: endpointParams },
  responses: { 200: jsonResponse('The endpoint', endpointSchema), ...problems(400, 401, 403, 404) },
});

export const enableEndpoint = createRoute({
  method: 'post',
  path: '/v1/webhook-endpoints/{id}/enable',
  tags,
  summary: 'Resume deliveries where they stopped, nothing skipped',
  request: { params: endpointParams },
  responses: { 200: jsonResponse('The endpoint', endpointSchema), ...problems(400, 401, 403, 404) },
});

export const listAttempts = createRoute({
  method: 'get',
  path: '/v1/webhook-endpoints/{id}/deliveries',
  tags,
  summary: 'Every delivery attempt to an endpoint, newest first',
  request: { params: endpointParams, query: pageQuerySchema },
  responses: { 200: jsonResponse('A page of attempts', pageSchema(attemptSchema)), ...problems(400, 401, 403, 404) },
});

export const listEvents = createRoute({
  method: 'get',
  path: '/v1/events',
  tags,
  summary: "The platform's events, oldest first: what its webhook endpoints receive, for replay",
  description:
    'The events written for the platform, and those naming one of its accounts as ' +
    `${PARTY_FACTS.join(', ')}, in transparency-log order. Items are the exact webhook payloads. ` +
    'Without `after`, from the beginning. `nextCursor` is always set: keep it and ask again later for newer events; ' +
    '`hasMore` says whether there are more right now. An event appears within seconds of its commit, once the log has integrated it.',
  request: {
    query: pageQuerySchema.extend({
      types: text({ max: 2000 }).optional().openapi({
        description: 'Comma-separated event types or prefixes (unit.*); all when absent.',
        example: 'unit.*,trade.settled',
      }),
    }),
  },
  responses: {
    200: jsonResponse(
      'A page of events',
      z.object({ data: z.array(envelopeSchema), nextCursor: z.string(), hasMore: z.boolean() }).openapi('EventFeedPage'),
    ),
    ...problems(400, 401, 403),
  },
});
