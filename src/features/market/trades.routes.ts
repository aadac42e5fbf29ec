import { createRoute } from '@hono/zod-openapi';
import { idempotencyHeader, idParams, jsonResponse, problems } from '../../http/schemas.js';
import { tradeCertificateSchema } from '../board/trade-certificate.js';
import { tradeSchema } from './market.schemas.js';

const tags = ['market'];

export const getTrade = createRoute({
  method: 'get',
  path: '/v1/trades/{id}',
  tags,
  summary: 'Read a trade (its buyer and seller, their platforms, officials, the operator)',
  description:
    "`certificate` is the trade certificate: the offline proof of the trade's `trade.settled` event, null until the " +
    'trade has settled and the integrator has put the event into a signed checkpoint. ' +
    '`GET /v1/trades/{id}/certificate.tlog-proof` downloads it as a file.',
  request: { params: idParams('trd') },
  responses: {
    200: jsonResponse(
      'The trade',
      tradeSchema.extend({ certificate: tradeCertificateSchema.nullable() }).openapi('TradeWithCertificate'),
    ),
    ...problems(400, 401, 404),
  },
});

export const settleTrade = createRoute({
  method: 'post',
  path: '/v1/trades/{id}/settle',
  tags,
  summary: "Pay a reserved trade from the buyer's clearing balance and take the unit (the buyer)",
  description:
    'Settling a settled trade returns it unchanged. 409 `reservation_expired` once the reservation has lapsed ' +
    '(the unit is released), `trade_released`, `insufficient_funds` (the reservation stays until it lapses).',
  request: { params: idParams('trd'), headers: idempotencyHeader },
  responses: { 200: jsonResponse('Settled', tradeSchema), ...problems(400, 401, 403, 404, 409, 422) },
});

export const cancelTrade = createRoute({
  method: 'post',
  path: '/v1/trades/{id}/cancel',
  tags,
  summary: 'Release an unsettled reservation (the buyer); the unit and its listing take buyers again',
  request: { params: idParams('trd'), headers: idempotencyHeader },
  responses: { 200: jsonResponse('Released', tradeSchema), ...problems(400, 401, 403, 404, 409) },
});
