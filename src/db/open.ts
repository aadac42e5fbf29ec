import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatabaseHandle } from './database.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';

/** Node only: PostgreSQL when a URL is given, otherwise PGlite on disk under dataDir. */
export async function openDatabase(opts: { databaseUrl?: string; dataDir: string; schema?: string }): Promise<DatabaseHandle> {
  // A long-lived Node pool keeps its prepared statements: the purchase path's ~30 statements are planned once.
  if (opts.databaseUrl) return openPostgres({ url: opts.databaseUrl, schema: opts.schema, prepare: true });
  const dir = join(opts.dataDir, 'pglite');
  await mkdir(dir, { recursive: true });
  return openPglite(dir);
}
