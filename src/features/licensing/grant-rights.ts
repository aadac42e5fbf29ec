import { sql } from 'kysely';
import type { Trx } from '../../db/database.js';
import type { Exclusivity } from '../../db/schema.js';
import { conflict } from '../../http/problem.js';
import { territorySpan } from './territories.js';

export interface RightsToTake {
  grantId: string;
  assetId: string;
  uses: readonly string[];
  territories: readonly string[];
  startsAt: Date;
  endsAt: Date;
  exclusivity: Exclusivity;
}

/**
 * Takes a grant's rights: one row per use and territory. The caller holds the lock on the work's
 * row, so grants of one work are made one at a time and the check below sees every committed
 * grant; it answers 409 `licence_conflict` naming the grant in the way. The exclusion constraint
 * `licence_grant_rights_exclusive` (schema/0020_licensing.sql) is the database's own guarantee,
 * should anything ever insert rights without the lock.
 */
export async function takeRights(trx: Trx, r: RightsToTake): Promise<void> {
  const exclusive = r.exclusivity !== 'non_exclusive';
  const spans = r.territories.map(territorySpan);
  const { rows } = await sql<{ grant_id: string; exclusivity: string }>`
    select r.grant_id, g.exclusivity from licence_grant_rights r join licence_grants g on g.id = r.grant_id
    where r.asset_id = ${r.assetId}
      and r.use = any(${sql.val([...r.uses])}::text[])
      and r.territory_span && any(${sql.val(spans)}::int4range[])
      and r.period && tstzrange(${r.startsAt}, ${r.endsAt})
      and (upper_inf(r.slot) or ${exclusive})
    limit 1`.execute(trx);
  if (rows[0]) {
    throw conflict(
      'licence_conflict',
      `An ${rows[0].exclusivity} grant (${rows[0].grant_id}) of work ${r.assetId} already covers part of this scope, territory and term.`,
      { conflictingGrantId: rows[0].grant_id },
    );
  }
  // Exclusive and sole grants hold the whole slot range; a non-exclusive grant a point of its own.
  const slot = exclusive ? sql`int8range(0, null)` : sql`(select int8range(n, n + 1) from nextval('licence_slot_seq') n)`;
  for (const use of r.uses) {
    for (const territory of r.territories) {
      await sql`
        insert into licence_grant_rights (grant_id, asset_id, use, territory, territory_span, slot, period)
        values (${r.grantId}, ${r.assetId}, ${use}, ${territory}, ${territorySpan(territory)}::int4range, ${slot},
                tstzrange(${r.startsAt}, ${r.endsAt}))`.execute(trx);
    }
  }
}

/** A grant that ends early stops blocking from `now` (or at all, if it had not started). */
export async function releaseRights(trx: Trx, grantId: string, now: Date): Promise<void> {
  await sql`
    update licence_grant_rights
    set period = case when lower(period) >= ${now} then 'empty'::tstzrange
                      else tstzrange(lower(period), least(upper(period), ${now})) end
    where grant_id = ${grantId}`.execute(trx);
}
