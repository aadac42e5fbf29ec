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
  const db = new Kysely<Database>({ dialect: new PostgresJSDialect({ postgres: opts.prepare ? preparing(sql) : sql }) });
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

/**
 * The pool as Kysely should see it when statements are to be prepared. kysely-postgres-js runs
 * every query through a reserved connection's `unsafe()`, which postgres.js never prepares unless
 * told so per query, whatever the pool's `prepare` option: each query was parsed and planned
 * afresh and, having parameters, took two round trips (Parse/Describe, then Bind/Execute). Here
 * the reserved connections pass `prepare: true` on, so a statement text is parsed once per
 * connection and then runs in one round trip, and PostgreSQL may keep its plan. `simple: false`:
 * a query without parameters would otherwise go as a simple query, which is never prepared (no
 * query Kysely sends holds two statements, which only the simple protocol allows).
 */
function preparing(sql: postgres.Sql): postgres.Sql {
  // `simple` is read by postgres.js's unsafe() but missing from its typings.
  const extended = { prepare: true, simple: false } as postgres.UnsafeQueryOptions;
  const reserve = async () => {
    const reserved = await sql.reserve();
    const unsafe: typeof reserved.unsafe = (query, args, options) => reserved.unsafe(query, args, { ...extended, ...options });
    return new Proxy(reserved, {
      get: (target, prop) => (prop === 'unsafe' ? unsafe : Reflect.get(target, prop, target)),
    });
  };
  return new Proxy(sql, { get: (target, prop) => (prop === 'reserve' ? reserve : Reflect.get(target, prop, target)) });
}
