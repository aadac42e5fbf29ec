/** Kysely types of the tables for: the Stripe rail and Connect payouts (0007, 0010). */
import type { ColumnType } from 'kysely';
import type { Int8, Timestamp } from './columns.js';

/** schema/0007_stripe.sql */
export interface StripePaymentsTable {
  id: string;
  purpose: 'trade' | 'topup' | 'bid' | 'licence';
  trade_id: string | null;
  holder: string;
  currency: string;
  amount: Int8;
  request_key: string | null;
  payment_intent_id: string | null;
  succeeded_at: Timestamp | null;
  amount_received: Int8 | null;
  charge_id: string | null;
  failed_at: Timestamp | null;
  canceled_at: Timestamp | null;
  refunded_at: Timestamp | null;
  /** The largest refunded total of the charge Stripe has reported (0009). */
  amount_refunded: ColumnType<bigint, bigint | number | undefined, bigint | number>;
  /** How much of it the ledger has taken back so far (0009). */
  amount_reversed: ColumnType<bigint, bigint | number | undefined, bigint | number>;
  dispute_id: string | null;
  dispute_status: 'open' | 'won' | 'lost' | null;
  payment_journal_id: string | null;
  hold_journal_id: string | null;
  hold_release_journal_id: string | null;
  /** When a dispute's hold was placed and released, whether or not money was held (0009). */
  hold_placed_at: Timestamp | null;
  hold_released_at: Timestamp | null;
  reversal_journal_id: string | null;
  refund_journal_id: string | null;
  /** A card-authorised bid (0022): its auction, and the accepted bid once authorised. */
  listing_id: string | null;
  bid_id: string | null;
  authorized_at: Timestamp | null;
  bid_refused: 'bid_too_low' | 'auction_ended' | 'bidder_refused' | 'replaced' | 'payment_canceled' | null;
  /** What Stripe is asked to do with the authorisation (sent after commit, retried by the schedule). */
  bid_action: 'capture' | 'cancel' | null;
  bid_action_sent_at: Timestamp | null;
  bid_action_attempts: ColumnType<number, number | undefined, number>;
  bid_action_next_at: Timestamp | null;
  bid_action_error: string | null;
  /** A licence grant accepted by card (0024): the upfront fee's payment. */
  licence_grant_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface StripeEventsTable {
  id: string;
  type: string;
  payment_intent_id: string | null;
  stripe_created: Timestamp;
  received_at: Timestamp;
}

export interface StripeRefundsTable {
  id: string;
  payment_id: string;
  payment_intent_id: string;
  idempotency_key: string;
  reason: string;
  stripe_refund_id: string | null;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Timestamp;
  last_error: string | null;
  created_at: Timestamp;
  sent_at: Timestamp | null;
  /** schema/0016: Stripe refused it for good (already refunded in full, or disputed). */
  refused_code: ColumnType<
    'charge_already_refunded' | 'charge_disputed' | null,
    'charge_already_refunded' | 'charge_disputed' | null | undefined,
    'charge_already_refunded' | 'charge_disputed' | null
  >;
}

/** schema/0007_stripe.sql, onboarding status from schema/0010_connect_status.sql */
export interface StripeConnectedAccountsTable {
  holder: string;
  stripe_account_id: string;
  created_at: Timestamp;
  charges_enabled: ColumnType<boolean, boolean | undefined, boolean>;
  payouts_enabled: ColumnType<boolean, boolean | undefined, boolean>;
  details_submitted: ColumnType<boolean, boolean | undefined, boolean>;
  /** jsonb array of Stripe requirement names; written as JSON text cast to text, then jsonb (both drivers). */
  requirements_due: ColumnType<string[], string | undefined, string>;
  disabled_reason: ColumnType<string | null, string | null | undefined, string | null>;
  status_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** schema/0016: the account.updated event the held report came from (null: a retrieval, or none yet). */
  status_event_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface StripeTransfersTable {
  id: string;
  trade_id: string;
  holder: string;
  role: string;
  currency: string;
  amount: Int8;
  transfer_group: string;
  source_charge: string | null;
  journal_id: string;
  idempotency_key: string;
  stripe_transfer_id: string | null;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Timestamp;
  last_error: string | null;
  created_at: Timestamp;
  sent_at: Timestamp | null;
  clawback_journal_id: string | null;
  clawed_back_at: Timestamp | null;
  stripe_reversal_id: string | null;
  reversal_sent_at: Timestamp | null;
}
