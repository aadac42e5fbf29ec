import { z } from '@hono/zod-openapi';

export const eventSchema = z
  .object({
    id: z.string(),
    type: z.string().openapi({ example: 'unit.gifted' }),
    at: z.string(),
    facts: z.record(z.string(), z.unknown()),
    logIndex: z.number().int().nullable().openapi({
      description: 'Index of this event in the transparency log (/log/), or null until it is integrated (within seconds).',
    }),
    tlogProof: z.string().nullable().optional().openapi({
      description: 'C2SP tlog-proof of this event against the latest checkpoint: verify offline with `npm run verify`.',
    }),
  })
  .openapi('Event');
