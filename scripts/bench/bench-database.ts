import postgres from 'postgres';
import { migrate } from '../../src/db/migrate.js';
import { openPostgres } from '../../src/db/postgres.js';

/**
 * A PostgreSQL database of the benchmark's own (created afresh, dropped afterwards), migrated.
 * DATABASE_URL names the server (and the database to connect to for CREATE DATABASE; default
 * postgres://postgres@127.0.0.1:5432/postgres).
 */
export async function createBenchDatabase(prefix: string) {
  const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `${prefix}_${process.pid}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name}`);
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = await openPostgres({ url: url.toString(), max: 4 });
  await migrate(handle);
  await handle.close();
  return {
    name,
    url: url.toString(),
    drop: async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
