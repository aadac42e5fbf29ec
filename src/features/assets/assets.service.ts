import type { AppConfig } from '../../config.js';
import { randomBytes, toHex } from '../../crypto/bytes.js';
import type { Db, Trx } from '../../db/database.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { Principal } from '../../http/env.js';
import { conflict, notFound, unprocessable } from '../../http/problem.js';
import { newId } from '../../ids.js';
import { recordEvent } from '../events/events.repo.js';
import { checkDerivativeGrant } from '../licensing/derivative-grants.js';
import { awaitMediaAnalysis, screenSubmission } from '../media/screening.service.js';
import { databaseSimilaritySearch, type SimilaritySearch } from '../media/similarity-memory.js';
import { actingAccount } from '../parties/access.js';
import { completedUploadsFor } from '../uploads/uploads.repo.js';
import type { CreateAssetInput } from './assets.schemas.js';
import type { Licence } from './licence.js';

/**
 * Creates a work as a draft, on behalf of its rights holder. Creators must exist, files must be
 * completed uploads made by the rights holder (an upload belongs to the account that made it, not
 * to every account of its platform), and every parent must be registered with a
 * licence that allows derivatives. Everything is written in one transaction or not at all.
 */
export async function createAsset(db: Db, principal: Principal, input: CreateAssetInput, now: Date) {
  try {
    return await db.transaction().execute(async (trx) => {
      const holder = await actingAccount(trx, principal, input.rightsHolderId);
      await checkCreatorsExist(
        trx,
        input.creators.map((c) => c.accountId),
      );
      const uploads = await checkFiles(
        trx,
        holder.id,
        input.files.map((f) => f.uploadId),
      );
      const grantOfParent = await checkParents(trx, input, holder.id, now);

      const id = newId('ast');
      const identityCode = input.kind === 'virtual_human' ? (input.identityCode ?? generateIdentityCode()) : null;
      await trx
        .insertInto('assets')
        .values({
          id,
          platform_id: holder.platform_id,
          kind: input.kind,
          title: input.title,
          description: input.description,
          category: input.category,
          rights_holder_id: holder.id,
          claimed_created_on: input.claimedCreatedOn,
          originality_statement: input.originalityStatement,
          licence: input.licence,
          identity_code: identityCode,
          status: 'draft',
          created_at: now,
          updated_at: now,
        })
        .execute();
      await trx
        .insertInto('asset_creators')
        .values(
          input.creators.map((c, i) => ({
            asset_id: id,
            account_id: c.accountId,
            role: c.role,
            share_bps: c.shareBps,
            position: i,
          })),
        )
        .execute();
      if (input.files.length) {
        await trx
          .insertInto('asset_files')
          .values(input.files.map((f) => ({ asset_id: id, upload_id: f.uploadId, purpose: f.purpose })))
          .execute();
      }
      if (input.parents.length) {
        await trx
          .insertInto('asset_parents')
          .values(input.parents.map((p) => ({ asset_id: id, parent_id: p, licence_grant_id: grantOfParent.get(p) ?? null })))
          .execute();
      }
      await recordEvent(trx, {
        type: 'asset.created',
        at: now,
        assetId: id,
        platformId: holder.platform_id,
        facts: {
          assetId: id,
          kind: input.kind,
          category: input.category,
          rightsHolderId: holder.id,
          creators: input.creators,
          claimedCreatedOn: input.claimedCreatedOn,
          licence: input.licence,
          parents: input.parents,
          ...(input.licenceGrants.length ? { licenceGrants: input.licenceGrants } : {}),
          files: input.files.map((f) => ({ purpose: f.purpose, sha256: toHex(uploads.get(f.uploadId)!.sha256) })),
          identityCode,
        },
      });
      return id;
    });
  } catch (err) {
    if (isUniqueViolation(err, 'assets_identity_code_key')) {
      throw conflict('identity_code_taken', `Identity code ${input.identityCode} already belongs to another virtual human.`);
    }
    throw err;
  }
}

/**
 * draft → submitted, by whoever may act for the rights holder, after screening (issue 6,
 * media/screening.service.ts): the submission first waits, holding nothing, for the media analysis
 * of the work's files (up to MEDIA_SUBMIT_WAIT, then 409 media_pending), then screens the work in
 * the same transaction as the status change, so a refused submission writes nothing.
 */
