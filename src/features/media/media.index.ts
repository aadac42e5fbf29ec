import { requirePrincipal } from '../../http/auth.js';
import { decodeCursor, toPage } from '../../http/pagination.js';
import { AppError, badRequest, conflict, notFound } from '../../http/problem.js';
import { createRouter } from '../../http/router.js';
import { mayActFor } from '../parties/access.js';
import { findUpload } from '../uploads/uploads.repo.js';
import type { MediaJob } from './jobs.repo.js';
import { requeueDeadJob } from './jobs.repo.js';
import { loadMedia, presentFileMedia } from './media.present.js';
import * as routes from './media.routes.js';
import type { PreviewInfo } from './media.types.js';
import { toUnsigned64 } from './results.repo.js';
import { findScreening, flaggedPage, presentMatch } from './screenings.repo.js';
import type { HashAlgorithm } from './similarity.js';
import { databaseSimilaritySearch } from './similarity-memory.js';

const ASSET_CURSOR = /^ast_[0-9A-Z]{26}$/;
const UPLOAD_CURSOR = /^upl_[0-9A-Z]{26}$/;

function presentJob(j: MediaJob) {
  return {
    uploadId: j.upload_id,
    status: j.status,
    attempts: j.attempts,
    dueAt: j.due_at.toISOString(),
    lastError: j.last_error,
    deadReason: j.dead_reason,
    createdAt: j.created_at.toISOString(),
    finishedAt: j.finished_at?.toISOString() ?? null,
  };
}

