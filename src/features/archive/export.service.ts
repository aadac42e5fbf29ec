/**
 * Runs an export: integrates the log, then gathers and assembles in one repeatable-read snapshot,
 * so the subjects, their events and the checkpoint all describe the same moment and every event
 * in the archive is proven. Events committed between the integration and the snapshot send it
 * round again (a few times at most; a log that keeps falling behind is a 503 to retry).
 */
import type { Trx } from '../../db/database.js';
import type { Deps } from '../../deps.js';
import { AppError } from '../../http/problem.js';
import { integrateLog } from '../tlog/integrate.js';
import { type Archive, type ArchiveInput, assembleArchive } from './archive-builder.js';

const ATTEMPTS = 3;

export async function exportArchive(deps: Deps, gather: (trx: Trx) => Promise<ArchiveInput>): Promise<Archive> {
  const signer = deps.tlogSigner;
  if (!signer) throw new AppError(503, 'no_log_key', 'This deployment has no log signing key configured: nothing can be proven.');
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    await integrateLog(deps);
    const archive = await deps.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => assembleArchive(trx, { blobs: deps.blobs, signer, now: deps.clock.now() }, await gather(trx)));
    if (archive) return archive;
  }
  throw new AppError(503, 'log_pending', 'Events of this export are still waiting for the transparency log: retry in a moment.');
}

/** `Content-Disposition` for an archive, named after what it holds and the tree size it proves against. */
export function attachment(stem: string, archive: Archive): string {
  return `attachment; filename="${stem}-log${archive.manifest.log.size}.tar"`;
}
