/**
 * Card payments as the exchange needs them (the stripe rail: README, "Payments through Stripe"). Every call
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
    /** `manual`: the card is only authorised; the money moves when the intent is captured (a bid). */
    captureMethod?: 'automatic' | 'manual';
  }): Promise<{ id: string; clientSecret: string; status: string }>;
  /**
   * Captures an authorised PaymentIntent (manual capture). Returns the intent's status after the
   * call: `succeeded` when captured now or before; another status (`canceled`, …) when Stripe can no
   * longer capture it.
   */
  capturePaymentIntent(input: { paymentIntentId: string; idempotencyKey: string }): Promise<{ status: string }>;
  /**
   * Cancels a PaymentIntent that has not been captured, releasing the authorisation. Returns the
   * intent's status after the call: `canceled` when cancelled now or before, `succeeded` when it was
   * already captured (nothing to cancel).
   */
  cancelPaymentIntent(input: { paymentIntentId: string; idempotencyKey: string }): Promise<{ status: string }>;
  /** Refunds what is left of the payment; throws `RefundRefusedError` when Stripe never will. */
  createRefund(input: {
    paymentIntentId: string;
    idempotencyKey: string;
    metadata: Record<string, string>;
  }): Promise<{ id: string; status: string }>;
  /** Stripe Connect: a connected account for a seller or creator (Express). */
  createConnectedAccount(input: { idempotencyKey: string; metadata: Record<string, string> }): Promise<{ id: string }>;
  /** A connected account's onboarding status as Stripe reports it now (GET /v1/accounts/:id). */
  retrieveConnectedAccount(account: string): Promise<ConnectAccountStatus>;
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

/**
 * What the exchange keeps of a Stripe Account: capability flags, the names of requirements still
 * due and Stripe's reason code, never the account holder's personal data.
 */
export interface ConnectAccountStatus {
  chargesEnabled: boolean;
  payoutsEnabled: boolean;
  detailsSubmitted: boolean;
  /** requirements.currently_due: field names such as "external_account", not their values. */
  requirementsDue: string[];
  /** requirements.disabled_reason, e.g. "requirements.past_due". */
  disabledReason: string | null;
}

/** Reads the status fields off a Stripe Account object (an API answer or an account.updated payload). */
export function connectAccountStatus(account: Record<string, unknown>): ConnectAccountStatus {
  const req = (account.requirements && typeof account.requirements === 'object' ? account.requirements : {}) as Record<
    string,
    unknown
  >;
  const due = Array.isArray(req.currently_due) ? req.currently_due.filter((x): x is string => typeof x === 'string') : [];
  return {
    chargesEnabled: account.charges_enabled === true,
    payoutsEnabled: account.payouts_enabled === true,
    detailsSubmitted: account.details_submitted === true,
    requirementsDue: due,
    disabledReason: typeof req.disabled_reason === 'string' ? req.disabled_reason : null,
  };
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

/**
 * Stripe will never make this refund: the charge is already refunded in full, or it is disputed
 * (Stripe's error codes `charge_already_refunded`, `charge_disputed`). Not worth retrying.
 */
export class RefundRefusedError extends Error {
  constructor(readonly code: 'charge_already_refunded' | 'charge_disputed') {
    super(`Stripe refused the refund: ${code}`);
  }
}
