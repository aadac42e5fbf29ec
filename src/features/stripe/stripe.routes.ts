import { createRoute, z } from '@hono/zod-openapi';
import { pageQuerySchema, pageSchema } from '../../http/pagination.js';
import { idempotencyHeader, jsonBody, jsonResponse, problemSchema, problems } from '../../http/schemas.js';
import { SECRET_REPLAY_NOTE } from '../../http/secret-values.js';
import { text } from '../../http/text.js';
import { marketCurrencySchema, moneySchema, PUBLIC } from '../market/market.schemas.js';
import { PAYOUT_FILTERS } from './payout-list.service.js';

const holderSchema = text({ max: 64 }).regex(/^(acc|plt)_[0-9A-HJKMNP-TV-Z]{26}$/, 'an account or platform id');
const topUpId = text({ max: 64 })
  .regex(/^stp_[0-9A-HJKMNP-TV-Z]{26}$/, 'a Stripe top-up id like stp_01J…')
  .openapi({ param: { name: 'id', in: 'path' }, example: 'stp_01JABCDEFGHJKMNPQRSTVWXYZ1' });

/** 502: Stripe could not be reached or refused; nothing was charged and the request may be retried. */
export const providerProblem = {
  502: {
    description: 'Stripe did not answer (payment_provider_unavailable); retry with the same Idempotency-Key',
    content: { 'application/problem+json': { schema: problemSchema } },
  },
};

export const paymentSchema = z
  .object({
    id: z.string().openapi({ description: 'Our payment id: the trade id, or the top-up id.' }),
    paymentIntentId: z.string(),
    clientSecret: z
      .string()
      .openapi({ description: `Give it to Stripe.js on the payer’s device to confirm the payment. ${SECRET_REPLAY_NOTE}` }),
  })
  .openapi('StripePayment');

const topUpSchema = z
  .object({
    id: z.string(),
    holderId: z.string(),
    currency: z.string(),
    amount: z.number().int(),
    paymentIntentId: z.string(),
    clientSecret: z.string().optional(),
    status: z.enum(['pending', 'credited', 'reversed', 'refunded']).openapi({
      description: 'refunded: paid with another amount than asked, never credited, and given back to the card.',
    }),
  })
  .openapi('StripeTopUp');

export const webhook = createRoute({
  method: 'post',
  path: '/v1/stripe/webhook',
  tags: ['stripe'],
  summary: 'Stripe webhook endpoint (Stripe calls this; signed, no API key)',
  description:
    'Register this URL in the Stripe dashboard for payment_intent.succeeded, payment_intent.payment_failed, ' +
    'payment_intent.canceled, charge.refunded, charge.dispute.created and charge.dispute.closed, and (as a Connect ' +
    'webhook, events on connected accounts) account.updated, which records the onboarding status. The ' +
    'Stripe-Signature header is verified over the raw body with STRIPE_WEBHOOK_SECRET (or, for the Connect endpoint, ' +
    'STRIPE_CONNECT_WEBHOOK_SECRET); a bad or stale signature ' +
    'gets 400 `invalid_signature` and changes nothing. Events are deduplicated by id; any order is fine.',
  security: PUBLIC,
  responses: {
    200: jsonResponse(
      'Accepted (also for duplicates and events that are not about our payments or connected accounts)',
      z.object({ received: z.literal(true), eventId: z.string(), duplicate: z.boolean(), ignored: z.boolean() }),
    ),
    ...problems(400, 422),
  },
});

export const createTopUp = createRoute({
  method: 'post',
  path: '/v1/balances/stripe-top-ups',
  tags: ['settlement'],
  summary: 'Top up a clearing balance by card: a PaymentIntent that credits the balance when it succeeds',
  description:
    'The operator, a platform (for itself or its accounts) or an account (for itself). The balance is credited once, ' +
    'by the `payment_intent.succeeded` webhook. Send an `Idempotency-Key`: a retry returns the same PaymentIntent.',
  request: {
    headers: idempotencyHeader,
    body: jsonBody(z.object({ holderId: holderSchema, currency: marketCurrencySchema, amount: moneySchema }).strict()),
  },
  responses: { 201: jsonResponse('The top-up', topUpSchema), ...problems(400, 401, 403, 404, 422), ...providerProblem },
});

export const getTopUp = createRoute({
  method: 'get',
  path: '/v1/balances/stripe-top-ups/{id}',
  tags: ['settlement'],
  summary: 'Read a card top-up: pending until Stripe confirms the payment, then credited',
  request: { params: z.object({ id: topUpId }) },
  responses: { 200: jsonResponse('The top-up', topUpSchema), ...problems(400, 401, 403, 404) },
});

const accountParam = z.object({
  id: text({ max: 64 })
    .regex(/^acc_[0-9A-HJKMNP-TV-Z]{26}$/, 'an account id')
    .openapi({ param: { name: 'id', in: 'path' } }),
});

