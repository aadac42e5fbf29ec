import type { Trx } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import { recordEvent } from '../events/events.repo.js';

export async function tradeContext(trx: Trx, trade: Row<'trades'>) {
  return trx
    .selectFrom('units')
    .innerJoin('editions', 'editions.id', 'units.edition_id')
    .select(['editions.asset_id', 'units.frozen', 'units.owner_id'])
    .where('units.id', '=', trade.unit_id)
    .executeTakeFirstOrThrow();
}

export async function setFrozen(trx: Trx, trade: Row<'trades'>, frozen: boolean, reason: string, now: Date) {
  const unit = await trx
    .selectFrom('units')
    .innerJoin('editions', 'editions.id', 'units.edition_id')
    .select(['units.frozen', 'units.owner_id', 'editions.asset_id'])
    .where('units.id', '=', trade.unit_id)
    .forNoKeyUpdate('units')
    .executeTakeFirstOrThrow();
  if (unit.frozen === frozen) return;
  await trx.updateTable('units').set({ frozen }).where('id', '=', trade.unit_id).execute();
  await recordEvent(trx, {
    type: frozen ? 'unit.frozen' : 'unit.unfrozen',
    at: now,
    assetId: unit.asset_id,
    unitId: trade.unit_id,
    platformId: trade.platform_id,
    facts: { unitId: trade.unit_id, ownerId: unit.owner_id, tradeId: trade.id, reason },
  });
}
