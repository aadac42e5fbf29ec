import { createRoute, z } from '@hono/zod-openapi';
import { pageQuerySchema, pageSchema } from '../../http/pagination.js';
import { idempotencyHeader, idParams, idSchema, jsonBody, jsonResponse, problems } from '../../http/schemas.js';
import { paymentSchema, providerProblem } from '../stripe/stripe.routes.js';
import {
  acceptOfferBody,
  createOfferBody,
  grantSchema,
  offerSchema,
  registerEntrySchema,
  reportBody,
  reportSchema,
  terminateBody,
} from './licensing.schemas.js';

const tags = ['licensing'];

export const createOffer = createRoute({
  method: 'post',
  path: '/v1/assets/{id}/licence-offers',
  tags,
  summary: "The rights holder's platform publishes a licence offer for a registered work",
  request: { params: idParams('ast'), headers: idempotencyHeader, body: jsonBody(createOfferBody) },
  responses: { 201: jsonResponse('The offer', offerSchema), ...problems(400, 401, 403, 404, 409, 422) },
});

export const listOffers = createRoute({
  method: 'get',
  path: '/v1/assets/{id}/licence-offers',
  tags,
  summary: "A work's open licence offers that anyone may accept (public), newest first",
  request: { params: idParams('ast'), query: pageQuerySchema },
  responses: { 200: jsonResponse('A page of offers', pageSchema(offerSchema)), ...problems(400, 404) },
});

export const getOffer = createRoute({
  method: 'get',
  path: '/v1/licence-offers/{id}',
  tags,
  summary: 'One licence offer (an offer naming accounts: their platforms and the rights holder’s only)',
  request: { params: idParams('lof') },
  responses: { 200: jsonResponse('The offer', offerSchema), ...problems(400, 404) },
});

export const withdrawOffer = createRoute({
  method: 'post',
  path: '/v1/licence-offers/{id}/withdraw',
  tags,
  summary: 'The rights holder withdraws an offer: no new grants, grants made stay in force',
  request: { params: idParams('lof'), headers: idempotencyHeader },
  responses: { 200: jsonResponse('The offer', offerSchema), ...problems(400, 401, 403, 404) },
});

/** A card acceptance: the pending grant and the PaymentIntent to confirm. */
const cardAcceptanceSchema = grantSchema.extend({ payment: paymentSchema }).openapi('LicenceCardAcceptance');

export const acceptOffer = createRoute({
  method: 'post',
  path: '/v1/licence-offers/{id}/accept',
  tags,
  summary: "A licensee's platform accepts an offer: the upfront fee is paid (balance or card) and the grant is made",
  description:
    'Balance rail (default), one transaction: exclusivity is checked under the work’s lock (409 licence_conflict names the ' +
    'grant in the way), the fee is split as a sale is (platform fee, creators by their shares and up the derivative chain, ' +
    'the rest to the rights holder), and `licence.granted` is recorded; its tlog-proof is the grant’s certificate. ' +
    'Stripe rail (`rail: "stripe"`): the same checks, then 202 with the grant `pending_payment` — it holds the rights, so ' +
    'nobody else can take them meanwhile — and a PaymentIntent for the fee; Stripe’s verified `payment_intent.succeeded` ' +
    'webhook splits the fee the same way and activates the grant. Unpaid after the reservation window (15 minutes) the ' +
    'grant lapses and a later payment is refunded. Send an `Idempotency-Key`: a retry finds the same grant.',
  request: { params: idParams('lof'), headers: idempotencyHeader, body: jsonBody(acceptOfferBody) },
  responses: {
    201: jsonResponse('The grant', grantSchema),
    202: jsonResponse('The grant waiting for its card payment, and the PaymentIntent to confirm', cardAcceptanceSchema),
    ...problems(400, 401, 403, 404, 409, 422),
    ...providerProblem,
  },
});

export const getGrant = createRoute({
  method: 'get',
  path: '/v1/licence-grants/{id}',
  tags,
  summary: 'One grant, with its certificate (licensee, rights holder, operator and officials)',
  request: { params: idParams('lgr') },
  responses: { 200: jsonResponse('The grant', grantSchema), ...problems(400, 401, 404) },
});

export const listAccountGrants = createRoute({
  method: 'get',
  path: '/v1/accounts/{id}/licence-grants',
  tags,
  summary: 'Grants an account holds (licensee) or has given (licensor), newest first; `late=true` shows overdue reports',
  request: {
    params: idParams('acc'),
    query: pageQuerySchema.extend({
      role: z.enum(['licensee', 'licensor']).default('licensee'),
      late: z.enum(['true', 'false']).optional().openapi({ description: 'Only grants whose report is (or is not) overdue.' }),
    }),
  },
  responses: { 200: jsonResponse('A page of grants', pageSchema(grantSchema)), ...problems(400, 401, 404) },
});

export const reportRoyalties = createRoute({
  method: 'post',
  path: '/v1/licence-grants/{id}/royalty-reports',
  tags,
  summary: 'The licensee reports revenue for the next period; royalties are settled at once from its balance',
  request: { params: idParams('lgr'), headers: idempotencyHeader, body: jsonBody(reportBody) },
  responses: { 201: jsonResponse('The report', reportSchema), ...problems(400, 401, 403, 404, 409, 422) },
});

export const listReports = createRoute({
  method: 'get',
  path: '/v1/licence-grants/{id}/royalty-reports',
  tags,
  summary: "A grant's royalty reports, oldest first (licensee and rights holder)",
  request: { params: idParams('lgr'), query: pageQuerySchema },
  responses: { 200: jsonResponse('A page of reports', pageSchema(reportSchema)), ...problems(400, 401, 404) },
});

export const terminateGrant = createRoute({
  method: 'post',
  path: '/v1/licence-grants/{id}/terminate',
  tags,
  summary: 'The rights holder terminates a grant whose royalty report is overdue; the log records the reason by SHA-256',
  request: { params: idParams('lgr'), headers: idempotencyHeader, body: jsonBody(terminateBody) },
  responses: { 200: jsonResponse('The grant', grantSchema), ...problems(400, 401, 403, 404, 409) },
});

export const renewGrant = createRoute({
  method: 'post',
  path: '/v1/licence-grants/{id}/renew',
  tags,
  summary: 'The licensee renews a grant in force for another term (renewable offers): the upfront fee is paid again',
  request: { params: idParams('lgr'), headers: idempotencyHeader },
  responses: { 201: jsonResponse('The grant of the next term', grantSchema), ...problems(400, 401, 403, 404, 409, 422) },
});

export const licenceRegister = createRoute({
  method: 'get',
  path: '/v1/board/licences',
  tags: ['board', ...tags],
  summary: 'The public licence register: grants in force (work, scope, territory, term, exclusivity, pseudonymous licensee)',
  request: { query: pageQuerySchema.extend({ assetId: idSchema('ast').optional() }) },
  responses: { 200: jsonResponse('A page of grants in force, newest first', pageSchema(registerEntrySchema)), ...problems(400) },
});
