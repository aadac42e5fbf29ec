import { toHex } from '../../crypto/bytes.js';
import type { Queryable, Trx } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import type { Principal } from '../../http/env.js';
import { notFound } from '../../http/problem.js';
import { loadMedia, type MediaRecord, presentAssetMedia } from '../media/media.present.js';
import type { Licence } from './licence.js';

export interface AssetRecord {
  asset: Row<'assets'>;
  creators: Row<'asset_creators'>[];
  files: { upload_id: string; purpose: string; sha256: Uint8Array; media_type: string; size: bigint }[];
  parents: string[];
  /** The media worker's analysis of each file (issue 6). */
  media: MediaRecord;
}

/** A work with its creators, files and parents, or null. */
export async function findAsset(db: Queryable, id: string): Promise<AssetRecord | null> {
  return (await findAssets(db, [id]))[0] ?? null;
}

/**
 * Several works with their creators, files, parents and media, in the order of `ids` (missing ones
 * left out): a fixed number of queries however many works, so a page of works costs what one does.
 */
export async function findAssets(db: Queryable, ids: readonly string[]): Promise<AssetRecord[]> {
  if (ids.length === 0) return [];
  const assets = await db.selectFrom('assets').selectAll().where('id', 'in', ids).execute();
  if (assets.length === 0) return [];
  const found = assets.map((a) => a.id);
  const [creators, files, parents] = await Promise.all([
    db.selectFrom('asset_creators').selectAll().where('asset_id', 'in', found).orderBy('position').execute(),
    db
      .selectFrom('asset_files')
      .innerJoin('uploads', 'uploads.id', 'asset_files.upload_id')
      .select([
        'asset_files.asset_id',
        'asset_files.upload_id',
        'asset_files.purpose',
        'uploads.sha256',
        'uploads.media_type',
        'uploads.size',
      ])
      .where('asset_files.asset_id', 'in', found)
      .orderBy('asset_files.upload_id')
      .execute(),
    db
      .selectFrom('asset_parents')
      .select(['asset_id', 'parent_id'])
      .where('asset_id', 'in', found)
      .orderBy('parent_id')
      .execute(),
  ]);
  const media = await loadMedia(
    db,
    files.map((f) => f.upload_id),
  );
  const byId = new Map(assets.map((a) => [a.id, a]));
  return ids.flatMap((id) => {
    const asset = byId.get(id);
    if (!asset) return [];
    return [
      {
        asset,
        creators: creators.filter((c) => c.asset_id === id),
        files: files.filter((f) => f.asset_id === id).map(({ asset_id: _, ...f }) => f),
        parents: parents.filter((p) => p.asset_id === id).map((p) => p.parent_id),
        media,
      },
    ];
  });
}

/**
 * Works under public notice, registered or revoked (a takedown is public record) are public; others
 * only to their platform, rights holder and officials.
 */
export function mayReadAsset(principal: Principal | undefined, asset: Row<'assets'>): boolean {
  if (asset.status === 'public_notice' || asset.status === 'registered' || asset.status === 'revoked') return true;
  if (!principal) return false;
  if (principal.kind === 'operator' || principal.kind === 'official') return true;
  if (principal.kind === 'platform') return principal.id === asset.platform_id;
  return principal.id === asset.rights_holder_id;
}

export async function readableAsset(db: Queryable, principal: Principal | undefined, id: string): Promise<AssetRecord> {
  const record = await findAsset(db, id);
  if (!record || !mayReadAsset(principal, record.asset)) throw notFound('asset', id);
  return record;
}

export function presentAsset({ asset, creators, files, parents, media }: AssetRecord) {
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  return {
    id: asset.id,
    platformId: asset.platform_id,
    kind: asset.kind,
    title: asset.title,
    description: asset.description,
    category: asset.category,
    rightsHolderId: asset.rights_holder_id,
    creators: creators.map((c) => ({ accountId: c.account_id, role: c.role, shareBps: c.share_bps })),
    claimedCreatedOn: dateOnly(asset.claimed_created_on),
    originalityStatement: asset.originality_statement,
    licence: asset.licence as Licence,
    files: files.map((f) => ({
      uploadId: f.upload_id,
      purpose: f.purpose,
      sha256: toHex(f.sha256),
      mediaType: f.media_type,
      size: Number(f.size),
    })),
    parents,
    media: presentAssetMedia(
      asset.licence as Licence,
      files.map((f) => f.upload_id),
      media,
    ),
    identityCode: asset.identity_code,
    status: asset.status,
    registrationNumber: asset.registration_number,
    noticeEndsAt: iso(asset.notice_ends_at),
    submittedAt: iso(asset.submitted_at),
    registeredAt: iso(asset.registered_at),
    createdAt: asset.created_at.toISOString(),
    updatedAt: asset.updated_at.toISOString(),
  };
}

function dateOnly(v: Date | string): string {
  return typeof v === 'string' ? v.slice(0, 10) : v.toISOString().slice(0, 10);
}

/**
 * The work's row, locked FOR NO KEY UPDATE: taken first by every write that decides a work's rights
 * (IP case measures and determinations; licence grants, reports, terminations, expiry), so they
 * take turns on one work. It waits for the share lock a purchase takes (cases/work-gate.ts), and
 * does not hold up rows that merely reference the work (events, offers).
 */
export async function lockWork(trx: Trx, assetId: string) {
  return trx.selectFrom('assets').selectAll().where('id', '=', assetId).forNoKeyUpdate().executeTakeFirstOrThrow();
}
