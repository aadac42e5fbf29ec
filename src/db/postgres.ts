import { Kysely } from 'kysely';
import { PostgresJSDialect } from 'kysely-postgres-js';
import postgres from 'postgres';
import type { DatabaseHandle } from './database.js';
import type { Database } from './schema.js';

export interface PostgresOptions {
  url: string;
  /** Search path for every connection; tests give each file its own schema. */
  schema?: string;
  max?: number;
  /**
   * Named prepared statements, parsed and planned once per connection. Off by default (Hyperdrive
   * and workerd); the Node entry turns them on for its own pool.
   */
  prepare?: boolean;
}

/** Open a postgres.js pool; int8 comes back as bigint, like PGlite. */
export function postgresClient(opts: PostgresOptions) {
  return postgres(opts.url, {
    max: opts.max ?? 10,
    // Hyperdrive and workerd do not support prepared statement caching across isolates reliably.
    prepare: opts.prepare ?? false,
    onnotice: () => {},
    types: { bigint: postgres.BigInt },
    connection: opts.schema ? { search_path: opts.schema } : {},
  });
}

export async function openPostgres(opts: PostgresOptions): Promise<DatabaseHandle> {
  const sql = postgresClient(opts);
  // Warm the pool: postgres.js reserve() hangs under workerd when it is the first call on a fresh pool.
  await sql`select 1`;
  const db = new Kysely<Database>({ dialect: new PostgresJSDialect({ postgres: sql }) });
  return {
    db,
    flavour: 'postgres',
    execScript: async (script) => {
      await sql.begin((tx) => tx.unsafe(script).simple());
    },
    // destroy() ends the pool only if Kysely ever borrowed a connection; end() closes the warm-up one too.
    close: async () => {
      await db.destroy();
      await sql.end();
    },
  };
}
