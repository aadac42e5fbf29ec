import { PGlite, types } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { Kysely } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import type { DatabaseHandle } from './database.js';
import type { Database } from './schema.js';

/** Open PGlite on disk (or in memory when dataDir is undefined). */
export async function openPglite(dataDir?: string): Promise<DatabaseHandle> {
  const pg = await PGlite.create({
    dataDir,
    // The exclusion constraint on licence grants (schema/0020_licensing.sql) needs btree_gist.
    extensions: { btree_gist },
    parsers: { [types.INT8]: (v: string) => BigInt(v) },
  });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pg) });
  return {
    db,
    flavour: 'pglite',
    // Goes through the dialect's connection so it queues behind kysely's queries.
    execScript: async (script) => {
      await db.connection().execute(async () => {
        await pg.transaction(async (tx) => {
          await tx.exec(script);
        });
      });
    },
    close: async () => {
      await db.destroy();
      if (!pg.closed) await pg.close();
    },
  };
}
