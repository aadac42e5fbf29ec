import type { AppConfig } from '../../config.js';
import { toHex } from '../../crypto/bytes.js';
import type { Db, Queryable, Trx } from '../../db/database.js';
import type { AssetStatus, Row } from '../../db/schema.js';
import { conflict, unprocessable } from '../../http/problem.js';
import type { Licence } from '../assets/licence.js';
import { enqueueMissingJobs, jobsFor } from './jobs.repo.js';
import { fileLicenceContradictions, loadMedia } from './media.present.js';
import { type MediaFormat, MODEL_FORMATS, type ModelInfo } from './media.types.js';
import { toUnsigned64 } from './results.repo.js';
import type { HashAlgorithm } from './similarity.js';
import { databaseSimilaritySearch, type SimilaritySearch } from './similarity-memory.js';

/*
 * Screening at submission (issue 6). A work is screened once, when it is submitted, in the
 * submission's transaction:
 * 1. every file's analysis must be finished (the submission waits up to MEDIA_SUBMIT_WAIT for it,
 *    before any lock, then refuses with 409 media_pending) and accepted (422 media_refused names the
 *    rule the worker applied; 409 media_failed when the analysis itself gave up);
 * 2. a garment or virtual human whose 3D files contain no mesh at all is refused (422 media_refused,
 *    rule mesh_required), as is one whose `model` file is not a 3D format (rule model_not_3d);
 * 3. a file identical (SHA-256) to a file of another party's registered work refuses the submission
 *    (409 duplicate_work, naming that work);
 * 4. identical files of other parties' works still in review, and near-duplicates (perceptual hashes
 *    within MEDIA_NEAR_DUPLICATE_THRESHOLD) of any of their works, are attached as matches, and
 *    licence contradictions with the files' own (VRM) licences are recorded: either flags the work
 *    for the official, who sees it in GET /v1/review/flagged.
 * "Another party" is another rights holder; works this one names as parents are not matches.
 */

/** Statuses whose works are compared with a submission: everything past the draft, except rejected. */
const COMPARED: AssetStatus[] = ['submitted', 'in_review', 'public_notice', 'registered'];
const MAX_MATCHES = 100;

/**
 * Waits (without holding anything) until every file's analysis has finished, or refuses with 409
 * media_pending after `waitSeconds`. Files completed without a job get one now.
 */
export async function awaitMediaAnalysis(db: Db, uploadIds: string[], waitSeconds: number, now: Date): Promise<void> {
  if (!uploadIds.length) return;
  await enqueueMissingJobs(db, uploadIds, now);
  const deadline = Date.now() + waitSeconds * 1000;
  for (;;) {
    const pending = (await jobsFor(db, uploadIds)).filter((j) => j.status === 'queued' || j.status === 'running');
    if (!pending.length) return;
    const left = deadline - Date.now();
    if (left <= 0) {
      throw conflict(
        'media_pending',
        `The analysis of ${pending.length === 1 ? `file ${pending[0]!.upload_id} has` : `${pending.length} files has`} not finished; submit again shortly.`,
        { pending: pending.map((j) => j.upload_id), retryAfterSeconds: 2 },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(200, left)));
  }
}

export interface ScreeningSummary {
  flagged: boolean;
  matches: number;
  licenceContradictions: number;
}

interface ScreenedFile {
  upload_id: string;
  purpose: string;
  sha256: Uint8Array;
}

