/** Kysely types of the tables for: licence offers, grants and royalty reports (0020). */
import type { ColumnType } from 'kysely';
import type { Int8, Timestamp } from './columns.js';

export type LicenceUse =
  | 'game_item'
  | 'virtual_performance'
  | 'advertising'
  | 'physical_merchandise'
  | 'nft_edition'
  | 'derivative_design';
export type Exclusivity = 'exclusive' | 'sole' | 'non_exclusive';

interface LicenceTerms {
  asset_id: string;
  platform_id: string;
  uses: LicenceUse[];
  territories: string[];
  starts_at: Timestamp;
  ends_at: Timestamp;
  exclusivity: Exclusivity;
  currency: string;
  upfront_fee: Int8;
  royalty_bps: number;
  minimum_guarantee: Int8;
  creator_share_bps: number;
  sublicensing: boolean;
  derivatives_allowed: boolean;
  derivative_royalty_bps: number;
  report_every_days: number;
}

export interface LicenceOffersTable extends LicenceTerms {
  id: string;
  published_by: string;
  conditions_sha256: string | null;
  renewable: boolean;
  open_to: string[] | null;
  status: 'open' | 'withdrawn';
  created_at: Timestamp;
  withdrawn_at: Timestamp | null;
}

export interface LicenceGrantsTable extends LicenceTerms {
  id: string;
  offer_id: string;
  licensee_id: string;
  licensee_platform_id: string;
  fee_bps: number;
  auto_renew: boolean;
  renewal_of: string | null;
  /** pending_payment: accepted by card, holding its rights until paid; lapsed: not paid in time. */
  status: 'active' | 'expired' | 'terminated' | 'pending_payment' | 'lapsed';
  /** A card acceptance's payment window (schema/0024); null on the balance rail. */
  payment_due_at: Timestamp | null;
  reported_until: Timestamp;
  royalties_in_currency: ColumnType<bigint, bigint | number | undefined, bigint | number>;
  trued_up: ColumnType<boolean, boolean | undefined, boolean>;
  fee_journal_id: string | null;
  event_id: string;
  terminated_at: Timestamp | null;
  termination_cause: 'non_payment' | 'case_takedown' | null;
  termination_reason: string | null;
  created_at: Timestamp;
}

export interface LicenceGrantRightsTable {
  grant_id: string;
  asset_id: string;
  use: string;
  territory: string;
  /** int4range / int8range / tstzrange: written with sql`…`, read as their text form. */
  territory_span: string;
  slot: string;
  period: string;
}

export interface RoyaltyReportsTable {
  id: string;
  grant_id: string;
  period_start: Timestamp;
  period_end: Timestamp;
  event_id: string;
  created_at: Timestamp;
}

export interface RoyaltyReportLinesTable {
  report_id: string;
  currency: string;
  revenue: Int8;
  royalty: Int8;
  true_up: ColumnType<bigint, bigint | number | undefined, bigint | number>;
  journal_id: string | null;
}
