import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** Timestamps are written as Date and read back as Date by both drivers. */
type Timestamp = ColumnType<Date, Date, Date>;
/** int8 columns are read as bigint (both drivers are configured for it). */
type Int8 = ColumnType<bigint, bigint | number, bigint | number>;

export interface PlatformsTable {
  id: string;
  name: string;
  fee_bps: number;
  created_at: Timestamp;
}

export interface OfficialsTable {
  id: string;
  name: string;
  office: string;
  created_at: Timestamp;
}

export type KycLevel = 'none' | 'basic' | 'verified';

export interface AccountsTable {
  id: string;
  platform_id: string;
  kind: 'person' | 'organization';
  display_name: string;
  external_ref: string | null;
  kyc_level: Generated<KycLevel>;
  is_adult: boolean | null;
  attested_at: Timestamp | null;
  created_at: Timestamp;
}

export interface AttestationsTable {
  id: string;
  account_id: string;
  platform_id: string;
  kyc_level: KycLevel;
  is_adult: boolean;
  method: string;
  attested_at: Timestamp;
}

export type PrincipalKind = 'operator' | 'platform' | 'account' | 'official';

export interface ApiKeysTable {
  id: string;
  secret_hash: Uint8Array;
  principal_kind: PrincipalKind;
  principal_id: string;
  scopes: string[];
  label: string | null;
  created_at: Timestamp;
  revoked_at: Timestamp | null;
}

export interface IdempotencyKeysTable {
  principal: string;
  key: string;
  request_hash: Uint8Array;
  status: number | null;
  response_body: string | null;
  response_type: string | null;
  locked_at: Timestamp;
  completed_at: Timestamp | null;
}

export interface UploadsTable {
  id: string;
  account_id: string;
  platform_id: string;
  media_type: string;
  size: Int8;
  sha256: Uint8Array;
  object_key: string;
  filename: string | null;
  status: 'pending' | 'completed';
  created_at: Timestamp;
  expires_at: Timestamp;
  completed_at: Timestamp | null;
}

export type AssetKind = 'garment' | 'virtual_human' | 'collectible';
export type Category =
  | 'cultural_heritage_derivative'
  | 'digital_creative'
  | 'consumption_scene'
  | 'brand_marketing'
  | 'industrial_application'
  | 'data_ip';
export type AssetStatus = 'draft' | 'submitted' | 'in_review' | 'public_notice' | 'registered' | 'rejected';

