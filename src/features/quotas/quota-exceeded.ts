import { AppError } from '../../http/problem.js';

/**
 * The one refusal of every quota: 429 `quota_exceeded`, naming the quota, its limit and (for
 * rolling windows) when the oldest counted item leaves the window. Counted in the service, in the
 * transaction that would insert the next item, under a lock that serialises the counting.
 */
export function quotaExceeded(quota: string, limit: number, detail: string, retryAt?: Date): AppError {
  return new AppError(429, 'quota_exceeded', detail, { quota, limit, ...(retryAt ? { retryAt: retryAt.toISOString() } : {}) });
}
