import { requirePrincipal } from '../../http/auth.js';
import { createRouter } from '../../http/router.js';
import { createStripeTopUp, readStripeTopUp } from './checkout.service.js';
import { onboardAccount } from './connect-onboarding.service.js';
import { readConnectStatus } from './connect-status.service.js';
import { listPayouts } from './payout-list.service.js';
import { payoutReport } from './payout-report.service.js';
import * as routes from './stripe.routes.js';
import { handleStripeWebhook } from './webhook.service.js';

/**
 * Stripe: the webhook endpoint, card top-ups, Connect onboarding and payouts. Purchases on the
 * stripe rail live on the purchase route.
 */
export function stripeRouter() {
  return createRouter()
    .openapi(routes.webhook, async (c) => {
      // The raw text, before anything parses it: the signature covers these exact bytes.
      const raw = await c.req.text();
      const outcome = await handleStripeWebhook(c.get('deps'), raw, c.req.header('stripe-signature'));
      return c.json(
        { received: true as const, eventId: outcome.eventId, duplicate: outcome.duplicate, ignored: outcome.ignored },
        200,
      );
    })
    .openapi(routes.createTopUp, async (c) => {
      const principal = requirePrincipal(c);
      const view = await createStripeTopUp(c.get('deps'), principal, c.req.valid('json'), c.req.header('idempotency-key'));
      return c.json(view, 201);
    })
    .openapi(routes.getTopUp, async (c) => {
      const principal = requirePrincipal(c);
      return c.json(await readStripeTopUp(c.get('deps'), principal, c.req.valid('param').id), 200);
    })
    .openapi(routes.onboard, async (c) => {
      const principal = requirePrincipal(c, 'platform', 'account');
      return c.json(await onboardAccount(c.get('deps'), principal, c.req.valid('json')), 201);
    })
    .openapi(routes.payoutReport, async (c) => {
      const principal = requirePrincipal(c);
      return c.json(await payoutReport(c.get('deps').db, principal, c.req.valid('param').id, c.req.valid('query')), 200);
    })
    .openapi(routes.connectStatus, async (c) => {
      const principal = requirePrincipal(c, 'operator', 'platform', 'account');
      return c.json(await readConnectStatus(c.get('deps').db, principal, c.req.valid('param').id), 200);
    })
    .openapi(routes.listPayouts, async (c) => {
      const principal = requirePrincipal(c, 'operator', 'platform');
      return c.json(await listPayouts(c.get('deps').db, principal, c.req.valid('query')), 200);
    });
}
