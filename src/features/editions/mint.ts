import type { Trx } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import { newId } from '../../ids.js';
import { recordEvent } from '../events/events.repo.js';

/**
 * Mints the next `count` serials of an edition to `ownerId`: the units, one `unit.minted` event
 * and one change-of-owner row each, and the edition's new `minted`. The caller holds the edition
 * row's lock and has checked that `count` fits; the CHECK on editions backs that up.
 */
export async function mintSerials(
  trx: Trx,
  edition: { id: string; asset_id: string; size: number; minted: number },
  ownerId: string,
  count: number,
  platformId: string,
  now: Date,
): Promise<Row<'units'>[]> {
  const units = Array.from({ length: count }, (_, i) => ({
    id: newId('unt'),
    edition_id: edition.id,
    serial: edition.minted + i + 1,
    owner_id: ownerId,
    acquired_via: 'mint' as const,
    acquired_at: now,
    created_at: now,
  }));
  await trx.insertInto('units').values(units).execute();
  // Event first: each change-of-owner row points at the event (and log leaf) that records it.
  for (const u of units) {
    const transferId = newId('trf');
    const eventId = await recordEvent(trx, {
      type: 'unit.minted',
      at: now,
      assetId: edition.asset_id,
      unitId: u.id,
      platformId,
      facts: {
        unitId: u.id,
        transferId,
        editionId: edition.id,
        assetId: edition.asset_id,
        serial: u.serial,
        editionSize: edition.size,
        ownerId,
      },
    });
    await trx
      .insertInto('unit_transfers')
      .values({ id: transferId, unit_id: u.id, from_id: null, to_id: ownerId, via: 'mint', at: now, event_id: eventId })
      .execute();
  }
  await trx
    .updateTable('editions')
    .set({ minted: edition.minted + count })
    .where('id', '=', edition.id)
    .execute();
  return units.map((u) => ({ ...u, frozen: false }));
}
