import { sha256, toHex } from '../../crypto/bytes.js';
import type { Db, Trx } from '../../db/database.js';
import type { Principal } from '../../http/env.js';
import { conflict, notFound } from '../../http/problem.js';
import { lockWork } from '../assets/assets.repo.js';
import { recordEvent } from '../events/events.repo.js';
import { actingAccount } from '../parties/access.js';
import { releaseRights } from './grant-rights.js';
import { type GrantRow, isLate, reportDueAt, requirePaid } from './licensing.repo.js';

type Cause = 'non_payment' | 'case_takedown';

/** Ends a grant now: its rights stop blocking from this instant; the log records why, by SHA-256. */
async function endGrant(trx: Trx, grant: GrantRow, cause: Cause, reason: string, now: Date): Promise<GrantRow> {
  await releaseRights(trx, grant.id, now);
  const ended = await trx
    .updateTable('licence_grants')
    .set({ status: 'terminated', terminated_at: now, termination_cause: cause, termination_reason: reason })
    .where('id', '=', grant.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordEvent(trx, {
    type: 'licence.terminated',
    at: now,
    assetId: grant.asset_id,
    platformId: grant.licensee_platform_id,
    facts: {
      grantId: grant.id,
      assetId: grant.asset_id,
      licenseeId: grant.licensee_id,
      cause,
      reasonSha256: toHex(await sha256(reason)),
    },
  });
  return ended;
}

/**
 * `POST /v1/licence-grants/{id}/terminate`: the rights holder ends a grant whose royalty report
 * is overdue (`late`). A grant that is up to date cannot be terminated this way (409
 * grant_not_in_default).
 */
export async function terminateForNonPayment(db: Db, principal: Principal, grantId: string, reason: string, now: Date) {
  return db.transaction().execute(async (trx) => {
    const peek = await trx.selectFrom('licence_grants').select('asset_id').where('id', '=', grantId).executeTakeFirst();
    if (!peek) throw notFound('licence grant', grantId);
    const work = await lockWork(trx, peek.asset_id);
    await actingAccount(trx, principal, work.rights_holder_id).catch(() => {
      throw notFound('licence grant', grantId);
    });
    const grant = await trx
      .selectFrom('licence_grants')
      .selectAll()
      .where('id', '=', grantId)
      .forNoKeyUpdate()
      .executeTakeFirstOrThrow();
    if (grant.status === 'terminated') throw conflict('grant_terminated', `Licence grant ${grantId} was terminated already.`);
    requirePaid(grant);
    if (!isLate(grant, now)) {
      throw conflict(
        'grant_not_in_default',
        `Licence grant ${grantId} is not late: its next report is due ${reportDueAt(grant)?.toISOString() ?? 'never (fully reported)'}.`,
      );
    }
    return endGrant(trx, grant, 'non_payment', reason, now);
  });
}

/**
 * For a case's takedown determination: every grant of the work still in force ends, with the case
 * as the reason. Runs in the caller's transaction; returns the grants it ended.
 */
export async function terminateGrantsOfWork(trx: Trx, workId: string, reason: string, now: Date): Promise<GrantRow[]> {
  await lockWork(trx, workId);
  const grants = await trx
    .selectFrom('licence_grants')
    .selectAll()
    .where('asset_id', '=', workId)
    .where('status', '=', 'active')
    .orderBy('id')
    .forNoKeyUpdate()
    .execute();
  const ended: GrantRow[] = [];
  for (const g of grants) ended.push(await endGrant(trx, g, 'case_takedown', reason, now));
  return ended;
}
