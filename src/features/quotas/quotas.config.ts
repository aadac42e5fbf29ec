import { z } from 'zod';
import type { AppConfig } from '../../config.js';

const count = (fallback: number) => z.coerce.number().int().min(1).max(1_000_000).default(fallback);

/**
 * Quotas on things that cost the exchange something each time: a unit held from other buyers, a
 * work sent back to review, a permanent transparency-log leaf. Spread into AppConfig (src/config.ts).
 */
export const quotasConfigShape = {
  /** Live reservations a buyer may hold without having paid (`settle: false`, card payments pending). */
  MAX_UNPAID_RESERVATIONS: count(3),
  /** Objections the principals of one platform (the platform and its accounts) may file per 24 hours. */
  OBJECTIONS_PER_PLATFORM_PER_DAY: count(50),
  /** Offers one account may make on one unit per 24 hours. */
  MAX_OFFERS_PER_UNIT_PER_DAY: count(10),
  /** Commitments (the first and each replacement) one account may make on one sealed-bid listing. */
  MAX_COMMITMENTS_PER_LISTING: count(5),
};

export interface Quotas {
  unpaidReservations: number;
  objectionsPerPlatformPerDay: number;
  offersPerUnitPerDay: number;
  commitmentsPerListing: number;
}

export function quotasOf(config: AppConfig): Quotas {
  return {
    unpaidReservations: config.MAX_UNPAID_RESERVATIONS,
    objectionsPerPlatformPerDay: config.OBJECTIONS_PER_PLATFORM_PER_DAY,
    offersPerUnitPerDay: config.MAX_OFFERS_PER_UNIT_PER_DAY,
    commitmentsPerListing: config.MAX_COMMITMENTS_PER_LISTING,
  };
}