const connectStatusSchema = z
  .object({
    accountId: z.string(),
    stripeAccountId: z.string().nullable().openapi({ description: 'null: not onboarded yet.' }),
    chargesEnabled: z.boolean(),
    payoutsEnabled: z.boolean().openapi({
      description:
        'Proceeds of stripe-rail trades are transferred only while this is true; otherwise they stay on the clearing balance.',
    }),
    detailsSubmitted: z.boolean(),
    requirementsDue: z
      .array(z.string())
      .openapi({ description: "Stripe's requirements.currently_due: names of what is still missing, e.g. external_account." }),
    disabledReason: z.string().nullable().openapi({ description: "Stripe's requirements.disabled_reason." }),
    statusAt: z.string().nullable().openapi({
      description: 'When Stripe reported this status (account.updated, or the account read at onboarding); null: never.',
    }),
  })
  .openapi('StripeConnectStatus');

export const onboard = createRoute({
  method: 'post',
  path: '/v1/stripe/connect/onboarding',
  tags: ['stripe'],
  summary: 'Onboard a seller or creator to Stripe Connect: their connected account and an onboarding link',
  description:
    'The connected account is created once per account (Express, transfers capability); each call returns a fresh ' +
    'one-time onboarding link, with the account status read from Stripe. Once Stripe enables payouts on it ' +
    '(`account.updated`), the proceeds of stripe-rail trades (seller proceeds, royalties) are transferred to it ' +
    'after settlement, grouped by the trade id (`transfer_group`) and funded by the payment (`source_transaction`).',
  request: {
    headers: idempotencyHeader,
    body: jsonBody(
      z
        .object({
          accountId: text({ max: 64 }).regex(/^acc_[0-9A-HJKMNP-TV-Z]{26}$/, 'an account id'),
          refreshUrl: text({ max: 2048 }).url(),
          returnUrl: text({ max: 2048 }).url(),
        })
        .strict(),
    ),
  },
  responses: {
    201: jsonResponse(
      'The connected account and its onboarding link',
      connectStatusSchema.extend({ stripeAccountId: z.string(), onboardingUrl: z.string(), expiresAt: z.string() }),
    ),
    ...problems(400, 401, 403, 404, 422),
    ...providerProblem,
  },
});

const transferView = z
  .object({
    id: z.string(),
    accountId: z.string(),
    tradeId: z.string(),
    role: z.string(),
    currency: z.string(),
    amount: z.number().int(),
    transferGroup: z.string(),
    sourceTransaction: z.string().nullable(),
    status: z.enum(['pending', 'retrying', 'paid', 'cancelled', 'reversed']).openapi({
      description: 'cancelled: clawed back before it was sent; reversed: paid, then taken back by a transfer reversal.',
    }),
    stripeReversalId: z.string().nullable(),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    nextAttemptAt: z.string().nullable(),
    stripeTransferId: z.string().nullable(),
    createdAt: z.string(),
    paidAt: z.string().nullable(),
  })
  .openapi('Payout');

export const payoutReport = createRoute({
  method: 'get',
  path: '/v1/accounts/{id}/payouts',
  tags: ['stripe'],
  summary: "Payout report: every Stripe Connect transfer of an account's proceeds, with retries and totals",
  description:
    'Totals cover every transfer of the account; `transfers` is one page of them, oldest first ' +
    '(`?after=<nextCursor>&limit=`).',
  request: { params: accountParam, query: pageQuerySchema },
  responses: {
    200: jsonResponse(
      'The report',
      z
        .object({
          accountId: z.string(),
          stripeAccountId: z.string().nullable(),
          totals: z.array(z.object({ currency: z.string(), paid: z.number().int(), pending: z.number().int() })),
          transfers: z.array(transferView),
          nextCursor: z.string().nullable(),
        })
        .openapi('PayoutReport'),
    ),
    ...problems(400, 401, 403, 404),
  },
});

export const connectStatus = createRoute({
  method: 'get',
  path: '/v1/accounts/{id}/stripe-connect',
  tags: ['stripe'],
  summary: "An account's Stripe Connect onboarding status: whether Stripe lets it receive payouts, and what is still due",
  description: "The operator, the account's platform, or the account itself. Updated by Stripe's account.updated webhook.",
  request: { params: accountParam },
  responses: { 200: jsonResponse('The status', connectStatusSchema), ...problems(400, 401, 403, 404) },
});

export const listPayouts = createRoute({
  method: 'get',
  path: '/v1/payouts',
  tags: ['stripe'],
  summary: 'Payouts (Stripe Connect transfers) across accounts: all for the operator, its own accounts for a platform',
  description:
    'Oldest first. `status` filters: pending (not sent, no failed attempt), failed (not sent, the last attempt failed; ' +
    'retried with backoff), sent (paid and not taken back), clawed_back (cancelled before sending, or reversed).',
  request: { query: pageQuerySchema.extend({ status: z.enum(PAYOUT_FILTERS).optional() }) },
  responses: { 200: jsonResponse('A page of payouts', pageSchema(transferView)), ...problems(400, 401, 403) },
});
