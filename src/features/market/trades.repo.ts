import { sql } from 'kysely';
import type { Queryable } from '../../db/database.js';
import type { Licence } from '../assets/licence.js';
import type { ParentNode, WorkNode } from '../ledger/split.js';

/** The work behind a unit, with its creators and whole ancestry, as the royalty split needs it. */
export async function workForSplit(db: Queryable, assetId: string): Promise<WorkNode> {
  const asset = await db.selectFrom('assets').select(['rights_holder_id']).where('id', '=', assetId).executeTakeFirstOrThrow();
  const creators = await db
    .selectFrom('asset_creators')
    .select(['account_id', 'share_bps'])
    .where('asset_id', '=', assetId)
    .orderBy('position')
    .execute();
  // An edge made under a licence grant (licensing/derivative-grants.ts) owes the grant's
  // derivative royalty; any other edge the parent licence's.
  const { rows: edges } = await sql<{
    child: string;
    parent: string;
    rights_holder_id: string;
    licence: Licence;
    grant_bps: number | null;
  }>`
    with recursive chain(child, parent, grant_id, depth) as (
      select asset_id, parent_id, licence_grant_id, 1 from asset_parents where asset_id = ${assetId}
      union
      select p.asset_id, p.parent_id, p.licence_grant_id, c.depth + 1
      from asset_parents p join chain c on p.asset_id = c.parent where c.depth < 32
    )
    select c.child, c.parent, a.rights_holder_id, a.licence, g.derivative_royalty_bps as grant_bps
    from chain c join assets a on a.id = c.parent left join licence_grants g on g.id = c.grant_id
    order by c.child, c.parent`.execute(db);
  const parentsOf = (child: string): ParentNode[] =>
    edges
      .filter((e) => e.child === child)
      .map((e) => ({
        rightsHolderId: e.rights_holder_id,
        derivativeRoyaltyBps: e.grant_bps ?? e.licence.derivativeRoyaltyBps ?? 0,
        parents: parentsOf(e.parent),
      }));
  return {
    rightsHolderId: asset.rights_holder_id,
    creators: creators.map((c) => ({ accountId: c.account_id, shareBps: c.share_bps })),
    parents: parentsOf(assetId),
  };
}

export function findTrade(db: Queryable, id: string) {
  return db.selectFrom('trades').selectAll().where('id', '=', id).executeTakeFirst();
}
