import { sql } from 'kysely';
import type { Trx } from '../../db/database.js';
import type { Principal } from '../../http/env.js';
import { conflict } from '../../http/problem.js';
import { quotaExceeded } from '../quotas/quota-exceeded.js';

const DAY_MS = 86400_000;

/**
 * An objection sends a work back to review, so objections are bounded (README "Quotas"):
 * - a principal has at most one open objection: one whose work no official has decided since
 *   (approved into a new notice window, or rejected) — 409 `objection_open`; so a key may object
 *   at most once per notice window, and can hold back only one work at a time;
 * - the principals of one platform (the platform and its accounts) file at most `dailyQuota`
 *   objections in any 24 hours — 429 `quota_exceeded`.
 * Counted in the objection's transaction under an advisory lock on the platform (or, for the
 * operator and officials, on the principal), so concurrent objections take turns at the count.
 */
export async function checkObjectionQuotas(trx: Trx, principal: Principal, dailyQuota: number, now: Date): Promise<void> {
  const platformId =
    principal.kind === 'platform'
      ? principal.id
      : principal.kind === 'account'
        ? (await trx.selectFrom('accounts').select('platform_id').where('id', '=', principal.id).executeTakeFirstOrThrow())
            .platform_id
        : null;
  await sql`select pg_advisory_xact_lock(hashtext(${`objections:${platformId ?? `${principal.kind}:${principal.id}`}`}))`.execute(
    trx,
  );

  const open = await trx
    .selectFrom('objections as o')
    .select(['o.id', 'o.asset_id'])
    .where('o.principal_kind', '=', principal.kind)
    .where('o.principal_id', '=', principal.id)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('reviews as r')
            .select('r.id')
            .whereRef('r.asset_id', '=', 'o.asset_id')
            .where('r.action', 'in', ['approve', 'reject'])
            .whereRef('r.created_at', '>=', 'o.created_at'),
        ),
      ),
    )
    .limit(1)
    .executeTakeFirst();
  if (open) {
    throw conflict(
      'objection_open',
      `Objection ${open.id} to work ${open.asset_id} is still open; one open objection at a time until an official decides it.`,
      { objectionId: open.id, assetId: open.asset_id },
    );
  }

  if (!platformId) return;
  const since = new Date(now.getTime() - DAY_MS);
  const recent = await trx
    .selectFrom('objections')
    .select('created_at')
    .where('created_at', '>', since)
    .where((eb) =>
      eb.or([
        eb.and([eb('principal_kind', '=', 'platform'), eb('principal_id', '=', platformId)]),
        eb.and([
          eb('principal_kind', '=', 'account'),
          eb('principal_id', 'in', eb.selectFrom('accounts').select('id').where('platform_id', '=', platformId)),
        ]),
      ]),
    )
    .orderBy('created_at', 'desc')
    .limit(dailyQuota)
    .execute();
  if (recent.length >= dailyQuota) {
    throw quotaExceeded(
      'objections_per_platform_per_day',
      dailyQuota,
      `Platform ${platformId} and its accounts have filed ${dailyQuota} objections in the last 24 hours, the most allowed.`,
      new Date(recent.at(-1)!.created_at.getTime() + DAY_MS),
    );
  }
}
