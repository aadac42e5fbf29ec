/** The Kysely view of the whole schema: one interface per table, grouped by feature under tables/. */
import type { Insertable, Selectable } from 'kysely';
import type { CaseEvidenceTable, CaseFreezesTable, CaseResponsesTable, CasesTable, ComplaintsTable } from './tables/cases.js';
import type { UnitFreezesTable } from './tables/freezes.js';
import type {
  LicenceGrantRightsTable,
  LicenceGrantsTable,
  LicenceOffersTable,
  RoyaltyReportLinesTable,
  RoyaltyReportsTable,
} from './tables/licensing.js';
import type {
  BalancesTable,
  BidsTable,
  JournalsTable,
  ListingsTable,
  OffersTable,
  PostingsTable,
  SealedBidsTable,
  TradesTable,
} from './tables/market.js';
import type {
  MediaHashesTable,
  MediaJobsTable,
  MediaResultsTable,
  MediaScreeningMatchesTable,
  MediaScreeningsTable,
} from './tables/media.js';
import type {
  AccountsTable,
  ApiKeysTable,
  AssetCreatorsTable,
  AssetFilesTable,
  AssetParentsTable,
  AssetsTable,
  AttestationsTable,
  EditionsTable,
  EventsTable,
  IdempotencyKeysTable,
  ObjectionsTable,
  OfficialReadsTable,
  OfficialsTable,
  PlatformsTable,
  ReviewsTable,
  UnitsTable,
  UnitTransfersTable,
  UploadsTable,
} from './tables/registry.js';
import type {
  StripeConnectedAccountsTable,
  StripeEventsTable,
  StripePaymentsTable,
  StripeRefundsTable,
  StripeTransfersTable,
} from './tables/stripe.js';
import type {
  LogCheckpointsTable,
  LogCosignaturesTable,
  LogIdentityTable,
  LogLeavesTable,
  LogNodesTable,
  LogQueueTable,
} from './tables/tlog.js';
import type { WebhookAttemptsTable, WebhookEndpointsTable, WebhookSecretsTable } from './tables/webhooks.js';

export type * from './tables/cases.js';
export type * from './tables/freezes.js';
export type * from './tables/licensing.js';
export type * from './tables/market.js';
export type * from './tables/media.js';
export type * from './tables/registry.js';
export type * from './tables/stripe.js';
export type * from './tables/tlog.js';
export type * from './tables/webhooks.js';

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
  unit_freezes: UnitFreezesTable;
  events: EventsTable;
  log_queue: LogQueueTable;
  log_leaves: LogLeavesTable;
  log_nodes: LogNodesTable;
  log_checkpoints: LogCheckpointsTable;
  log_identity: LogIdentityTable;
  log_cosignatures: LogCosignaturesTable;
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
  licence_offers: LicenceOffersTable;
  licence_grants: LicenceGrantsTable;
  licence_grant_rights: LicenceGrantRightsTable;
  royalty_reports: RoyaltyReportsTable;
  royalty_report_lines: RoyaltyReportLinesTable;
  cases: CasesTable;
  complaints: ComplaintsTable;
  case_responses: CaseResponsesTable;
  case_evidence: CaseEvidenceTable;
  case_freezes: CaseFreezesTable;
}

export type Row<T extends keyof Database> = Selectable<Database[T]>;
export type NewRow<T extends keyof Database> = Insertable<Database[T]>;
