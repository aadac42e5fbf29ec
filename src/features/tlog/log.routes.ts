import { createRoute, z } from '@hono/zod-openapi';
import { pageQuerySchema, pageSchema } from '../../http/pagination.js';
import { jsonResponse, problems } from '../../http/schemas.js';

const tags = ['log'];
const base64Hash = z
  .string()
  .openapi({ description: 'SHA-256 hash, standard base64', example: 'XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=' });
const count = () => z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const queryParam = (name: string, description: string) => ({ param: { name, in: 'query' as const }, description });
const indexParams = z.object({
  index: z.coerce
    .number()
    .int()
    .min(0)
    .max(Number.MAX_SAFE_INTEGER)
    .openapi({ param: { name: 'index', in: 'path' }, description: 'Zero-based leaf index', example: 0 }),
});

/** Public: anyone may read the log, with no key (an empty requirement, as in editions.routes.ts). */
const PUBLIC: { [name: string]: string[] }[] = [{}];

export const inclusionProof = createRoute({
  method: 'get',
  path: '/v1/log/proofs/inclusion',
  tags,
  security: PUBLIC,
  summary: 'Inclusion proof of a leaf (RFC 9162 §2.1.3)',
  description:
    'The audit path of leaf `index` in the tree of `size` leaves, leaf sibling first. `size` must not exceed the latest signed checkpoint; it defaults to it.',
  request: {
    query: z.object({
      index: count().openapi(queryParam('index', 'Zero-based leaf index')),
      size: count().optional().openapi(queryParam('size', 'Tree size (a signed checkpoint size); default the latest')),
    }),
  },
  responses: {
    200: jsonResponse(
      'The proof',
      z
        .object({ index: z.number().int(), size: z.number().int(), leafHash: base64Hash, proof: z.array(base64Hash) })
        .openapi('InclusionProof'),
    ),
    ...problems(400, 404, 422),
  },
});

export const consistencyProof = createRoute({
  method: 'get',
  path: '/v1/log/proofs/consistency',
  tags,
  security: PUBLIC,
  summary: 'Consistency proof between two tree sizes (RFC 9162 §2.1.4)',
  description:
    'Proves that the tree of `to` leaves extends the tree of `from` leaves. 1 ≤ from ≤ to ≤ the latest signed size; `to` defaults to it.',
  request: {
    query: z.object({
      from: count().openapi(queryParam('from', 'The older tree size (at least 1)')),
      to: count().optional().openapi(queryParam('to', 'The newer tree size; default the latest')),
    }),
  },
  responses: {
    200: jsonResponse(
      'The proof',
      z.object({ from: z.number().int(), to: z.number().int(), proof: z.array(base64Hash) }).openapi('ConsistencyProof'),
    ),
    ...problems(400, 422),
  },
});

export const logEntry = createRoute({
  method: 'get',
  path: '/v1/log/entries/{index}',
  tags,
  security: PUBLIC,
  summary: 'One log entry',
  description: 'The event at leaf `index`: its entry bytes (RFC 8785 canonical JSON, UTF-8) and RFC 6962 leaf hash.',
  request: { params: indexParams },
  responses: {
    200: jsonResponse(
      'The entry',
      z.object({ index: z.number().int(), eventId: z.string(), entry: z.string(), leafHash: base64Hash }).openapi('LogEntry'),
    ),
    ...problems(400, 404),
  },
});

export const tlogProof = createRoute({
  method: 'get',
  path: '/v1/log/entries/{index}/tlog-proof',
  tags,
  security: PUBLIC,
  summary: 'Offline proof of a log entry (C2SP tlog-proof)',
  description:
    'A `.tlog-proof` file: index, audit path and the latest signed checkpoint, with the entry itself in the `extra` line. Check it with `npm run verify -- <file> --vkey <key from /log/vkey>`.',
  request: { params: indexParams },
  responses: {
    200: { description: 'The proof file', content: { 'text/plain': { schema: z.string() } } },
    ...problems(400, 404),
  },
});

export const listCheckpoints = createRoute({
  method: 'get',
  path: '/v1/log/checkpoints',
  tags,
  security: PUBLIC,
  summary: 'Every signed checkpoint, oldest first',
  request: { query: pageQuerySchema },
  responses: {
    200: jsonResponse(
      'A page of checkpoints',
      pageSchema(
        z
          .object({
            size: z.number().int(),
            rootHash: base64Hash,
            note: z.string().openapi({ description: 'The C2SP signed note, verbatim' }),
            createdAt: z.string(),
          })
          .openapi('Checkpoint'),
      ),
    ),
    ...problems(400),
  },
});
