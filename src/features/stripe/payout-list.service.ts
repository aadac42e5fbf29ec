import type { Db } from '../../db/database.js';
import type { Principal } from '../../http/env.js';
import { decodeCursor, toPage } from '../../http/pagination.js';
import { presentTransfer } from './payout-report.service.js';

/**
 * How the list filters (the rows still carry the report's finer `status`):
 * pending: not sent yet and no attempt has failed; failed: not sent and the last attempt failed
 * (it is retried with backoff); sent: paid and not taken back; clawed_back: cancelled before it
 * was sent, or reversed after (a refund or dispute).
 */
export const PAYOUT_FILTERS = ['pending', 'sent', 'failed', 'clawed_back'] as const;
export type PayoutFilter = (typeof PAYOUT_FILTERS)[number];

/**
 * `GET /v1/payouts`: transfers across accounts, oldest first (ids are ULIDs, so id order is
 * creation order and the cursor is the last id). The operator sees all; a platform only its
 * own accounts' payouts.
 */
export async function listPayouts(db: Db, principal: Principal, query: { status?: PayoutFilter; after?: string; limit: number }) {
  const cursor = decodeCursor(query.after, /^tfq_[0-9A-Z]{26}$/);
  let q = db.selectFrom('stripe_transfers').selectAll('stripe_transfers');
  if (principal.kind !== 'operator') {
    q = q.innerJoin('accounts', 'accounts.id', 'stripe_transfers.holder').where('accounts.platform_id', '=', principal.id);
  }
  if (query.status === 'sent') {
    q = q.where('stripe_transfers.sent_at', 'is not', null).where('stripe_transfers.clawed_back_at', 'is', null);
  } else if (query.status === 'clawed_back') {
    q = q.where('stripe_transfers.clawed_back_at', 'is not', null);
  } else if (query.status) {
    q = q
      .where('stripe_transfers.sent_at', 'is', null)
      .where('stripe_transfers.clawed_back_at', 'is', null)
      .where('stripe_transfers.last_error', query.status === 'failed' ? 'is not' : 'is', null);
  }
  if (cursor) q = q.where('stripe_transfers.id', '>', cursor);
  const rows = await q
    .orderBy('stripe_transfers.id')
    .limit(query.limit + 1)
    .execute();
  return toPage(rows, query.limit, (r) => r.id, presentTransfer);
}