/** Screens a locked draft being submitted; refuses by throwing, otherwise writes the screening. */
export async function screenSubmission(
  trx: Trx,
  asset: Row<'assets'>,
  config: AppConfig,
  now: Date,
  similarity: SimilaritySearch = databaseSimilaritySearch,
): Promise<ScreeningSummary> {
  const files: ScreenedFile[] = await trx
    .selectFrom('asset_files')
    .innerJoin('uploads', 'uploads.id', 'asset_files.upload_id')
    .select(['asset_files.upload_id', 'asset_files.purpose', 'uploads.sha256'])
    .where('asset_files.asset_id', '=', asset.id)
    .orderBy('asset_files.upload_id')
    .execute();
  const uploadIds = files.map((f) => f.upload_id);
  const media = await loadMedia(trx, uploadIds);

  for (const f of files) {
    const job = media.jobs.get(f.upload_id);
    const result = media.results.get(f.upload_id);
    if (job?.status === 'dead') {
      throw conflict(
        'media_failed',
        `The analysis of file ${f.upload_id} failed after every retry; the operator can retry it (POST /v1/media/jobs/${f.upload_id}/retry).`,
        { uploadId: f.upload_id },
      );
    }
    if (!result) {
      throw conflict('media_pending', `The analysis of file ${f.upload_id} has not finished; submit again shortly.`, {
        pending: [f.upload_id],
        retryAfterSeconds: 2,
      });
    }
    if (result.verdict === 'refused') {
      throw unprocessable('media_refused', `File ${f.upload_id} was refused: ${result.refusal_detail}`, {
        rule: result.refusal_rule,
        uploadId: f.upload_id,
      });
    }
  }

  if (asset.kind === 'garment' || asset.kind === 'virtual_human') checkMeshes(asset.kind, files, media.results);

  const parents = (await trx.selectFrom('asset_parents').select('parent_id').where('asset_id', '=', asset.id).execute()).map(
    (p) => p.parent_id,
  );
  const matches = new Map<string, Match>();
  const add = (m: Match) => {
    const key = `${m.upload_id}|${m.matched_asset_id}|${m.matched_upload_id}|${m.algorithm}`;
    if (!matches.has(key) && matches.size < MAX_MATCHES) matches.set(key, m);
  };

  // Identical files: refused against a registered work, attached otherwise.
  if (files.length) {
    const same = await otherWorksWithFiles(trx, asset, parents, { sha256: files.map((f) => f.sha256) });
    for (const row of same) {
      const own = files.find((f) => toHex(f.sha256) === toHex(row.sha256))!;
      if (row.status === 'registered') {
        throw conflict(
          'duplicate_work',
          `File ${own.upload_id} is identical to a file of registered work ${row.asset_id} (${row.registration_number}), which belongs to another rights holder.`,
          {
            rule: 'exact_duplicate',
            uploadId: own.upload_id,
            matchedAssetId: row.asset_id,
            registrationNumber: row.registration_number,
            matchedUploadId: row.upload_id,
          },
        );
      }
      add({
        upload_id: own.upload_id,
        matched_asset_id: row.asset_id,
        matched_upload_id: row.upload_id,
        algorithm: 'sha256',
        distance: 0,
      });
    }
  }

  // Near-duplicates, through the similarity index.
  const threshold = config.MEDIA_NEAR_DUPLICATE_THRESHOLD;
  for (const f of files) {
    for (const hashes of searchedHashes(media.results.get(f.upload_id)!)) {
      for (const algorithm of ['phash', 'dhash'] as HashAlgorithm[]) {
        const similar = (await similarity.find(trx, { hash: hashes[algorithm], algorithm, threshold, limit: 200 })).filter(
          (s) => !uploadIds.includes(s.uploadId),
        );
        if (!similar.length) continue;
        const distance = new Map(similar.map((s) => [s.uploadId, s.distance]));
        const works = await otherWorksWithFiles(trx, asset, parents, { uploadIds: [...distance.keys()] });
        for (const w of works) {
          add({
            upload_id: f.upload_id,
            matched_asset_id: w.asset_id,
            matched_upload_id: w.upload_id,
            algorithm,
            distance: distance.get(w.upload_id)!,
          });
        }
      }
    }
  }

  const contradictions = fileLicenceContradictions(asset.licence as Licence, uploadIds, media);
  const flagged = matches.size > 0 || contradictions.length > 0;
  await trx
    .insertInto('media_screenings')
    .values({ asset_id: asset.id, flagged, threshold, licence_contradictions: contradictions, screened_at: now })
    .execute();
  if (matches.size) {
    await trx
      .insertInto('media_screening_matches')
      .values([...matches.values()].map((m) => ({ asset_id: asset.id, ...m })))
      .execute();
  }
  return { flagged, matches: matches.size, licenceContradictions: contradictions.length };
}

/**
 * The hashes a file is screened with: an image's own, or every texture of a 3D file (textures too
 * uniform to fingerprint are skipped, as such images are).
 */
function searchedHashes(r: Row<'media_results'>): { phash: bigint; dhash: bigint }[] {
  const textures = (r.model as ModelInfo | null)?.textureHashes;
  if (textures) {
    return textures.filter((t) => !t.lowDetail).map((t) => ({ phash: BigInt(`0x${t.phash}`), dhash: BigInt(`0x${t.dhash}`) }));
  }
  if (r.low_detail || r.dhash === null || r.phash === null) return [];
  return [{ phash: toUnsigned64(r.phash), dhash: toUnsigned64(r.dhash) }];
}

interface Match {
  upload_id: string;
  matched_asset_id: string;
  matched_upload_id: string;
  algorithm: 'sha256' | 'dhash' | 'phash';
  distance: number;
}

function checkMeshes(kind: string, files: ScreenedFile[], results: Map<string, Row<'media_results'>>) {
  const format = (f: ScreenedFile) => results.get(f.upload_id)!.format as MediaFormat | null;
  const flat = files.find((f) => f.purpose === 'model' && !MODEL_FORMATS.includes(format(f) ?? 'pdf'));
  if (flat) {
    throw unprocessable(
      'media_refused',
      `File ${flat.upload_id} is attached as the model of a ${kind}, but it is ${format(flat) ?? 'not'} a 3D model.`,
      { rule: 'model_not_3d', uploadId: flat.upload_id },
    );
  }
  const models = files.filter((f) => MODEL_FORMATS.includes(format(f) ?? 'pdf'));
  const meshes = models.map((f) => (results.get(f.upload_id)!.model as ModelInfo | null)?.meshes ?? null);
  if (models.length && meshes.every((m) => m === 0)) {
    throw unprocessable(
      'media_refused',
      `A ${kind} must have a mesh, but its 3D ${models.length === 1 ? 'file has' : 'files have'} none (${models
        .map((f) => f.upload_id)
        .join(', ')}).`,
      { rule: 'mesh_required', uploadIds: models.map((f) => f.upload_id) },
    );
  }
}

/** Files of other rights holders' works (past draft, not rejected, not this work's parents). */
async function otherWorksWithFiles(
  db: Queryable,
  asset: Row<'assets'>,
  parents: string[],
  files: { sha256?: Uint8Array[]; uploadIds?: string[] },
) {
  let q = db
    .selectFrom('uploads')
    .innerJoin('asset_files', 'asset_files.upload_id', 'uploads.id')
    .innerJoin('assets', 'assets.id', 'asset_files.asset_id')
    .select(['uploads.id as upload_id', 'uploads.sha256', 'assets.id as asset_id', 'assets.status', 'assets.registration_number'])
    .where('assets.id', '<>', asset.id)
    .where('assets.rights_holder_id', '<>', asset.rights_holder_id)
    .where('assets.status', 'in', COMPARED);
  if (files.sha256) q = q.where('uploads.sha256', 'in', files.sha256);
  if (files.uploadIds) q = q.where('uploads.id', 'in', files.uploadIds);
  if (parents.length) q = q.where('assets.id', 'not in', parents);
  return q.orderBy('assets.id').orderBy('uploads.id').limit(MAX_MATCHES).execute();
}
