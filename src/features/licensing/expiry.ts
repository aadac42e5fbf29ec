import type { Db, Trx } from '../../db/database.js';
import { AppError } from '../../http/problem.js';
import { lockWork } from '../assets/assets.repo.js';
import { recordEvent } from '../events/events.repo.js';
import { renewGrant } from './grants.service.js';
import type { GrantRow } from './licensing.repo.js';

async function expire(trx: Trx, grant: GrantRow, now: Date, renewedBy: string | null) {
  await trx.updateTable('licence_grants').set({ status: 'expired' }).where('id', '=', grant.id).execute();
  await recordEvent(trx, {
    type: 'licence.expired',
    at: now,
    assetId: grant.asset_id,
    platformId: grant.licensee_platform_id,
    facts: { grantId: grant.id, assetId: grant.asset_id, endsAt: grant.ends_at.toISOString(), renewedBy },
  });
}

/**
 * The grant, locked, if it is still active and past its term. The work is locked first, as every
 * licensing write does (work → grant), so expiry never deadlocks with a report or a termination;
 * a second runner waits on the work and then finds the grant no longer due.
 */
async function lockDue(trx: Trx, grantId: string, now: Date) {
  const peek = await trx.selectFrom('licence_grants').select('asset_id').where('id', '=', grantId).executeTakeFirstOrThrow();
  await lockWork(trx, peek.asset_id);
  return trx
    .selectFrom('licence_grants')
    .selectAll()
    .where('id', '=', grantId)
    .where('status', '=', 'active')
    .where('ends_at', '<=', now)
    .forNoKeyUpdate()
    .executeTakeFirst();
}

/**
 * Scheduled: grants past their term expire (`licence.expired`). A grant set to renew itself is
 * first renewed (`licence.renewed`: the next term, its upfront fee paid from the licensee's
 * balance); if the renewal is refused — offer withdrawn, too small a balance, an exclusive grant
 * in the way — the refusal is recorded (`licence.renewal_failed` with its code) and the grant
 * simply expires. Each grant in transactions of its own, so one refusal holds up no other.
 * Royalty reports stay due after expiry; the final one trues up the minimum guarantee.
 */
export async function expireDueGrants(db: Db, now: Date): Promise<number> {
  const due = await db
    .selectFrom('licence_grants')
    .select('id')
    .where('status', '=', 'active')
    .where('ends_at', '<=', now)
    .orderBy('ends_at')
    .limit(100)
    .execute();
  let done = 0;
  for (const { id } of due) {
    let failure: AppError | null = null;
    const renewed = await db
      .transaction()
      .execute(async (trx) => {
        const grant = await lockDue(trx, id, now);
        if (!grant?.auto_renew) return false;
        const next = await renewGrant(trx, grant, now);
        await expire(trx, grant, now, next.id);
        return true;
      })
      .catch((err) => {
        if (!(err instanceof AppError)) throw err;
        failure = err;
        return false;
      });
    if (renewed) {
      done++;
      continue;
    }
    const expired = await db.transaction().execute(async (trx) => {
      const grant = await lockDue(trx, id, now);
      if (!grant) return false;
      const refused = failure as AppError | null;
      if (refused) {
        await recordEvent(trx, {
          type: 'licence.renewal_failed',
          at: now,
          assetId: grant.asset_id,
          platformId: grant.licensee_platform_id,
          facts: { grantId: grant.id, code: refused.code },
        });
      }
      await expire(trx, grant, now, null);
      return true;
    });
    if (expired) done++;
  }
  return done;
}
