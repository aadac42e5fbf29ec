import { toHex } from '../../crypto/bytes.js';
import type { Queryable } from '../../db/database.js';

export interface PairMatch {
  /** The complained-about work's file. */
  uploadId: string;
  /** The earlier work's file. */
  matchedUploadId: string;
  algorithm: 'sha256' | 'dhash' | 'phash';
  /** Hamming distance of the perceptual hashes (0 for identical files). */
  distance: number;
}

export interface PairScreening {
  earlierAssetId: string;
  /** Files of either work without a perceptual hash (not an image, or its analysis has not finished). */
  unhashed: string[];
  matches: PairMatch[];
  /** The smallest perceptual distance found, null when no file of either work has a hash. */
  closestDistance: number | null;
  screenedAt: string;
}

const bitCount = (v: bigint) => {
  let n = 0;
  for (let x = BigInt.asUintN(64, v); x; x &= x - 1n) n++;
  return n;
};

/**
 * The similarity screening between two works, for a complaint: every file of the complained-about
 * work against every file of the earlier one, by SHA-256 (identical bytes) and by the media worker's
 * perceptual hashes (dHash, pHash; the same hashes the submission screening and
 * GET /v1/assets/similar compare). Works have a handful of files, so the pairs are compared directly
 * rather than through the multi-index search, and every distance is kept: an official reads the
 * numbers, the system does not decide infringement.
 */
export async function screenPair(db: Queryable, assetId: string, earlierAssetId: string, now: Date): Promise<PairScreening> {
  const filesOf = (id: string) =>
    db
      .selectFrom('asset_files')
      .innerJoin('uploads', 'uploads.id', 'asset_files.upload_id')
      .select(['uploads.id', 'uploads.sha256'])
      .where('asset_files.asset_id', '=', id)
      .orderBy('uploads.id')
      .execute();
  const [mine, theirs] = await Promise.all([filesOf(assetId), filesOf(earlierAssetId)]);
  const ids = [...mine, ...theirs].map((f) => f.id);
  const hashes = ids.length
    ? await db.selectFrom('media_hashes').select(['upload_id', 'algorithm', 'hash']).where('upload_id', 'in', ids).execute()
    : [];
  const hashOf = (uploadId: string, algorithm: 'dhash' | 'phash') =>
    hashes.find((h) => h.upload_id === uploadId && h.algorithm === algorithm)?.hash;
  const matches: PairMatch[] = [];
  for (const a of mine) {
    for (const b of theirs) {
      if (toHex(a.sha256) === toHex(b.sha256))
        matches.push({ uploadId: a.id, matchedUploadId: b.id, algorithm: 'sha256', distance: 0 });
      for (const algorithm of ['dhash', 'phash'] as const) {
        const x = hashOf(a.id, algorithm);
        const y = hashOf(b.id, algorithm);
        if (x === undefined || y === undefined) continue;
        matches.push({ uploadId: a.id, matchedUploadId: b.id, algorithm, distance: bitCount(BigInt(x) ^ BigInt(y)) });
      }
    }
  }
  matches.sort((m, n) => m.distance - n.distance || m.uploadId.localeCompare(n.uploadId));
  const hashed = new Set(hashes.map((h) => h.upload_id));
  const perceptual = matches.filter((m) => m.algorithm !== 'sha256');
  return {
    earlierAssetId,
    unhashed: ids.filter((id) => !hashed.has(id)),
    matches,
    closestDistance: perceptual.length ? perceptual[0]!.distance : null,
    screenedAt: now.toISOString(),
  };
}
