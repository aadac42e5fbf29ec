import type { Queryable } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import { notFound } from '../../http/problem.js';
import type { PresetName, TransferPolicy } from './policy.js';

export function presentEdition(e: Row<'editions'>) {
  return {
    id: e.id,
    assetId: e.asset_id,
    size: e.size,
    minted: e.minted,
    preset: e.preset as PresetName,
    policy: e.policy as TransferPolicy,
    royaltyBps: e.royalty_bps,
    createdAt: e.created_at.toISOString(),
  };
}

export type UnitRow = Row<'units'> & { asset_id: string; size: number };

export function presentUnit(u: UnitRow) {
  return {
    id: u.id,
    editionId: u.edition_id,
    assetId: u.asset_id,
    serial: u.serial,
    label: `${u.serial}/${u.size}`,
    ownerId: u.owner_id,
    acquiredVia: u.acquired_via,
    acquiredAt: u.acquired_at.toISOString(),
    frozen: u.frozen,
  };
}

/** Units joined with their edition's work and size, for presenting. */
export function unitsQuery(db: Queryable) {
  return db
    .selectFrom('units')
    .innerJoin('editions', 'editions.id', 'units.edition_id')
    .selectAll('units')
    .select(['editions.asset_id', 'editions.size']);
}

export async function findUnit(db: Queryable, id: string): Promise<UnitRow> {
  const unit = await unitsQuery(db).where('units.id', '=', id).executeTakeFirst();
  if (!unit) throw notFound('unit', id);
  return unit;
}

export async function findEdition(db: Queryable, id: string): Promise<Row<'editions'>> {
  const edition = await db.selectFrom('editions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!edition) throw notFound('edition', id);
  return edition;
}
