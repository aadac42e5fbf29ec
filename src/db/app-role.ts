import { sql } from 'kysely';
import type { Db } from './database.js';

/**
 * Gives the application's database role what it needs on the current schema, and no UPDATE,
 * DELETE or TRUNCATE on history tables (schema/0014_append_only_roles.sql). Run as the owner of
 * the tables, after `migrate`, every time: tables added by later migrations are covered too.
 */
export async function grantAppRole(db: Db, role: string): Promise<void> {
  await sql`select haipai_grant_app_role(${role})`.execute(db);
}

/**
 * Whether the connected role could rewrite history: it may UPDATE events, or it owns them (and so
 * could disable their triggers). True for the embedded PGlite and for a single-role PostgreSQL;
 * false before the schema exists.
 */
export async function canRewriteHistory(db: Db): Promise<boolean> {
  const { rows } = await sql<{ can: boolean | null }>`
    select has_table_privilege(c.oid, 'UPDATE') or pg_has_role(c.relowner, 'member') as can
    from pg_class c where c.oid = to_regclass('events')`.execute(db);
  // No events table yet (nothing migrated): nothing to rewrite.
  return rows[0]?.can ?? false;
}
