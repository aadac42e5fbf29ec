import { z } from 'zod';
import type { AppConfig } from '../../config.js';

const count = (fallback: number, max = 1_000_000) => z.coerce.number().int().min(0).max(max).default(fallback);

/** Casework settings, spread into AppConfig (src/config.ts). */
export const casesConfigShape = {
  /** Days after a determination during which a party may appeal; it takes effect when they pass (0: at once). */
  CASE_APPEAL_DAYS: count(15, 365),
  /** Default days the parties have to respond once an official asks them to. */
  CASE_RESPONSE_DAYS: count(14, 365),
  /** Complaints one complainant may file in any 24 hours (429 quota_exceeded beyond). */
  COMPLAINTS_PER_ACCOUNT_PER_DAY: z.coerce.number().int().min(1).max(1_000_000).default(5),
};

export interface CaseSettings {
  appealMs: number;
  responseMs: number;
  complaintsPerDay: number;
}

export function caseSettingsOf(config: AppConfig): CaseSettings {
  return {
    appealMs: config.CASE_APPEAL_DAYS * 86400_000,
    responseMs: config.CASE_RESPONSE_DAYS * 86400_000,
    complaintsPerDay: config.COMPLAINTS_PER_ACCOUNT_PER_DAY,
  };
}
