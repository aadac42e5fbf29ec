import type { Db } from '../../db/database.js';
import type { Principal } from '../../http/env.js';
import { conflict, notFound, unprocessable } from '../../http/problem.js';
import { newId } from '../../ids.js';
import type { Licence } from '../assets/licence.js';
import { checkWorkTradable, workOfEdition } from '../cases/work-gate.js';
import { recordEvent } from '../events/events.repo.js';
import { endOpenListingOfUnit } from '../market/listing-state.js';
import { liveReservation } from '../market/listings.repo.js';
import { actingAccount, existingAccount } from '../parties/access.js';
import { giftRefusal, type TransferPolicy } from './policy.js';

/**
 * Gives a unit from its owner to another account. The unit row is locked first, so of many
 * concurrent gifts of one unit exactly one finds `fromAccountId` still the owner; the others get
 * 409 `not_owner`. Every policy rule is checked under that lock. A unit reserved for a buyer
 * cannot be given away (409 `unit_reserved`); its open listing ends with the gift.
 */
export async function giftUnit(
  db: Db,
  principal: Principal,
  unitId: string,
  input: { fromAccountId: string; toAccountId: string },
  now: Date,
) {
  return db.transaction().execute(async (trx) => {
    const sender = await actingAccount(trx, principal, input.fromAccountId);
    // NO KEY UPDATE, not UPDATE: inserts that reference the unit (events, listings, trades) take FOR
    // KEY SHARE on it through their foreign keys; FOR UPDATE would block them and can deadlock with
    // a transaction that holds the unit's listing (market lock order: unit → listing).
    const unit = await trx.selectFrom('units').selectAll().where('id', '=', unitId).forNoKeyUpdate().executeTakeFirst();
    if (!unit) throw notFound('unit', unitId);
    if (unit.owner_id !== sender.id) throw conflict('not_owner', `Account ${sender.id} does not own unit ${unitId}.`);
    await checkWorkTradable(trx, await workOfEdition(trx, unit.edition_id));
    if (unit.frozen) throw conflict('unit_frozen', `Unit ${unitId} is frozen.`);
    const reserved = await liveReservation(trx, unitId);
    if (reserved)
      throw conflict('unit_reserved', `Unit ${unitId} is reserved by trade ${reserved.id}.`, { tradeId: reserved.id });
    if (input.toAccountId === sender.id) throw unprocessable('same_owner', 'A unit cannot be given to its own owner.');
    const recipient = await existingAccount(trx, input.toAccountId);
    const edition = await trx
      .selectFrom('editions')
      .innerJoin('assets', 'assets.id', 'editions.asset_id')
      .select(['editions.policy', 'editions.asset_id', 'assets.licence', 'assets.platform_id'])
      .where('editions.id', '=', unit.edition_id)
      .executeTakeFirstOrThrow();
    const dayAgo = new Date(now.getTime() - 86400_000);
    const recent = await trx
      .selectFrom('unit_transfers')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('unit_id', '=', unitId)
      .where('via', '<>', 'mint')
      .where('at', '>', dayAgo)
      .executeTakeFirstOrThrow();
    const refusal = giftRefusal({
      policy: edition.policy as TransferPolicy,
      licenceTransferable: (edition.licence as Licence).transferable,
      unit,
      sender,
      recipient,
      transfersInLastDay: Number(recent.n),
      now,
    });
    if (refusal) {
      const { detail, ...extra } = refusal;
      throw unprocessable('transfer_refused', detail, extra);
    }
    // Orders never go stale: the unit's open listing ends with this change of owner.
    await endOpenListingOfUnit(trx, unitId, 'unit_gifted', now);
    const transferId = newId('trf');
    const eventId = await recordEvent(trx, {
      type: 'unit.gifted',
      at: now,
      assetId: edition.asset_id,
      unitId,
      platformId: edition.platform_id,
      facts: { unitId, transferId, fromId: sender.id, toId: recipient.id },
    });
    const transfer = {
      id: transferId,
      unit_id: unitId,
      from_id: sender.id,
      to_id: recipient.id,
      via: 'gift' as const,
      at: now,
      event_id: eventId,
    };
    await trx.insertInto('unit_transfers').values(transfer).execute();
    await trx
      .updateTable('units')
      .set({ owner_id: recipient.id, acquired_via: 'gift', acquired_at: now })
      .where('id', '=', unitId)
      .execute();
    return { id: transfer.id, unitId, fromId: sender.id, toId: recipient.id, via: 'gift' as const, at: now.toISOString() };
  });
}
