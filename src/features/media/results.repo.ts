import type { Queryable, Trx } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import type { MediaFormat, ModelInfo, PreviewInfo, RefusalRule } from './media.types.js';

/** What one analysis found; the worker writes it once, with the job's completion. */
export type MediaFindings =
  | { verdict: 'refused'; rule: RefusalRule; detail: string; format: MediaFormat | null }
  | {
      verdict: 'accepted';
      format: MediaFormat;
      image?: {
        width: number;
        height: number;
        /** Unsigned 64-bit values. */
        dhash: bigint;
        phash: bigint;
        lowDetail: boolean;
        blurhash: string;
        previews: { small: PreviewInfo; large: PreviewInfo };
      };
      model?: ModelInfo;
    };

/** Perceptual hashes are unsigned 64-bit; int8 columns are signed. */
export const toSigned64 = (v: bigint) => BigInt.asIntN(64, v);
export const toUnsigned64 = (v: bigint) => BigInt.asUintN(64, v);
export const hashHex = (v: bigint) => toUnsigned64(v).toString(16).padStart(16, '0');

/**
 * Store the findings and, for an image with enough detail, its hashes in the similarity index.
 * Runs in the transaction that marks the job done; a second write for the same upload is ignored.
 */
export async function saveFindings(trx: Trx, uploadId: string, sha256: Uint8Array, f: MediaFindings, now: Date) {
  const image = f.verdict === 'accepted' ? f.image : undefined;
  const texture = f.verdict === 'accepted' ? indexedTexture(f.model) : null;
  const hashes = image ?? texture;
  const inserted = await trx
    .insertInto('media_results')
    .values({
      upload_id: uploadId,
      sha256,
      verdict: f.verdict,
      refusal_rule: f.verdict === 'refused' ? f.rule : null,
      refusal_detail: f.verdict === 'refused' ? f.detail : null,
      format: f.format,
      width: image?.width ?? null,
      height: image?.height ?? null,
      blurhash: image?.blurhash ?? null,
      dhash: hashes ? toSigned64(hashes.dhash) : null,
      phash: hashes ? toSigned64(hashes.phash) : null,
      low_detail: hashes ? hashes.lowDetail : null,
      preview_small: image ? image.previews.small : null,
      preview_large: image ? image.previews.large : null,
      model: f.verdict === 'accepted' && f.model ? f.model : null,
      analysed_at: now,
    })
    .onConflict((oc) => oc.column('upload_id').doNothing())
    .returning('upload_id')
    .executeTakeFirst();
  if (inserted && hashes && !hashes.lowDetail) {
    await trx
      .insertInto('media_hashes')
      .values([
        { upload_id: uploadId, algorithm: 'dhash', hash: toSigned64(hashes.dhash) },
        { upload_id: uploadId, algorithm: 'phash', hash: toSigned64(hashes.phash) },
      ])
      .onConflict((oc) => oc.columns(['upload_id', 'algorithm']).doNothing())
      .execute();
  }
}

/**
 * The texture of a 3D file that stands for it in the similarity index (which holds one hash per
 * upload and algorithm): the one with the most pixels among those with enough detail. A new
 * submission is screened with every texture's hashes (screening.service.ts); a later image is
 * compared with this one only.
 */
function indexedTexture(model: ModelInfo | undefined): { dhash: bigint; phash: bigint; lowDetail: boolean } | null {
  const usable = (model?.textureHashes ?? []).filter((t) => !t.lowDetail);
  const best = usable.sort((a, b) => b.width * b.height - a.width * a.height)[0];
  return best ? { dhash: BigInt(`0x${best.dhash}`), phash: BigInt(`0x${best.phash}`), lowDetail: false } : null;
}

export type MediaResult = Row<'media_results'>;

export async function resultsFor(db: Queryable, uploadIds: string[]): Promise<MediaResult[]> {
  if (!uploadIds.length) return [];
  return db.selectFrom('media_results').selectAll().where('upload_id', 'in', uploadIds).execute();
}
