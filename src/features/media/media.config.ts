import { z } from 'zod';
import { MAX_THRESHOLD } from './similarity.js';

/** The API's media settings, merged into AppConfig (src/config.ts). The worker's are in workers/media/config.ts. */
export const mediaAppConfigShape = {
  /**
   * Largest Hamming distance (of 64 bits) between perceptual hashes that counts as a near-duplicate
   * at submission. The similarity index finds every match up to MAX_THRESHOLD exactly.
   */
  MEDIA_NEAR_DUPLICATE_THRESHOLD: z.coerce.number().int().min(0).max(MAX_THRESHOLD).default(10),
  /**
   * How long a submission waits, in seconds, for the analysis of its files before it is refused with
   * 409 `media_pending` (0: refuse at once). No lock is held while it waits.
   */
  MEDIA_SUBMIT_WAIT: z.coerce.number().min(0).max(60).default(10),
};
