/**
 * What a set of accounts holds, for the holdings export: every unit each account owns (with the
 * event of its latest change of owner) and every work it holds the rights to (with the work's
 * asset.created event, which names the rights holder). The archive carries those units' and works'
 * whole histories, so the verifier can replay them offline to the same owners.
 */
import type { Trx } from '../../db/database.js';
import { unprocessable } from '../../http/problem.js';
import { type ArchiveInput, MAX_EXPORT_EVENTS } from './archive-builder.js';
import type { Holding } from './manifest.js';

export interface HoldingsScope {
  /** One platform's accounts; absent: every platform's (the operator). */
  platformId?: string;
  /** One account only. */
  accountId?: string;
}

export async function gatherHoldings(trx: Trx, scope: HoldingsScope): Promise<ArchiveInput> {
  // The accounts in scope, as a query other queries can use as a subquery.
  const scoped = () => {
    let q = trx.selectFrom('accounts');
    if (scope.platformId) q = q.where('platform_id', '=', scope.platformId);
    if (scope.accountId) q = q.where('id', '=', scope.accountId);
    return q;
  };
  const [accounts, units, works] = await Promise.all([
    scoped().select(['id', 'platform_id']).orderBy('id').execute(),
    // The latest change of owner of each unit, found by the order its event committed in.
    trx
      .selectFrom('units')
      .innerJoin('unit_transfers as t', 't.unit_id', 'units.id')
      .innerJoin('events as e', 'e.id', 't.event_id')
      .distinctOn('units.id')
      .select(['units.id', 'units.owner_id', 't.event_id'])
      .where('units.owner_id', 'in', scoped().select('id'))
      .orderBy('units.id')
      .orderBy('e.seq', 'desc')
      .execute(),
    // The event that last named each work's rights holder: its creation, or a transfer by an IP case.
    trx
      .selectFrom('assets')
      .innerJoin('events as e', (j) =>
        j.onRef('e.asset_id', '=', 'assets.id').on('e.type', 'in', ['asset.created', 'asset.rights_transferred']),
      )
      .distinctOn('assets.id')
      .select(['assets.id', 'assets.rights_holder_id', 'e.id as event_id'])
      .where('assets.rights_holder_id', 'in', scoped().select('id'))
      .orderBy('assets.id')
      .orderBy('e.seq', 'desc')
      .execute(),
  ]);
  // Each unit and work has at least one event: past the event limit the export would be refused anyway.
  if (units.length + works.length > MAX_EXPORT_EVENTS) {
    throw unprocessable(
      'export_too_large',
      `These accounts hold ${units.length} units and ${works.length} works, more than one archive may hold: export one account at a time.`,
    );
  }
  const holdings = new Map<string, Holding>(
    accounts.map((a) => [a.id, { accountId: a.id, platformId: a.platform_id, units: [], works: [] }]),
  );
  for (const u of units) holdings.get(u.owner_id)?.units.push({ unitId: u.id, acquiredBy: u.event_id });
  for (const w of works) holdings.get(w.rights_holder_id)?.works.push({ workId: w.id, heldSince: w.event_id });
  return {
    kind: 'holdings',
    subjects: { works: works.map((w) => w.id), units: units.map((u) => u.id), listings: [], trades: [] },
    holdings: [...holdings.values()],
  };
}
