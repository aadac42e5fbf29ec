import postgres from 'postgres';
import { bandsOf, valuesWithin } from '/work/main/src/features/media/similarity.ts';
const sql = postgres('postgres://postgres@127.0.0.1:5432/test', { max: 1, onnotice: () => {}, connection: { search_path: 'mexp' } });
const q = 0x1234567890abcdefn;
const probes = bandsOf(q).map((b) => `{${valuesWithin(b, 2).join(',')}}`);
const target = BigInt.asIntN(64, q).toString();
const text = `explain (analyze, buffers) select c.upload_id, bit_count((c.hash # ${target}::bigint)::bit(64))::int as distance from (
 select upload_id, hash from media_hashes where algorithm = 'phash' and b0 = any('${probes[0]}'::int[])
 union select upload_id, hash from media_hashes where algorithm = 'phash' and b1 = any('${probes[1]}'::int[])
 union select upload_id, hash from media_hashes where algorithm = 'phash' and b2 = any('${probes[2]}'::int[])
 union select upload_id, hash from media_hashes where algorithm = 'phash' and b3 = any('${probes[3]}'::int[])
) c where bit_count((c.hash # ${target}::bigint)::bit(64)) <= 10 order by distance, c.upload_id limit 1000`;
for (let i = 0; i < 2; i++) { const r = await sql.unsafe(text); if (i) console.log(r.map((x: any) => x['QUERY PLAN']).join('\n')); }
const scan = `explain (analyze, buffers) select upload_id from media_hashes where algorithm='phash' and bit_count((hash # ${target}::bigint)::bit(64)) <= 10`;
const r2 = await sql.unsafe(scan); console.log(r2.map((x: any) => x['QUERY PLAN']).join('\n'));
await sql.end();
