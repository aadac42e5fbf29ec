import type { Generated } from 'kysely';
import type { Int8, Timestamp } from './columns.js';

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

/** Which origin and key sign this database's checkpoints (one row, claimed at first start). */
export interface LogIdentityTable {
  singleton: Generated<boolean>;
  origin: string;
  key_id: string;
  verifier_key: string;
  created_at: Generated<Date>;
}

/** A witness's cosignature line on checkpoint `checkpoint_size` (C2SP tlog-cosignature). */
export interface LogCosignaturesTable {
  checkpoint_size: Int8;
  witness_key: string;
  line: string;
  cosigned_at: Timestamp;
  received_at: Timestamp;
}