export async function submitAsset(
  db: Db,
  principal: Principal,
  id: string,
  now: Date,
  config: AppConfig,
  similarity: SimilaritySearch = databaseSimilaritySearch,
) {
  const draft = await db.selectFrom('assets').select(['rights_holder_id', 'status']).where('id', '=', id).executeTakeFirst();
  if (!draft) throw notFound('asset', id);
  await actingAccount(db, principal, draft.rights_holder_id).catch(() => {
    throw notFound('asset', id);
  });
  if (draft.status === 'draft') {
    const files = await db.selectFrom('asset_files').select('upload_id').where('asset_id', '=', id).execute();
    await awaitMediaAnalysis(
      db,
      files.map((f) => f.upload_id),
      config.MEDIA_SUBMIT_WAIT,
      now,
    );
  }
  await db.transaction().execute(async (trx) => {
    const asset = await trx.selectFrom('assets').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!asset) throw notFound('asset', id);
    await actingAccount(trx, principal, asset.rights_holder_id).catch(() => {
      throw notFound('asset', id);
    });
    if (asset.status !== 'draft') {
      throw conflict('invalid_transition', `Only a draft can be submitted; this work is ${asset.status}.`, {
        assetStatus: asset.status,
      });
    }
    const screening = await screenSubmission(trx, asset, config, now, similarity);
    await trx
      .updateTable('assets')
      .set({ status: 'submitted', submitted_at: now, updated_at: now })
      .where('id', '=', id)
      .execute();
    await recordEvent(trx, {
      type: 'asset.submitted',
      at: now,
      assetId: id,
      platformId: asset.platform_id,
      facts: { assetId: id, screening },
    });
  });
}

async function checkCreatorsExist(trx: Trx, ids: string[]) {
  const found = await trx.selectFrom('accounts').select('id').where('id', 'in', ids).execute();
  const known = new Set(found.map((r) => r.id));
  const missing = ids.find((id) => !known.has(id));
  if (missing) throw notFound('account', missing);
}

async function checkFiles(trx: Trx, ownerId: string, uploadIds: string[]) {
  const rows = uploadIds.length ? await completedUploadsFor(trx, uploadIds) : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const id of uploadIds) {
    const upload = byId.get(id);
    // Another account's upload (of this platform or another) is reported exactly like a missing one.
    if (!upload || upload.account_id !== ownerId) {
      throw unprocessable(
        'upload_not_completed',
        `Upload ${id} does not exist, is not completed, or was made by another account.`,
        {
          uploadId: id,
        },
      );
    }
  }
  return byId;
}

/**
 * Every parent must be registered, and either its licence allows derivatives or the rights holder
 * cites a licence grant of it that does (licensing/derivative-grants.ts). Returns the grant cited
 * for each parent; a grant citing no parent is refused.
 */
async function checkParents(
  trx: Trx,
  input: Pick<CreateAssetInput, 'parents' | 'licenceGrants'>,
  rightsHolderId: string,
  now: Date,
): Promise<Map<string, string>> {
  const grantOfParent = new Map<string, string>();
  const parentIds = input.parents;
  const parents = parentIds.length
    ? await trx.selectFrom('assets').select(['id', 'status', 'licence']).where('id', 'in', parentIds).execute()
    : [];
  const byId = new Map(parents.map((p) => [p.id, p]));
  const cited = input.licenceGrants.length
    ? await trx
        .selectFrom('licence_grants')
        .select(['id', 'asset_id'])
        .where(
          'id',
          'in',
          input.licenceGrants.map((g) => g.grantId),
        )
        .execute()
    : [];
  for (const g of input.licenceGrants) {
    const row = cited.find((c) => c.id === g.grantId);
    if (!row) throw notFound('licence grant', g.grantId);
    if (!parentIds.includes(row.asset_id)) {
      throw unprocessable('grant_not_for_parent', `Licence grant ${g.grantId} is not a grant of any parent of this work.`, {
        grantId: g.grantId,
      });
    }
    grantOfParent.set(row.asset_id, await checkDerivativeGrant(trx, g, row.asset_id, rightsHolderId, now));
  }
  for (const id of parentIds) {
    const parent = byId.get(id);
    if (!parent) throw notFound('parent asset', id);
    if (parent.status !== 'registered') {
      throw unprocessable(
        'parent_not_registered',
        `Parent ${id} is ${parent.status}; only registered works can be derived from.`,
        {
          parentId: id,
        },
      );
    }
    if (!(parent.licence as Licence).derivativesAllowed && !grantOfParent.has(id)) {
      throw unprocessable('parent_forbids_derivatives', `The licence of parent ${id} does not allow derivative works.`, {
        parentId: id,
      });
    }
  }
  return grantOfParent;
}

/** `VH-` and 16 hex digits from a CSPRNG: unguessable and, with the unique index, unique. */
function generateIdentityCode(): string {
  return `VH-${toHex(randomBytes(8)).toUpperCase()}`;
}
