import { createRoute, z } from '@hono/zod-openapi';
import { pageQuerySchema, pageSchema } from '../../http/pagination.js';
import { idempotencyHeader, idSchema, jsonBody, jsonResponse, problems } from '../../http/schemas.js';
import { text } from '../../http/text.js';

const tags = ['settlement'];
export const currencySchema = text({ max: 3 })
  .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as CNY')
  .openapi({ example: 'CNY' });
/** Minor units as a JSON integer: never a float, never above 2^53. */
export const moneySchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const holderSchema = text({ max: 64 }).regex(/^(acc|plt)_[0-9A-HJKMNP-TV-Z]{26}$/, 'an account or platform id');

const postingSchema = z.object({ holder: z.string(), role: z.string(), amount: z.number().int() });
export const journalSchema = z
  .object({
    id: idSchema('jnl'),
    kind: z.enum([
      'topup',
      'trade',
      'reversal',
      'payment',
      'refund',
      'hold',
      'hold_release',
      'payout',
      'partial_reversal',
      'recovery',
      'bid_hold',
      'forfeit',
      'licence_fee',
      'licence_royalty',
    ]),
    currency: z.string(),
    tradeId: z.string().nullable(),
    reverses: z.string().nullable(),
    memo: z.string().nullable(),
    createdAt: z.string(),
    postings: z.array(postingSchema),
  })
  .openapi('Journal');

export const topUp = createRoute({
  method: 'post',
  path: '/v1/balances/top-ups',
  tags,
  summary: 'Credit a clearing balance (operator): money entering the exchange from outside',
  request: {
    headers: idempotencyHeader,
    body: jsonBody(
      z
        .object({
          holderId: holderSchema,
          currency: currencySchema,
          amount: moneySchema,
          memo: text({ multiline: true, max: 500 }).optional(),
        })
        .strict(),
    ),
  },
  responses: { 201: jsonResponse('The top-up journal', journalSchema), ...problems(400, 401, 403, 404) },
});

export const getBalances = createRoute({
  method: 'get',
  path: '/v1/balances/{holderId}',
  tags,
  summary: 'The clearing balances of an account or platform, per currency, and what it owes',
  request: { params: z.object({ holderId: holderSchema.openapi({ param: { name: 'holderId', in: 'path' } }) }) },
  responses: {
    200: jsonResponse(
      'Balances',
      z.object({
        holderId: z.string(),
        balances: z.array(
          z.object({
            currency: z.string(),
            amount: z.number().int().openapi({
              description: "Available on the clearing balance, including a sale's fees and royalties not yet folded into it",
            }),
            owed: z.number().int().openapi({
              description:
                'Owed to the exchange after a refund or chargeback took back proceeds already spent; paid from the next credits',
            }),
          }),
        ),
      }),
    ),
    ...problems(400, 401, 404),
  },
});

export const getJournal = createRoute({
  method: 'get',
  path: '/v1/journals/{id}',
  tags,
  summary: 'A journal and its postings (the operator, officials, and parties it names)',
  request: { params: z.object({ id: idSchema('jnl').openapi({ param: { name: 'id', in: 'path' } }) }) },
  responses: { 200: jsonResponse('The journal', journalSchema), ...problems(400, 401, 404) },
});

export const statement = createRoute({
  method: 'get',
  path: '/v1/balances/{holderId}/statement',
  tags,
  summary: 'Every posting to a holder in one currency, in balance order, with the balance after each',
  description:
    "Lines come in the order they moved the holder's balance, each with the balance after it. A platform's fee and a " +
    "creator's royalty from a sale are pending until folded into the balance (within a scheduler tick, or at the " +
    "holder's next debit): pending lines come last, oldest first, with `pending: true` and the balance they will show " +
    'if nothing else comes first, so the last line matches GET /v1/balances/{holderId}. Once folded, a line moves ' +
    'among the folded ones with its final balance. A walk through the pages sees every line once: a credit folded ' +
    'after the walk passed its pending line is not shown again, and one folded before the walk reached it comes ' +
    'among the folded lines, after those the walk has seen.',
  request: {
    params: z.object({ holderId: holderSchema.openapi({ param: { name: 'holderId', in: 'path' } }) }),
    query: pageQuerySchema.extend({ currency: currencySchema }),
  },
  responses: {
    200: jsonResponse(
      'A page of the statement',
      pageSchema(
        z.object({
          journalId: z.string(),
          kind: z.string(),
          tradeId: z.string().nullable(),
          role: z.string(),
          amount: z.number().int(),
          balanceAfter: z.number().int(),
          pending: z.boolean().openapi({ description: 'Counted in the balance, not yet folded into its running total' }),
          at: z.string(),
        }),
      ),
    ),
    ...problems(400, 401, 404),
  },
});
