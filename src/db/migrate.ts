import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { DatabaseHandle } from './database.js';

export const SCHEMA_DIR = new URL('../../schema/', import.meta.url).pathname;

/**
 * Apply every `schema/NNNN_name.sql` not yet recorded in `schema_migrations`, in name order,
 * each in its own transaction. An advisory lock makes concurrent migrators take turns.
 */
export async function migrate(handle: DatabaseHandle, dir = SCHEMA_DIR): Promise<string[]> {
  const files = await migrationFiles(dir);
  await handle.execScript(
    `create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now());`,
  );
  const applied: string[] = [];
  for (const file of files) {
    const script = await readFile(join(dir, file), 'utf8');
    const name = file.replace(/'/g, "''");
    // The lock, the check and the insert run in the same transaction as the script itself.
    const guarded = `
      select pg_advisory_xact_lock(7242001);
      do $guard$ begin
        if exists (select 1 from schema_migrations where name = '${name}') then
          raise exception 'already-applied';
        end if;
      end $guard$;
      ${script}
      ;
      insert into schema_migrations (name) values ('${name}');`;
    const done = await sql<{ n: number }>`select count(*)::int as n from schema_migrations where name = ${file}`.execute(
      handle.db,
    );
    if (done.rows[0]?.n) continue;
    try {
      await handle.execScript(guarded);
      applied.push(file);
    } catch (err) {
      if (String((err as Error).message).includes('already-applied')) continue;
      throw new Error(`migration ${file} failed: ${(err as Error).message}`, { cause: err });
    }
  }
  return applied;
}

/** The migration files this code ships, in the order they apply. */
export async function migrationFiles(dir = SCHEMA_DIR): Promise<string[]> {
  return (await readdir(dir)).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort();
}

/** Migrations of `dir` that the database has not applied yet (all of them on an empty database). */
export async function pendingMigrations(handle: DatabaseHandle, dir = SCHEMA_DIR): Promise<string[]> {
  const files = await migrationFiles(dir);
  const exists = await sql<{ t: string | null }>`select to_regclass('schema_migrations')::text as t`.execute(handle.db);
  if (!exists.rows[0]?.t) return files;
  const done = await sql<{ name: string }>`select name from schema_migrations`.execute(handle.db);
  const applied = new Set(done.rows.map((r) => r.name));
  return files.filter((f) => !applied.has(f));
}
