/** Kysely types of the tables for: why units are frozen (0011). */
import type { Timestamp } from './columns.js';

export type FreezeCause = 'payment_disputed' | 'refunded' | 'dispute_lost' | 'official' | 'carried_over' | 'case';

export interface UnitFreezesTable {
  id: string;
  unit_id: string;
  cause: FreezeCause;
  trade_id: string | null;
  placed_by: string;
  reason: string | null;
  placed_at: Timestamp;
  lifted_at: Timestamp | null;
  lifted_by: string | null;
  lift_reason: string | null;
}
