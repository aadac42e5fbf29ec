import { type Expression, type RawBuilder, sql } from 'kysely';
import type { Queryable } from '../../db/database.js';
import type { Licence } from '../assets/licence.js';
import type { ParentNode, WorkNode } from '../ledger/split.js';

/** A work's royalty facts as `workSplit` reads them, before `workNodeOf` shapes them. */
export interface WorkSplitFacts {
  /** The version (`xmin`) of the work's row these facts were read from. */
  version: string;
  rights_holder_id: string;
  creators: { account_id: string; share_bps: number }[];
  edges: { child: string; parent: string; rights_holder_id: string; licence: Licence; grant_bps: number | null }[];
}

/**
 * The work `workId` (a value, or a column of the statement it is part of) with its creators and
 * whole ancestry, as the royalty split needs it: one JSON value, so that a statement that already
 * reads the work (a purchase's first) reads this too, without a round trip of its own.
 */
export function workSplit(workId: Expression<string>): RawBuilder<WorkSplitFacts> {
  // An edge made under a licence grant (licensing/derivative-grants.ts) owes the grant's
  // derivative royalty; any other edge the parent licence's.
  return sql<WorkSplitFacts>`(
    with recursive chain(child, parent, grant_id, depth) as (
      select asset_id, parent_id, licence_grant_id, 1 from asset_parents where asset_id = ${workId}
      union
      select p.asset_id, p.parent_id, p.licence_grant_id, c.depth + 1
      from asset_parents p join chain c on p.asset_id = c.parent where c.depth < 32
    )
    select json_build_object(
      'version', w.xmin::text,
      'rights_holder_id', w.rights_holder_id,
      'creators', (select coalesce(json_agg(json_build_object('account_id', ac.account_id, 'share_bps', ac.share_bps) order by ac.position), '[]')
                   from asset_creators ac where ac.asset_id = w.id),
      'edges', (select coalesce(json_agg(json_build_object('child', c.child, 'parent', c.parent, 'rights_holder_id', a.rights_holder_id,
                                                           'licence', a.licence, 'grant_bps', g.derivative_royalty_bps)
                                         order by c.child, c.parent), '[]')
                from chain c join assets a on a.id = c.parent left join licence_grants g on g.id = c.grant_id))
    from assets w where w.id = ${workId})`;
}

/** The split's tree of a work from what `workSplit` read. */
export function workNodeOf(assetId: string, work: WorkSplitFacts): WorkNode {
  const { edges } = work;
  const parentsOf = (child: string): ParentNode[] =>
    edges
      .filter((e) => e.child === child)
      .map((e) => ({
        rightsHolderId: e.rights_holder_id,
        derivativeRoyaltyBps: e.grant_bps ?? e.licence.derivativeRoyaltyBps ?? 0,
        parents: parentsOf(e.parent),
      }));
  return {
    rightsHolderId: work.rights_holder_id,
    creators: work.creators.map((c) => ({ accountId: c.account_id, shareBps: c.share_bps })),
    parents: parentsOf(assetId),
  };
}

/** The work behind a unit as the royalty split needs it, in one statement (settlements run it holding the unit's lock). */
export async function workForSplit(db: Queryable, assetId: string): Promise<WorkNode> {
  const { rows } = await sql<{ work: WorkSplitFacts | null }>`select ${workSplit(sql.val(assetId))} as work`.execute(db);
  const work = rows[0]?.work;
  if (!work) throw new Error(`no work ${assetId}`);
  return workNodeOf(assetId, work);
}

export function findTrade(db: Queryable, id: string) {
  return db.selectFrom('trades').selectAll().where('id', '=', id).executeTakeFirst();
}
