/** Kysely types of the tables for: IP casework — complaints, cases, responses, evidence (0019). */
import type { ColumnType, Generated } from 'kysely';
import type { Timestamp } from './columns.js';

export type CaseStatus = 'open' | 'interim' | 'awaiting_response' | 'decided' | 'appeal' | 'closed';
export type CaseOrigin = 'complaint' | 'official' | 'court_order';
export type Determination = 'dismissed' | 'takedown' | 'rights_transferred' | 'settled';

export interface CaseTerms {
  newRightsHolderId?: string;
  transferCredits?: boolean;
  agreementSha256?: string;
  courtReference?: string;
  courtDocumentSha256?: string;
}

export interface CasesTable {
  id: string;
  asset_id: string;
  status: CaseStatus;
  origin: CaseOrigin;
  complainant_id: string | null;
  respondent_id: string;
  opened_by: string;
  assigned_to: string;
  court_reference: string | null;
  court_document_sha256: string | null;
  note: string | null;
  units_frozen: Generated<boolean>;
  listings_suspended: Generated<boolean>;
  hidden: Generated<boolean>;
  response_due_at: Timestamp | null;
  determination: Determination | null;
  /** jsonb: pass the object itself. */
  terms: ColumnType<CaseTerms | null, CaseTerms | null, CaseTerms | null>;
  reason: string | null;
  decided_by: string | null;
  decided_at: Timestamp | null;
  effective_at: Timestamp | null;
  appealed_by: string | null;
  appealed_at: Timestamp | null;
  appeal_statement: string | null;
  closed_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ComplaintsTable {
  id: string;
  asset_id: string;
  complainant_id: string;
  platform_id: string;
  earlier_asset_id: string | null;
  statement: string;
  /** `date`: read as a Date at UTC midnight (or a string); write 'YYYY-MM-DD'. */
  claimed_created_on: ColumnType<Date | string | null, string | null, string | null>;
  copied_elements: ColumnType<string[], string[], string[]>;
  screening: ColumnType<unknown, object, object>;
  status: 'filed' | 'in_case' | 'closed';
  case_id: string | null;
  created_at: Timestamp;
}

export interface CaseResponsesTable {
  id: string;
  case_id: string;
  party_id: string;
  statement: string;
  created_at: Timestamp;
}

export interface CaseEvidenceTable {
  complaint_id: string | null;
  response_id: string | null;
  upload_id: string;
}

export interface CaseFreezesTable {
  case_id: string;
  freeze_id: string;
}
