/** Kysely types of the tables for: Parties, keys, idempotency, uploads, works, the review gate, editions, units, events (0001, 0003). */
import type { ColumnType, Generated } from 'kysely';
import type { Int8, Timestamp } from './columns.js';

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
  /** After this the record is swept and the key may be used again (schema 0012). */
  expires_at: Timestamp;
  /** The request committed before calling out (commitRequestWrites); a retry resumes it. */
  resumable: ColumnType<boolean, boolean | undefined, boolean>;
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
export type AssetStatus = 'draft' | 'submitted' | 'in_review' | 'public_notice' | 'registered' | 'rejected' | 'revoked';

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
  /** The licence grant a derivative was registered under (0020), when its parent's licence forbids derivatives. */
  licence_grant_id: ColumnType<string | null, string | null | undefined, string | null>;
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