/** Media analysis results, previews, the similarity index and screening, for owners and officials. */
export function mediaRouter() {
  return createRouter()
    .openapi(routes.uploadMedia, async (c) => {
      const principal = requirePrincipal(c, 'platform', 'account', 'official', 'operator');
      const { db } = c.get('deps');
      const { id } = c.req.valid('param');
      const upload = await findUpload(db, id);
      const official = principal.kind === 'official' || principal.kind === 'operator';
      if (!upload || !(official || mayActFor(principal, upload))) throw notFound('upload', id);
      return c.json(presentFileMedia(id, await loadMedia(db, [id])), 200);
    })
    .openapi(routes.uploadPreview, async (c) => {
      const principal = c.get('principal');
      const { db, blobs } = c.get('deps');
      const { id, size } = c.req.valid('param');
      const upload = await findUpload(db, id);
      if (!upload) throw notFound('upload', id);
      const visible =
        principal?.kind === 'official' ||
        principal?.kind === 'operator' ||
        (principal && mayActFor(principal, upload)) ||
        (await db
          .selectFrom('asset_files')
          .innerJoin('assets', 'assets.id', 'asset_files.asset_id')
          .select('assets.id')
          .where('asset_files.upload_id', '=', id)
          .where('assets.status', 'in', ['public_notice', 'registered'])
          .executeTakeFirst());
      if (!visible) throw notFound('upload', id);
      const result = await db
        .selectFrom('media_results')
        .select(['preview_small', 'preview_large'])
        .where('upload_id', '=', id)
        .executeTakeFirst();
      const preview = (size === 'small' ? result?.preview_small : result?.preview_large) as PreviewInfo | null | undefined;
      const bytes = preview ? await blobs.read(preview.key) : null;
      if (!bytes) throw notFound(`${size} preview of upload`, id);
      return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
        'content-type': 'image/webp',
        // Named by the source's SHA-256: the bytes behind this URL never change.
        'cache-control': 'private, max-age=86400, immutable',
      });
    })
    .openapi(routes.similarWorks, async (c) => {
      requirePrincipal(c, 'official', 'operator');
      const { db, config, similarity } = c.get('deps');
      const q = c.req.valid('query');
      if ((q.upload === undefined) === (q.hash === undefined)) {
        throw badRequest('validation_failed', 'Give exactly one of `upload` or `hash`.', {
          issues: [{ path: 'upload', message: 'exactly one of upload or hash' }],
        });
      }
      const threshold = q.threshold ?? config.MEDIA_NEAR_DUPLICATE_THRESHOLD;
      const queries: { algorithm: HashAlgorithm; hash: bigint }[] = [];
      if (q.hash) queries.push({ algorithm: q.algorithm, hash: BigInt(`0x${q.hash}`) });
      else {
        const r = await db
          .selectFrom('media_results')
          .select(['dhash', 'phash'])
          .where('upload_id', '=', q.upload!)
          .executeTakeFirst();
        if (!(await findUpload(db, q.upload!))) throw notFound('upload', q.upload);
        if (!r || r.dhash === null || r.phash === null) {
          throw conflict(
            'not_hashed',
            `Upload ${q.upload} has no perceptual hash: it is not an image, or its analysis has not finished.`,
          );
        }
        queries.push({ algorithm: 'phash', hash: toUnsigned64(r.phash) }, { algorithm: 'dhash', hash: toUnsigned64(r.dhash) });
      }
      const found = new Map<string, { uploadId: string; algorithm: HashAlgorithm; distance: number }>();
      for (const query of queries) {
        for (const s of await (similarity ?? databaseSimilaritySearch).find(db, { ...query, threshold, limit: 500 })) {
          if (s.uploadId === q.upload) continue;
          found.set(`${s.uploadId}|${query.algorithm}`, {
            uploadId: s.uploadId,
            algorithm: query.algorithm,
            distance: s.distance,
          });
        }
      }
      const uploadIds = [...new Set([...found.values()].map((f) => f.uploadId))];
      const works = uploadIds.length
        ? await db
            .selectFrom('asset_files')
            .innerJoin('assets', 'assets.id', 'asset_files.asset_id')
            .leftJoin('media_results', 'media_results.upload_id', 'asset_files.upload_id')
            .select([
              'asset_files.upload_id',
              'assets.id',
              'assets.title',
              'assets.status',
              'assets.registration_number',
              (eb) => eb('media_results.preview_small', 'is not', null).as('has_preview'),
            ])
            .where('asset_files.upload_id', 'in', uploadIds)
            .execute()
        : [];
      const data = works
        .flatMap((w) =>
          [...found.values()]
            .filter((f) => f.uploadId === w.upload_id)
            .map((f) =>
              presentMatch({
                upload_id: q.upload ?? null,
                matched_asset_id: w.id,
                matched_upload_id: w.upload_id,
                matched_title: w.title,
                matched_status: w.status,
                matched_registration_number: w.registration_number,
                algorithm: f.algorithm,
                distance: f.distance,
                has_preview: Boolean(w.has_preview),
              }),
            ),
        )
        .sort(
          (a, b) =>
            a.distance - b.distance || a.matchedAssetId.localeCompare(b.matchedAssetId) || a.algorithm.localeCompare(b.algorithm),
        )
        .slice(0, q.limit);
      return c.json({ threshold, data }, 200);
    })
    .openapi(routes.assetScreening, async (c) => {
      requirePrincipal(c, 'official', 'operator');
      const { db } = c.get('deps');
      const { id } = c.req.valid('param');
      const asset = await db.selectFrom('assets').select(['id', 'status']).where('id', '=', id).executeTakeFirst();
      if (!asset) throw notFound('asset', id);
      const screening = await findScreening(db, id);
      if (!screening) {
        throw new AppError(404, 'not_screened', `Work ${id} is ${asset.status}; works are screened when they are submitted.`, {
          assetStatus: asset.status,
        });
      }
      return c.json(screening, 200);
    })
    .openapi(routes.flaggedSubmissions, async (c) => {
      requirePrincipal(c, 'official', 'operator');
      const { db } = c.get('deps');
      const { after, limit, status } = c.req.valid('query');
      const rows = await flaggedPage(
        db,
        status ? [status] : ['submitted', 'in_review'],
        decodeCursor(after, ASSET_CURSOR),
        limit,
      );
      return c.json(
        toPage(
          rows,
          limit,
          (r) => r.key,
          (r) => r.item,
        ),
        200,
      );
    })
    .openapi(routes.mediaJobs, async (c) => {
      requirePrincipal(c, 'operator');
      const { db } = c.get('deps');
      const { after, limit, status } = c.req.valid('query');
      const cursor = decodeCursor(after, UPLOAD_CURSOR);
      let q = db.selectFrom('media_jobs').selectAll().where('status', '=', status);
      if (cursor) q = q.where('upload_id', '>', cursor);
      const rows = await q
        .orderBy('upload_id')
        .limit(limit + 1)
        .execute();
      return c.json(
        toPage(rows, limit, (r) => r.upload_id, presentJob),
        200,
      );
    })
    .openapi(routes.retryMediaJob, async (c) => {
      requirePrincipal(c, 'operator');
      const { db, clock } = c.get('deps');
      const { id } = c.req.valid('param');
      const job = await db.transaction().execute(async (trx) => {
        const requeued = await requeueDeadJob(trx, id, clock.now());
        if (requeued) return requeued;
        const current = await trx.selectFrom('media_jobs').select('status').where('upload_id', '=', id).executeTakeFirst();
        if (!current) throw notFound('media job of upload', id);
        throw conflict('job_not_dead', `The media job of upload ${id} is ${current.status}; only dead jobs are retried.`, {
          jobStatus: current.status,
        });
      });
      return c.json(presentJob(job), 200);
    });
}
