import type { DatabaseHandle } from './db/database.js';
import { lapseLeasesOfEarlierProcess } from './features/media/jobs.repo.js';
import { releaseLeasesOfEarlierProcess } from './features/webhooks/delivery.repo.js';

// Apart from node-startup.ts, which `npm run media` also imports: the media worker stays clear of the HTTP layer.
/**
 * After a kill, work leased by the dead process waits for its lease to run out (media jobs
 * MEDIA_JOB_LEASE, webhook endpoints an attempt's timeout + 30 s) — on a shared PostgreSQL nobody
 * can tell a dead process's lease from a live one's. The embedded database is this process's
 * alone, so every lease in it is a dead one's: free them now.
 */
export async function resumeWorkOfEarlierProcess(handle: DatabaseHandle, now: Date) {
  if (handle.flavour !== 'pglite') return { mediaJobs: 0, webhookEndpoints: 0 };
  return {
    mediaJobs: await lapseLeasesOfEarlierProcess(handle.db, now),
    webhookEndpoints: await releaseLeasesOfEarlierProcess(handle.db),
  };
}
