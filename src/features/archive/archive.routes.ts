import { createRoute, z } from '@hono/zod-openapi';
import { idParams, idSchema, problemSchema, problems } from '../../http/schemas.js';

const tags = ['exports'];

/** A verifiable export: a tar (see the README, "Verifiable exports"). */
export const archiveResponse = (description: string) => ({
  description,
  headers: z.object({
    'content-disposition': z.string().openapi({ example: 'attachment; filename="holdings-plt_01J…-log1234.tar"' }),
  }),
  content: { 'application/x-tar': { schema: z.string().openapi({ format: 'binary' }) } },
});

export const holdingsExport = createRoute({
  method: 'get',
  path: '/v1/holdings/export',
  tags,
  summary: 'Every unit owned and work held by each account, with the proofs, as one verifiable archive',
  description:
    "A platform key exports its own accounts (one with `accountId`); an account key its own holdings; the operator every platform's, or one with `platformId`. The tar holds each account's units (with the event of their latest change of owner) and works (with the event that last named their rights holder: its creation, or a transfer by an IP case), those units' and works' whole histories as canonical JSON with a C2SP tlog-proof each, the checkpoint they prove against, the log's verifier key, and a manifest signed by the log's key listing every file's SHA-256. The log is integrated first, so every event is proven. Verify offline with `npm run verify -- --archive FILE --vkey <key>`.",
  request: {
    query: z.object({
      platformId: idSchema('plt').optional().openapi({ description: 'Operator only: one platform instead of all.' }),
      accountId: idSchema('acc').optional().openapi({ description: 'One account only.' }),
    }),
  },
  responses: {
    200: archiveResponse('The archive'),
    ...problems(400, 401, 403, 404, 422),
    503: {
      description: 'log_pending: events are still waiting for the log (retry); no_log_key: the deployment cannot sign',
      content: { 'application/problem+json': { schema: problemSchema } },
    },
  },
});

export const caseExport = createRoute({
  method: 'get',
  path: '/v1/cases/{id}/export',
  tags,
  summary: 'A case as one verifiable archive: its record, the related histories with proofs, the evidence',
  description:
    "For officials and the operator: the case record with its complaints and responses, the whole histories (each event with a C2SP tlog-proof) of its works, units, listings and trades, the checkpoint and log key, and the evidence files themselves. For the parties' platforms and accounts: the same without the complaints they cannot read and without the files (the evidence by SHA-256 only). Verify offline with `npm run verify -- --case FILE --vkey <key>`.",
  request: { params: idParams('cas') },
  responses: {
    200: archiveResponse('The archive'),
    ...problems(400, 401, 403, 404, 409, 422),
    503: {
      description: 'log_pending: events are still waiting for the log (retry); no_log_key: the deployment cannot sign',
      content: { 'application/problem+json': { schema: problemSchema } },
    },
  },
});
