import { sql } from 'kysely';
import type { Queryable } from '../../db/database.js';

/** Changes of owner joined with the events that record them; the event's seq orders them. */
function transfersQuery(db: Queryable) {
  return db
    .selectFrom('unit_transfers')
    .innerJoin('events', 'events.id', 'unit_transfers.event_id')
    .innerJoin('units', 'units.id', 'unit_transfers.unit_id')
    .select([
      'unit_transfers.id',
      'unit_transfers.unit_id',
      'units.serial',
      'unit_transfers.from_id',
      'unit_transfers.to_id',
      'unit_transfers.via',
      'unit_transfers.at',
      'unit_transfers.event_id',
      'events.seq',
    ]);
}

export type TransferRow = Awaited<ReturnType<ReturnType<typeof transfersQuery>['execute']>>[number];

export function unitTransfers(db: Queryable, unitId: string, page: { afterSeq?: bigint; limit: number }) {
  let q = transfersQuery(db).where('unit_transfers.unit_id', '=', unitId);
  if (page.afterSeq !== undefined) q = q.where('events.seq', '>', page.afterSeq);
  return q
    .orderBy('events.seq')
    .limit(page.limit + 1)
    .execute();
}

export function assetTransfers(db: Queryable, assetId: string, page: { afterSeq?: bigint; limit: number }) {
  let q = transfersQuery(db).innerJoin('editions', 'editions.id', 'units.edition_id').where('editions.asset_id', '=', assetId);
  if (page.afterSeq !== undefined) q = q.where('events.seq', '>', page.afterSeq);
  return q
    .orderBy('events.seq')
    .limit(page.limit + 1)
    .execute();
}

/** The change of owner in force at `at`: the last one at or before it. */
export function transferInForceAt(db: Queryable, unitId: string, at: Date) {
  return transfersQuery(db)
    .where('unit_transfers.unit_id', '=', unitId)
    .where('unit_transfers.at', '<=', at)
    .orderBy('unit_transfers.at', 'desc')
    .orderBy('events.seq', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Every work this one derives from, directly or not, nearest first. */
export async function ancestors(db: Queryable, assetId: string) {
  const { rows } = await sql<{
    id: string;
    via: string;
    depth: number;
    title: string;
    status: string;
    registration_number: string | null;
    rights_holder_id: string;
    licence: unknown;
  }>`
    with recursive chain(id, via, depth) as (
      select parent_id, asset_id, 1 from asset_parents where asset_id = ${assetId}
      union
      select p.parent_id, p.asset_id, c.depth + 1 from asset_parents p join chain c on p.asset_id = c.id where c.depth < 32
    )
    select c.id, c.via, c.depth, a.title, a.status, a.registration_number, a.rights_holder_id, a.licence
    from chain c join assets a on a.id = c.id
    order by c.depth, c.id`.execute(db);
  return rows;
}

export function reviewsOf(db: Queryable, assetId: string) {
  return db.selectFrom('reviews').selectAll().where('asset_id', '=', assetId).orderBy('created_at').orderBy('id').execute();
}

export function objectionsOf(db: Queryable, assetId: string) {
  return db.selectFrom('objections').selectAll().where('asset_id', '=', assetId).orderBy('created_at').orderBy('id').execute();
}
