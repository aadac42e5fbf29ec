import { z } from '@hono/zod-openapi';

export const eventSchema = z
  .object({
    id: z.string(),
    type: z.string().openapi({ example: 'unit.gifted' }),
    at: z.string(),
    facts: z.record(z.string(), z.unknown()),
  })
  .openapi('Event');
