import type { Db } from '../../db/database.js';
import type { Principal } from '../../http/env.js';
import { conflict, notFound } from '../../http/problem.js';
import { newId } from '../../ids.js';
import { recordEvent } from '../events/events.repo.js';
import { actingAccount } from '../parties/access.js';
import { mintSerials } from './mint.js';
import { PRESETS, type PresetName, type TransferPolicy } from './policy.js';

/** Issues a registered work as an edition; only whoever acts for the rights holder may. */
export async function createEdition(
  db: Db,
  principal: Principal,
  assetId: string,
  input: { size: number; preset: PresetName; policy?: Partial<TransferPolicy>; royaltyBps?: number },
  now: Date,
) {
  return db.transaction().execute(async (trx) => {
    const asset = await trx.selectFrom('assets').selectAll().where('id', '=', assetId).forShare().executeTakeFirst();
    if (!asset) throw notFound('asset', assetId);
    await actingAccount(trx, principal, asset.rights_holder_id).catch(() => {
      throw notFound('asset', assetId);
    });
    if (asset.status !== 'registered') {
      throw conflict('not_registered', `Only registered works can be issued; this work is ${asset.status}.`, {
        assetStatus: asset.status,
      });
    }
    const policy: TransferPolicy = { ...PRESETS[input.preset], ...input.policy };
    const edition = await trx
      .insertInto('editions')
      .values({
        id: newId('edn'),
        asset_id: assetId,
        size: input.size,
        preset: input.preset,
        policy,
        royalty_bps: input.royaltyBps ?? 0,
        created_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordEvent(trx, {
      type: 'edition.created',
      at: now,
      assetId,
      platformId: asset.platform_id,
      facts: { editionId: edition.id, assetId, size: input.size, preset: input.preset, policy, royaltyBps: edition.royalty_bps },
    });
    return edition;
  });
}

/**
 * Mints the next `count` serials. The edition row is locked, so concurrent mints queue and the
 * total can never pass the edition size (the CHECK constraint backs this up).
 */
export async function mintUnits(
  db: Db,
  principal: Principal,
  editionId: string,
  input: { count: number; toAccountId?: string },
  now: Date,
) {
  return db.transaction().execute(async (trx) => {
    const edition = await trx.selectFrom('editions').selectAll().where('id', '=', editionId).forNoKeyUpdate().executeTakeFirst();
    if (!edition) throw notFound('edition', editionId);
    const asset = await trx
      .selectFrom('assets')
      .select(['rights_holder_id', 'platform_id'])
      .where('id', '=', edition.asset_id)
      .executeTakeFirstOrThrow();
    await actingAccount(trx, principal, asset.rights_holder_id).catch(() => {
      throw notFound('edition', editionId);
    });
    const owner = input.toAccountId ? await actingAccount(trx, principal, input.toAccountId) : { id: asset.rights_holder_id };
    const remaining = edition.size - edition.minted;
    if (input.count > remaining) {
      throw conflict('edition_exhausted', `Edition ${editionId} has ${remaining} of ${edition.size} units left to mint.`, {
        remaining,
      });
    }
    const units = await mintSerials(trx, edition, owner.id, input.count, asset.platform_id, now);
    const updated = { ...edition, minted: edition.minted + input.count };
    return { edition: updated, units: units.map((u) => ({ ...u, asset_id: edition.asset_id, size: edition.size })) };
  });
}
