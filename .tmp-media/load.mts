import postgres from 'postgres';
import { migrate } from '/work/main/src/db/migrate.ts';
import { openPostgres } from '/work/main/src/db/postgres.ts';
const url = 'postgres://postgres@127.0.0.1:5432/test';
const schema = 'mexp';
const admin = postgres(url, { max: 1, onnotice: () => {} });
await admin.unsafe(`drop schema if exists ${schema} cascade; create schema ${schema}`);
const handle = await openPostgres({ url, schema, max: 4 });
await migrate(handle);
const sql = postgres(url, { max: 1, onnotice: () => {}, connection: { search_path: schema } });
await sql`insert into platforms (id, name, created_at) values ('plt_00000000000000000000000000', 'bench', now())`;
await sql`insert into accounts (id, platform_id, kind, display_name, created_at) values ('acc_00000000000000000000000000', 'plt_00000000000000000000000000', 'person', 'bench', now())`;
const t0 = Date.now();
for (let at = 0; at < 1_000_000; at += 200_000) {
  const to = at + 199_999;
  await sql`insert into uploads (id, account_id, platform_id, media_type, size, sha256, object_key, status, created_at, expires_at, completed_at)
    select 'upl_' || lpad(i::text, 26, '0'), 'acc_00000000000000000000000000', 'plt_00000000000000000000000000', 'image/png', 1, sha256(convert_to(i::text, 'UTF8')), 'bench/' || i, 'completed', now(), now(), now() from generate_series(${at}::int, ${to}::int) i`;
  await sql`insert into media_hashes (upload_id, algorithm, hash) select 'upl_' || lpad(i::text, 26, '0'), 'phash', ('x' || substr(md5(i::text), 1, 16))::bit(64)::bigint from generate_series(${at}::int, ${to}::int) i`;
}
await sql`vacuum analyze media_hashes`;
console.log('loaded', (Date.now() - t0) / 1000);
await sql.end(); await handle.close(); await admin.end();
