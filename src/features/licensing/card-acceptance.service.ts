import type { Deps } from '../../deps.js';
import type { Principal } from '../../http/env.js';
import { conflict, unprocessable } from '../../http/problem.js';
import { RESERVATION_SECONDS } from '../market/trades.service.js';
import { openPaymentIntent, type PaymentView, requestKeyOf } from '../stripe/checkout.service.js';
import { findPaymentByRequestKey, insertPayment, newTopUpId } from '../stripe/payments.repo.js';
import { requirePayments } from '../stripe/webhook.service.js';
import { checkAcceptance, makeGrant } from './grants.service.js';
import { findGrant, type GrantRow } from './licensing.repo.js';

type CardDeps = Pick<Deps, 'db' | 'clock' | 'payments' | 'log' | 'requestTransaction'>;

/**
 * `POST /v1/licence-offers/{id}/accept` with `rail: 'stripe'`, as a stripe-rail purchase is made:
 * one transaction makes the checks of any acceptance, takes the grant's rights (so nobody else can
 * take them meanwhile) with the grant `pending_payment` for the reservation window of purchases,
 * and writes its `stripe_payments` row (purpose `licence`); the PaymentIntent for the upfront fee
 * is created after commit (`openPaymentIntent`, key `haipai-pi-<payment>`). The verified
 * `payment_intent.succeeded` webhook makes the grant (`card-payments.ts`). A retry with the same
 * Idempotency-Key after Stripe failed finds the same grant and payment, never a second grant.
 */
export async function acceptOfferByCard(
  deps: CardDeps,
  principal: Principal,
  offerId: string,
  input: { licenseeId: string; autoRenew: boolean },
  idempotencyKey: string | undefined,
): Promise<{ grant: GrantRow; payment: PaymentView }> {
  requirePayments(deps);
  const requestKey = requestKeyOf(principal, idempotencyKey);
  let payment = requestKey ? await findPaymentByRequestKey(deps.db, requestKey) : undefined;
  // The key is the caller's across payments; the middleware refuses reuse on another route first.
  if (payment && payment.purpose !== 'licence') {
    throw conflict('idempotency_key_reused', 'This Idempotency-Key was used with a different request.');
  }
  if (!payment) {
    const now = deps.clock.now();
    payment = await deps.db.transaction().execute(async (trx) => {
      const { licensee, offer, startsAt } = await checkAcceptance(trx, principal, offerId, input, now);
      // Stripe takes no payment of nothing: a free licence is accepted on the balance rail.
      if (offer.upfront_fee <= 0n) {
        throw unprocessable('nothing_to_pay', `Licence offer ${offerId} has no upfront fee; accept it on the balance rail.`);
      }
      const grant = await makeGrant(
        trx,
        offer,
        {
          licenseeId: licensee.id,
          licenseePlatformId: licensee.platform_id,
          startsAt,
          endsAt: offer.ends_at,
          autoRenew: input.autoRenew,
          renewalOf: null,
          paymentDueAt: new Date(now.getTime() + RESERVATION_SECONDS * 1000),
        },
        now,
      );
      return insertPayment(
        trx,
        {
          id: newTopUpId(),
          purpose: 'licence',
          licenceGrantId: grant.id,
          holder: licensee.id,
          currency: offer.currency,
          amount: offer.upfront_fee,
          requestKey,
        },
        now,
      );
    });
  }
  const before = await findGrant(deps.db, payment.licence_grant_id!);
  if (before.status === 'lapsed') {
    throw conflict('grant_lapsed', `Licence grant ${before.id} lapsed unpaid; accept the offer again.`, { grantId: before.id });
  }
  const view = await openPaymentIntent(deps, payment);
  // Read again: the succeeded webhook may have made the grant while the intent was being created.
  const grant = await findGrant(deps.db, before.id);
  return { grant, payment: view };
}
