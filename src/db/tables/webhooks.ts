/** Kysely types of the tables for: Platform webhooks (0006). */
import type { ColumnType, Generated } from 'kysely';
import type { Int8, Timestamp } from './columns.js';

/** schema/0006_webhooks.sql: platform webhook endpoints; delivery state lives on the endpoint row. */
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
  /** Plaintext, only in rows written before schema 0012 until the scheduler seals them. */
  secret: string | null;
  /** The secret sealed with WEBHOOK_SECRETS_KEY (webhooks/secret-sealing.ts). */
  sealed: string | null;
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
