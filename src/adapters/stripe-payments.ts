import Stripe from 'stripe';
import {
  connectAccountStatus,
  type PaymentEvent,
  type Payments,
  RefundRefusedError,
  WebhookSignatureError,
} from '../ports/payments.js';

export interface StripeSettings {
  secretKey: string;
  webhookSecret: string;
  /** The Connect endpoint's signing secret (events on connected accounts), if it has its own. */
  connectWebhookSecret?: string;
  /** Overrides https://api.stripe.com, e.g. a local stand-in in tests: http://127.0.0.1:12111 */
  apiBase?: string;
}

/**
 * The Payments port over the official `stripe` SDK, built to run unchanged on Node and on Workers:
 * requests go through the fetch HTTP client and webhook signatures are checked with SubtleCrypto
 * (`constructEventAsync`), so neither node:http nor node:crypto is needed.
 */
export function stripePayments(settings: StripeSettings): Payments {
  const base = settings.apiBase ? new URL(settings.apiBase) : null;
  const stripe = new Stripe(settings.secretKey, {
    httpClient: Stripe.createFetchHttpClient(),
    // Our own idempotency keys make the SDK's retries safe; keep them few so a request stays short.
    maxNetworkRetries: 1,
    ...(base
      ? {
          host: base.hostname,
          port: base.port || (base.protocol === 'http:' ? 80 : 443),
          protocol: base.protocol === 'http:' ? 'http' : 'https',
        }
      : {}),
  });
  const crypto = Stripe.createSubtleCryptoProvider();

  /**
   * Stripe answers `payment_intent_unexpected_state` when an intent cannot be captured or cancelled
   * any more (already captured, already cancelled, authorisation expired): what we want to know is
   * then where the intent stands, so read it. Any other error is thrown for a retry.
   */
  async function statusAfterRefusal(err: unknown, paymentIntentId: string): Promise<{ status: string }> {
    if ((err as { code?: unknown }).code !== 'payment_intent_unexpected_state') throw err;
    const pi = await stripe.paymentIntents.retrieve(paymentIntentId);
    return { status: pi.status };
  }

  return {
    async createPaymentIntent(input) {
      const pi = await stripe.paymentIntents.create(
        {
          amount: Number(input.amount),
          currency: input.currency.toLowerCase(),
          automatic_payment_methods: { enabled: true },
          transfer_group: input.transferGroup,
          metadata: input.metadata,
          description: input.description,
          ...(input.captureMethod === 'manual' ? { capture_method: 'manual' as const } : {}),
        },
        { idempotencyKey: input.idempotencyKey },
      );
      return { id: pi.id, clientSecret: pi.client_secret ?? '', status: pi.status };
    },
    async capturePaymentIntent(input) {
      try {
        const pi = await stripe.paymentIntents.capture(input.paymentIntentId, {}, { idempotencyKey: input.idempotencyKey });
        return { status: pi.status };
      } catch (err) {
        return statusAfterRefusal(err, input.paymentIntentId);
      }
    },
    async cancelPaymentIntent(input) {
      try {
        const pi = await stripe.paymentIntents.cancel(input.paymentIntentId, {}, { idempotencyKey: input.idempotencyKey });
        return { status: pi.status };
      } catch (err) {
        return statusAfterRefusal(err, input.paymentIntentId);
      }
    },
    async createRefund(input) {
      try {
        const refund = await stripe.refunds.create(
          { payment_intent: input.paymentIntentId, metadata: input.metadata },
          { idempotencyKey: input.idempotencyKey },
        );
        return { id: refund.id, status: refund.status ?? 'pending' };
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (code === 'charge_already_refunded' || code === 'charge_disputed') throw new RefundRefusedError(code);
        throw err;
      }
    },
    async createConnectedAccount(input) {
      const account = await stripe.accounts.create(
        {
          type: 'express',
          capabilities: { transfers: { requested: true } },
          metadata: input.metadata,
        },
        { idempotencyKey: input.idempotencyKey },
      );
      return { id: account.id };
    },
    async retrieveConnectedAccount(account) {
      return connectAccountStatus((await stripe.accounts.retrieve(account)) as unknown as Record<string, unknown>);
    },
    async createAccountLink(input) {
      const link = await stripe.accountLinks.create({
        account: input.account,
        refresh_url: input.refreshUrl,
        return_url: input.returnUrl,
        type: 'account_onboarding',
      });
      return { url: link.url, expiresAt: link.expires_at };
    },
    async createTransfer(input) {
      const transfer = await stripe.transfers.create(
        {
          amount: Number(input.amount),
          currency: input.currency.toLowerCase(),
          destination: input.destination,
          transfer_group: input.transferGroup,
          source_transaction: input.sourceTransaction,
          metadata: input.metadata,
        },
        { idempotencyKey: input.idempotencyKey },
      );
      return { id: transfer.id };
    },
    async createTransferReversal(input) {
      const reversal = await stripe.transfers.createReversal(
        input.transferId,
        { metadata: input.metadata },
        { idempotencyKey: input.idempotencyKey },
      );
      return { id: reversal.id };
    },
    async verifyWebhook(rawBody, signatureHeader) {
      // One URL may serve both Stripe endpoints (the account's and Connect's), each signing with its own secret.
      const secrets = [settings.webhookSecret, settings.connectWebhookSecret].filter((x): x is string => !!x);
      let failure: unknown;
      for (const secret of secrets) {
        try {
          const event = await stripe.webhooks.constructEventAsync(rawBody, signatureHeader, secret, undefined, crypto);
          return event as unknown as PaymentEvent;
        } catch (err) {
          failure = err;
        }
      }
      throw new WebhookSignatureError((failure as Error).message);
    },
  };
}

/** Payments when STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET are set; otherwise none. */
export function paymentsFromConfig(config: {
  STRIPE_SECRET_KEY?: string;
  STRIPE_WEBHOOK_SECRET?: string;
  STRIPE_CONNECT_WEBHOOK_SECRET?: string;
  STRIPE_API_BASE?: string;
}): Payments | undefined {
  if (!config.STRIPE_SECRET_KEY) return undefined;
  if (!config.STRIPE_WEBHOOK_SECRET) {
    throw new Error('STRIPE_SECRET_KEY is set but STRIPE_WEBHOOK_SECRET is not: webhooks could not be verified');
  }
  return stripePayments({
    secretKey: config.STRIPE_SECRET_KEY,
    webhookSecret: config.STRIPE_WEBHOOK_SECRET,
    connectWebhookSecret: config.STRIPE_CONNECT_WEBHOOK_SECRET,
    apiBase: config.STRIPE_API_BASE,
  });
}
