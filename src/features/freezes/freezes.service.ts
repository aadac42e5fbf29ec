import { sha256, toHex } from '../../crypto/bytes.js';
import type { Trx } from '../../db/database.js';
import type { FreezeCause, Row } from '../../db/schema.js';
import { conflict, notFound } from '../../http/problem.js';
import { newId } from '../../ids.js';
import { recordEvent } from '../events/events.repo.js';

export type Freeze = Row<'unit_freezes'>;

/**
 * Freezes, one per reason a unit may not change hands (schema/0011_unit_freezes.sql). The unit row
 * is locked first, so `units.frozen` (what every trading path checks) is recomputed under the same
 * lock as the freezes it summarises, and a trade that locks the unit sees either all of a change or
 * none of it. Every placement and lift is an event, and so a leaf of the transparency log.
 */
async function lockUnit(trx: Trx, unitId: string) {
  const unit = await trx
    .selectFrom('units')
    .innerJoin('editions', 'editions.id', 'units.edition_id')
    .innerJoin('accounts', 'accounts.id', 'units.owner_id')
    .select(['units.id', 'units.frozen', 'units.owner_id', 'editions.asset_id', 'accounts.platform_id'])
    .where('units.id', '=', unitId)
    .forNoKeyUpdate('units')
    .executeTakeFirst();
  if (!unit) throw notFound('unit', unitId);
  return unit;
}

async function setFlag(trx: Trx, unitId: string, frozen: boolean) {
  await trx.updateTable('units').set({ frozen }).where('id', '=', unitId).execute();
}

const hashOf = async (text: string | null | undefined) => (text ? toHex(await sha256(text)) : undefined);

export interface PlaceFreeze {
  unitId: string;
  cause: FreezeCause;
  tradeId?: string;
  /** 'stripe' for a payment event, else the official's id. */
  placedBy: string;
  reason?: string;
}

/**
 * Places a freeze. A freeze decided by a payment event is placed once per unit, cause and trade:
 * the same decision again returns the active one. An official's freezes are each their own.
 */
export async function placeFreeze(trx: Trx, input: PlaceFreeze, now: Date): Promise<Freeze> {
  const unit = await lockUnit(trx, input.unitId);
  if (input.cause !== 'official') {
    const active = await activeFreezes(trx, input.unitId)
      .where('cause', '=', input.cause)
      .where('trade_id', input.tradeId ? '=' : 'is', input.tradeId ?? null)
      .executeTakeFirst();
    if (active) return active;
  }
  const freeze = await trx
    .insertInto('unit_freezes')
    .values({
      id: newId('frz'),
      unit_id: input.unitId,
      cause: input.cause,
      trade_id: input.tradeId ?? null,
      placed_by: input.placedBy,
      reason: input.reason ?? null,
      placed_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  if (!unit.frozen) await setFlag(trx, input.unitId, true);
  await recordEvent(trx, {
    type: 'unit.frozen',
    at: now,
    assetId: unit.asset_id,
    unitId: unit.id,
    platformId: unit.platform_id,
    facts: {
      unitId: unit.id,
      ownerId: unit.owner_id,
      freezeId: freeze.id,
      cause: freeze.cause,
      tradeId: freeze.trade_id ?? undefined,
      placedBy: freeze.placed_by,
      reasonSha256: await hashOf(freeze.reason),
    },
  });
  return freeze;
}

/** Lifts one freeze; the unit stays frozen while any other is active. Lifting twice is a 409. */
export async function liftFreeze(
  trx: Trx,
  freezeId: string,
  by: { liftedBy: string; reason?: string },
  now: Date,
): Promise<Freeze> {
  const target = await trx.selectFrom('unit_freezes').selectAll().where('id', '=', freezeId).executeTakeFirst();
  if (!target) throw notFound('freeze', freezeId);
  const unit = await lockUnit(trx, target.unit_id);
  const lifted = await trx
    .updateTable('unit_freezes')
    .set({ lifted_at: now, lifted_by: by.liftedBy, lift_reason: by.reason ?? null })
    .where('id', '=', freezeId)
    .where('lifted_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  if (!lifted) throw conflict('freeze_already_lifted', `Freeze ${freezeId} has already been lifted.`);
  const stillFrozen = (await activeFreezes(trx, unit.id).executeTakeFirst()) !== undefined;
  if (unit.frozen !== stillFrozen) await setFlag(trx, unit.id, stillFrozen);
  await recordEvent(trx, {
    type: 'unit.freeze_lifted',
    at: now,
    assetId: unit.asset_id,
    unitId: unit.id,
    platformId: unit.platform_id,
    facts: {
      unitId: unit.id,
      ownerId: unit.owner_id,
      freezeId,
      cause: lifted.cause,
      tradeId: lifted.trade_id ?? undefined,
      liftedBy: by.liftedBy,
      reasonSha256: await hashOf(by.reason),
      // Whether other freezes keep the unit frozen.
      frozen: stillFrozen,
    },
  });
  return lifted;
}

/** Lifts the active freezes a payment event placed for `cause` and `tradeId` (none: nothing happens). */
export async function liftFreezesOf(
  trx: Trx,
  match: { unitId: string; cause: FreezeCause; tradeId: string },
  by: { liftedBy: string; reason: string },
  now: Date,
): Promise<void> {
  const active = await activeFreezes(trx, match.unitId)
    .where('cause', '=', match.cause)
    .where('trade_id', '=', match.tradeId)
    .execute();
  for (const f of active) await liftFreeze(trx, f.id, by, now);
}

function activeFreezes(trx: Trx, unitId: string) {
  return trx
    .selectFrom('unit_freezes')
    .selectAll()
    .where('unit_id', '=', unitId)
    .where('lifted_at', 'is', null)
    .orderBy('placed_at')
    .orderBy('id');
}
