import type { Trx } from '../../db/database.js';
import { postJournal } from '../ledger/ledger.repo.js';
import { type Posting, splitSale } from '../ledger/split.js';
import { workForSplit } from '../market/trades.repo.js';
import type { GrantRow } from './licensing.repo.js';

/**
 * Pays a licence fee or royalty from the licensee to the work, by the sale split (`splitSale`):
 * the platform fee (the fee of the offer's platform, fixed at the grant), the creators' share
 * (`creator_share_bps`, which is the "royalty" of the split, so parents' derivative cuts come out
 * of it exactly as in a sale), and the rest to the rights holder. The rights holder is read now,
 * at payment time: after a rights transfer, fees and royalties go to the new holder.
 * `shortfall: 'refuse'` answers a too-small balance with 409 insufficient_funds and nothing written.
 */
export async function payForLicence(
  trx: Trx,
  grant: Pick<GrantRow, 'id' | 'asset_id' | 'licensee_id' | 'platform_id' | 'fee_bps' | 'creator_share_bps'>,
  payment: { kind: 'licence_fee' | 'licence_royalty'; amount: bigint; currency: string; memo: string },
  now: Date,
): Promise<{ journalId: string; postings: Posting[] } | null> {
  if (payment.amount <= 0n) return null;
  const work = await workForSplit(trx, grant.asset_id);
  const postings = splitSale({
    price: payment.amount,
    feeBps: grant.fee_bps,
    royaltyBps: grant.creator_share_bps,
    buyerId: grant.licensee_id,
    sellerId: work.rightsHolderId,
    platformId: grant.platform_id,
    work,
  });
  const journalId = await postJournal(
    trx,
    { kind: payment.kind, currency: payment.currency, memo: payment.memo, postings, shortfall: 'refuse' },
    now,
  );
  return { journalId, postings };
}

/** Postings as events carry them (numbers, zero parts left out). */
export const postingFacts = (postings: Posting[] | undefined) =>
  (postings ?? []).map((p) => ({ holder: p.holder, role: p.role, amount: Number(p.amount) }));