export interface AssetsTable {
  id: string;
  platform_id: string;
  kind: AssetKind;
  title: string;
  description: string;
  category: Category;
  rights_holder_id: string;
  /** `date`: drivers return a Date at UTC midnight (or a string); write 'YYYY-MM-DD'. */
  claimed_created_on: ColumnType<Date | string, string, string>;
  originality_statement: string;
  /** jsonb: pass the object itself; both drivers serialise it (a string would be stored as a JSON string). */
  licence: ColumnType<unknown, object, object>;
  identity_code: string | null;
  status: AssetStatus;
  registration_number: string | null;
  notice_ends_at: Timestamp | null;
  submitted_at: Timestamp | null;
  registered_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AssetCreatorsTable {
  asset_id: string;
  account_id: string;
  role: string;
  share_bps: number;
  position: number;
}

export interface AssetFilesTable {
  asset_id: string;
  upload_id: string;
  purpose: string;
}

export interface AssetParentsTable {
  asset_id: string;
  parent_id: string;
}

export interface ReviewsTable {
  id: string;
  asset_id: string;
  official_id: string;
  action: 'start' | 'approve' | 'reject';
  reason: string | null;
  created_at: Timestamp;
}

export interface ObjectionsTable {
  id: string;
  asset_id: string;
  principal_kind: string;
  principal_id: string;
  reason: string;
  created_at: Timestamp;
}

export interface EditionsTable {
  id: string;
  asset_id: string;
  size: number;
  minted: Generated<number>;
  /** Royalty of every sale of this edition's units, basis points of the price (0004). */
  royalty_bps: Generated<number>;
  preset: string;
  policy: ColumnType<unknown, object, object>;
  created_at: Timestamp;
}

export type AcquiredVia = 'mint' | 'gift' | 'trade';

export interface UnitsTable {
  id: string;
  edition_id: string;
  serial: number;
  owner_id: string;
  acquired_via: AcquiredVia;
  acquired_at: Timestamp;
  frozen: Generated<boolean>;
  created_at: Timestamp;
}

export interface UnitTransfersTable {
  id: string;
  unit_id: string;
  from_id: string | null;
  to_id: string;
  via: AcquiredVia;
  at: Timestamp;
  event_id: string;
}

export interface EventsTable {
  /** Commit-independent insertion order (bigserial), never written by the app. */
  seq: ColumnType<bigint, never, never>;
  id: string;
  type: string;
  asset_id: string | null;
  unit_id: string | null;
  platform_id: string | null;
  entry: string;
  created_at: Timestamp;
}

export interface OfficialReadsTable {
  id: ColumnType<bigint, never, never>;
  official_id: string;
  method: string;
  path: string;
  status: number;
  request_id: string | null;
  at: Timestamp;
}

/** Committed events waiting for the log integrator (filled by a trigger on events). */
export interface LogQueueTable {
  event_seq: Int8;
}

/** Leaf `index` of the transparency log is the event at `event_seq`. */
export interface LogLeavesTable {
  index: Int8;
  event_seq: Int8;
}

/** RFC 6962 hash of the complete subtree (level, index); level 0 holds leaf hashes. */
export interface LogNodesTable {
  level: number;
  index: Int8;
  hash: Uint8Array;
}

/** Every signed checkpoint: `note` is the C2SP signed note, verbatim. */
export interface LogCheckpointsTable {
  size: Int8;
  root_hash: Uint8Array;
  note: string;
  created_at: Timestamp;
}

export interface JournalsTable {
  id: string;
  kind: 'topup' | 'trade' | 'reversal' | 'payment' | 'refund' | 'hold' | 'hold_release' | 'payout';
  currency: string;
  trade_id: string | null;
  reverses: string | null;
  memo: string | null;
  created_at: Timestamp;
}

export interface PostingsTable {
  id: ColumnType<bigint, never, never>;
  journal_id: string;
  holder: string;
  role:
    | 'topup_source'
    | 'topup'
    | 'buyer'
    | 'seller'
    | 'platform_fee'
    | 'royalty'
    | 'parent_royalty'
    | 'payment_source'
    | 'payment'
    | 'refund'
    | 'refund_sink'
    | 'hold'
    | 'payout'
    | 'payout_sink';
  amount: Int8;
}

export interface BalancesTable {
  holder: string;
  currency: string;
  amount: Int8;
}

export type ListingKind = 'fixed' | 'english' | 'dutch' | 'sealed';
export type ListingStatus = 'open' | 'closed' | 'sold' | 'cancelled' | 'expired';

export interface ListingsTable {
  id: string;
  platform_id: string;
  seller_id: string;
  unit_id: string | null;
  edition_id: string;
  quantity: Generated<number>;
  sold: Generated<number>;
  kind: ListingKind;
  currency: string;
  price: Int8 | null;
  start_price: Int8 | null;
  floor_price: Int8 | null;
  reserve_price: Int8 | null;
  min_increment: Int8 | null;
  anti_snipe_seconds: number | null;
  starts_at: Timestamp;
  ends_at: Timestamp | null;
  reveal_ends_at: Timestamp | null;
  status: ListingStatus;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface BidsTable {
  id: string;
  listing_id: string;
  bidder_id: string;
  amount: Int8;
  created_at: Timestamp;
}

export interface SealedBidsTable {
  id: string;
  listing_id: string;
  bidder_id: string;
  commitment: Uint8Array;
  committed_at: Timestamp;
  amount: Int8 | null;
  salt: string | null;
  revealed_at: Timestamp | null;
}

export interface OffersTable {
  id: string;
  unit_id: string;
  buyer_id: string;
  platform_id: string;
  currency: string;
  amount: Int8;
  expires_at: Timestamp;
  status: 'open' | 'accepted' | 'cancelled' | 'expired' | 'declined';
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type TradeStatus = 'reserved' | 'settled' | 'released';

export interface TradesTable {
  id: string;
  listing_id: string | null;
  offer_id: string | null;
  unit_id: string;
  seller_id: string;
  buyer_id: string;
  platform_id: string;
  currency: string;
  price: Int8;
  fee_bps: number;
  royalty_bps: number;
  rail: 'balance' | 'stripe';
  status: TradeStatus;
  reserved_until: Timestamp;
  journal_id: string | null;
  created_at: Timestamp;
  settled_at: Timestamp | null;
  released_at: Timestamp | null;
  release_reason: string | null;
}

/** One analysis job per completed upload (0006); the media worker takes them with SKIP LOCKED. */
export interface MediaJobsTable {
  upload_id: string;
  status: 'queued' | 'running' | 'done' | 'dead';
  attempts: Generated<number>;
  /** Queued: when its backoff ends. Running: when its lease expires. */
  due_at: Timestamp;
  lease_token: string | null;
  locked_by: string | null;
  last_error: string | null;
  dead_reason: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  finished_at: Timestamp | null;
}

export interface MediaResultsTable {
  upload_id: string;
  sha256: Uint8Array;
  verdict: 'accepted' | 'refused';
  refusal_rule: string | null;
  refusal_detail: string | null;
  format: string | null;
  width: number | null;
  height: number | null;
  blurhash: string | null;
  dhash: Int8 | null;
  phash: Int8 | null;
  low_detail: boolean | null;
  preview_small: ColumnType<unknown, object | null, object | null>;
  preview_large: ColumnType<unknown, object | null, object | null>;
  model: ColumnType<unknown, object | null, object | null>;
  analysed_at: Timestamp;
}

/** 64-bit perceptual hashes (signed int8) and their four 16-bit bands, derived by the database. */
export interface MediaHashesTable {
  upload_id: string;
  algorithm: 'dhash' | 'phash';
  hash: Int8;
  b0: ColumnType<number, never, never>;
  b1: ColumnType<number, never, never>;
  b2: ColumnType<number, never, never>;
  b3: ColumnType<number, never, never>;
}

export interface MediaScreeningsTable {
  asset_id: string;
  flagged: boolean;
  threshold: number;
  licence_contradictions: ColumnType<unknown, object, object>;
  screened_at: Timestamp;
}

export interface MediaScreeningMatchesTable {
  asset_id: string;
  upload_id: string;
  matched_asset_id: string;
  matched_upload_id: string;
  algorithm: 'sha256' | 'dhash' | 'phash';
  distance: number;
}

/** schema/0008_stripe.sql */
export interface StripePaymentsTable {
  id: string;
  purpose: 'trade' | 'topup';
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
  dispute_id: string | null;
  dispute_status: 'open' | 'won' | 'lost' | null;
  payment_journal_id: string | null;
  hold_journal_id: string | null;
  hold_release_journal_id: string | null;
  reversal_journal_id: string | null;
  refund_journal_id: string | null;
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
}

/** schema/0007_webhooks.sql: platform webhook endpoints; delivery state lives on the endpoint row. */
export interface WebhookEndpointsTable {
  id: string;
  platform_id: string;
  url: string;
  description: string | null;
  event_types: string[];
  status: 'enabled' | 'disabled';
  disabled_reason: 'manual' | 'gone' | 'failing' | null;
  /** Log index: everything before it was delivered or is not for this endpoint. */
  position: Int8;
  pending_index: Int8 | null;
  pending_event_id: string | null;
  pending_body: string | null;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  failing_since: Timestamp | null;
  lease_token: string | null;
  leased_until: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WebhookSecretsTable {
  id: ColumnType<bigint, never, never>;
  endpoint_id: string;
  secret: string;
  created_at: Timestamp;
  expires_at: Timestamp | null;
}

export interface WebhookAttemptsTable {
  id: ColumnType<bigint, never, never>;
  endpoint_id: string;
  event_id: string;
  log_index: Int8;
  attempt: number;
  started_at: Timestamp;
  duration_ms: number;
  status_code: number | null;
  succeeded: boolean;
  error: string | null;
  next_attempt_at: Timestamp | null;
}

export interface StripeConnectedAccountsTable {
  holder: string;
  stripe_account_id: string;
  created_at: Timestamp;
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

export interface Database {
  platforms: PlatformsTable;
  officials: OfficialsTable;
  accounts: AccountsTable;
  attestations: AttestationsTable;
  api_keys: ApiKeysTable;
  idempotency_keys: IdempotencyKeysTable;
  uploads: UploadsTable;
  assets: AssetsTable;
  asset_creators: AssetCreatorsTable;
  asset_files: AssetFilesTable;
  asset_parents: AssetParentsTable;
  reviews: ReviewsTable;
  objections: ObjectionsTable;
  editions: EditionsTable;
  units: UnitsTable;
  unit_transfers: UnitTransfersTable;
  events: EventsTable;
  log_queue: LogQueueTable;
  log_leaves: LogLeavesTable;
  log_nodes: LogNodesTable;
  log_checkpoints: LogCheckpointsTable;
  official_reads: OfficialReadsTable;
  journals: JournalsTable;
  postings: PostingsTable;
  balances: BalancesTable;
  listings: ListingsTable;
  bids: BidsTable;
  sealed_bids: SealedBidsTable;
  offers: OffersTable;
  trades: TradesTable;
  media_jobs: MediaJobsTable;
  media_results: MediaResultsTable;
  media_hashes: MediaHashesTable;
  media_screenings: MediaScreeningsTable;
  media_screening_matches: MediaScreeningMatchesTable;
  stripe_payments: StripePaymentsTable;
  stripe_events: StripeEventsTable;
  stripe_refunds: StripeRefundsTable;
  stripe_connected_accounts: StripeConnectedAccountsTable;
  stripe_transfers: StripeTransfersTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_secrets: WebhookSecretsTable;
  webhook_attempts: WebhookAttemptsTable;
}

export type Row<T extends keyof Database> = Selectable<Database[T]>;
export type NewRow<T extends keyof Database> = Insertable<Database[T]>;
