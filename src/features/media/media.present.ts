import type { Queryable } from '../../db/database.js';
import type { Licence } from '../assets/licence.js';
import { jobsFor, type MediaJob } from './jobs.repo.js';
import { type LicenceContradiction, licenceContradictions } from './licence-check.js';
import type { ModelInfo, PreviewInfo, RefusalRule } from './media.types.js';
import { hashHex, type MediaResult, resultsFor } from './results.repo.js';

/** The analysis state of a set of files, loaded once for a work or an upload. */
export interface MediaRecord {
  jobs: Map<string, MediaJob>;
  results: Map<string, MediaResult>;
}

export async function loadMedia(db: Queryable, uploadIds: string[]): Promise<MediaRecord> {
  // Jobs first, then results, one after the other: a job is marked done in the transaction that
  // writes its result, so a job read as done has its result visible to the later read. Read in
  // parallel (two connections, two snapshots), the results could be read before that commit and
  // the job after it: "done" with no findings, which a poller would take as final.
  const jobs = await jobsFor(db, uploadIds);
  const results = await resultsFor(db, uploadIds);
  return {
    jobs: new Map(jobs.map((j) => [j.upload_id, j])),
    results: new Map(results.map((r) => [r.upload_id, r])),
  };
}

export const previewUrl = (uploadId: string, size: 'small' | 'large') => `/v1/uploads/${uploadId}/preview/${size}`;

export function presentFileMedia(uploadId: string, media: MediaRecord) {
  const job = media.jobs.get(uploadId);
  const r = media.results.get(uploadId);
  const preview = (size: 'small' | 'large', p: unknown) => {
    const info = p as PreviewInfo | null;
    return info ? { url: previewUrl(uploadId, size), key: info.key, width: info.width, height: info.height } : null;
  };
  const small = r ? preview('small', r.preview_small) : null;
  const large = r ? preview('large', r.preview_large) : null;
  return {
    uploadId,
    status: job?.status ?? ('missing' as const),
    verdict: r?.verdict ?? null,
    refusal: r?.refusal_rule ? { rule: r.refusal_rule as RefusalRule, detail: r.refusal_detail ?? '' } : null,
    format: r?.format ?? null,
    image:
      r?.width && r.height
        ? {
            width: r.width,
            height: r.height,
            dhash: r.dhash === null ? null : hashHex(r.dhash),
            phash: r.phash === null ? null : hashHex(r.phash),
            lowDetail: r.low_detail ?? false,
            blurhash: r.blurhash,
            previews: small && large ? { small, large } : null,
          }
        : null,
    model: (r?.model as ModelInfo | null) ?? null,
    analysedAt: r?.analysed_at.toISOString() ?? null,
  };
}

/** Contradictions between a registered licence and the licences its files carry (VRM metadata). */
export function fileLicenceContradictions(
  licence: Licence,
  uploadIds: string[],
  media: MediaRecord,
): (LicenceContradiction & { uploadId: string })[] {
  return uploadIds.flatMap((uploadId) => {
    const vrm = (media.results.get(uploadId)?.model as ModelInfo | null)?.vrm;
    return vrm ? licenceContradictions(licence, vrm.licence).map((c) => ({ uploadId, ...c })) : [];
  });
}

/** The `media` member of a work: every file's analysis, and the licence contradictions. */
export function presentAssetMedia(licence: Licence, uploadIds: string[], media: MediaRecord) {
  return {
    files: uploadIds.map((id) => presentFileMedia(id, media)),
    licenceContradictions: fileLicenceContradictions(licence, uploadIds, media),
  };
}
