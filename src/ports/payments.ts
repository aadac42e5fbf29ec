/**
 * Card payments as the exchange needs them (DESIGN §2 "Settlement", the stripe rail). Every call
 * that creates something carries an idempotency key (Stripe idempotent requests): repeating a call
 * with the same key returns the first result and never charges or refunds twice.
 */
export interface Payments {
  createPaymentIntent(input: {
    amount: bigint;
    /** ISO 4217, upper case as stored; the adapter sends what the provider expects. */
    currency: string;
    idempotencyKey: string;
    /** Groups the payment with the Connect transfers that pay its proceeds out. */
    transferGroup?: string;
    metadata: Record<string, string>;
    description?: string;
  }): Promise<{ id: string; clientSecret: string; status: string }>;
  createRefund(input: {
    paymentIntentId: string;
    idempotencyKey: string;
    metadata: Record<string, string>;
  }): Promise<{ id: string; status: string }>;
  /** Stripe Connect: a connected account for a seller or creator (Express). */
  createConnectedAccount(input: { idempotencyKey: string; metadata: Record<string, string> }): Promise<{ id: string }>;
  /** A one-time onboarding link for a connected account. */
  createAccountLink(input: {
    account: string;
    refreshUrl: string;
    returnUrl: string;
  }): Promise<{ url: string; expiresAt: number }>;
  /**
   * Moves proceeds from the platform's Stripe balance to a connected account. `sourceTransaction`
   * (the Charge) ties it to the payment's funds; `transferGroup` (the trade id) ties the trade's
   * transfers together.
   */
  createTransfer(input: {
    amount: bigint;
    currency: string;
    destination: string;
    transferGroup: string;
    sourceTransaction?: string;
    idempotencyKey: string;
    metadata: Record<string, string>;
  }): Promise<{ id: string }>;
  /** Takes a transfer back from the connected account (a refund or dispute of its trade). */
  createTransferReversal(input: {
    transferId: string;
    idempotencyKey: string;
    metadata: Record<string, string>;
  }): Promise<{ id: string }>;
  /**
   * Verifies a webhook's signature over the raw body (Stripe-Signature: HMAC-SHA256, 5 minute
   * tolerance) and returns the event; throws `WebhookSignatureError` when it does not verify.
   */
  verifyWebhook(rawBody: string, signatureHeader: string): Promise<PaymentEvent>;
}

/** The parts of a Stripe event the webhook reads. */
export interface PaymentEvent {
  id: string;
  type: string;
  /** Unix seconds. */
  created: number;
  data: { object: Record<string, unknown> };
}

export class WebhookSignatureError extends Error {}
