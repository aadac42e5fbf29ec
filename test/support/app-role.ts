import { sql } from 'kysely';
import postgres from 'postgres';
import { grantAppRole } from '../../src/db/app-role.js';
import type { Db } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { openPostgres } from '../../src/db/postgres.js';

/**
 * The role the PostgreSQL tests connect as, like the application in production: it owns nothing
 * and may not UPDATE, DELETE or TRUNCATE history (schema/0014_append_only_roles.sql). The schema
 * or database itself is made and migrated as DATABASE_URL's user, the owner.
 */
export const TEST_APP_ROLE = 'haipai_test_app';

/**
 * Creates the role if it does not exist. Roles belong to the whole cluster and test files start
 * in parallel, so a concurrent creation (duplicate_object, or unique_violation from the catalog's
 * index while the other transaction commits) counts as done. The password serves servers that
 * ask for one; the local server's trust auth ignores it.
 */
export async function ensureTestAppRole(admin: postgres.Sql): Promise<void> {
  await admin.unsafe(`
    do $$ begin
      create role ${TEST_APP_ROLE} login password '${TEST_APP_ROLE}';
    exception when duplicate_object or unique_violation then null;
    end $$`);
}

/** `url` with the test application role as its user. */
export function asTestAppRole(url: string): string {
  const u = new URL(url);
  u.username = TEST_APP_ROLE;
  u.password = TEST_APP_ROLE;
  return u.toString();
}

/**
 * Runs `statements` in order as the owner of the test's tables, for tests that play an operator
 * going behind the application's back: DATABASE_URL's user on the schema `db` uses, or on PGlite
 * the one role there is. Resolves with the last statement's rows.
 */
export async function runAsOwner(db: Db, ...statements: string[]): Promise<unknown[]> {
  const url = process.env.DATABASE_URL;
  let rows: unknown[] = [];
  if (!url) {
    for (const statement of statements) rows = (await sql.raw(statement).execute(db)).rows;
    return rows;
  }
  const { rows: found } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const owner = postgres(url, { max: 1, onnotice: () => {}, connection: { search_path: found[0]!.schema } });
  try {
    for (const statement of statements) rows = [...(await owner.unsafe(statement))];
    return rows;
  } finally {
    await owner.end();
  }
}

/** `url` as the test application role, on `schema`: the DATABASE_URL a spawned server or an extra pool uses. */
export function appRoleUrl(url: string, schema: string): string {
  const u = new URL(asTestAppRole(url));
  u.searchParams.set('search_path', schema);
  return u.toString();
}

/**
 * A fresh schema for a test that starts its own servers or pools (crash tests, separate workers):
 * made and migrated as DATABASE_URL's user, the owner, with the application role granted, as the
 * harness does for its own schema. The test then connects as TEST_APP_ROLE (`appRoleUrl`), like
 * the application in production; `drop` removes the schema as the owner.
 */
export async function createAppSchema(url: string, schema: string): Promise<{ drop(): Promise<void> }> {
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create schema ${schema}`);
    await ensureTestAppRole(admin);
  } finally {
    await admin.end();
  }
  const owner = await openPostgres({ url, schema, max: 1 });
  try {
    await migrate(owner);
    await grantAppRole(owner.db, TEST_APP_ROLE);
  } finally {
    await owner.close();
  }
  return {
    async drop() {
      const cleanup = postgres(url, { max: 1, onnotice: () => {} });
      try {
        await cleanup.unsafe(`drop schema if exists ${schema} cascade`);
      } finally {
        await cleanup.end();
      }
    },
  };
}
