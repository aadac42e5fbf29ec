/** Kysely types of the tables for: The media pipeline and screening (0005). */
import type { ColumnType, Generated } from 'kysely';
import type { Int8, Timestamp } from './columns.js';

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

/**
 * 64-bit perceptual hashes (signed int8) and, for the similarity index, the hash rotated left by 16,
 * 32 and 48 bits (derived by the database; schema/0008_similarity_index.sql).
 */
export interface MediaHashesTable {
  upload_id: string;
  algorithm: 'dhash' | 'phash';
  hash: Int8;
  r1: ColumnType<bigint, never, never>;
  r2: ColumnType<bigint, never, never>;
  r3: ColumnType<bigint, never, never>;
  /** The inserting transaction's id (xid8, as text), recorded by the database: see similarity-memory.ts. */
  xid: ColumnType<string, never, never>;
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
