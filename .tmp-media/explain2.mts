import postgres from 'postgres';
import { bandsOf, valuesWithin } from '/work/main/src/features/media/similarity.ts';
const sql = postgres('postgres://postgres@127.0.0.1:5432/test', { max: 1, onnotice: () => {}, connection: { search_path: 'mexp' } });
const q = 0x9234567890abcdefn; const radii = [2,2,2,1];
const p = bandsOf(q).map((b, i) => `{${valuesWithin(b, radii[i]!).join(',')}}`); const t = BigInt.asIntN(64, q);
const text = `explain (analyze, buffers) select h.upload_id from media_hashes h where h.id in (${[0,1,2,3].map(i => `select id from media_hashes where algorithm = 'phash' and b${i} = any('${p[i]}'::int[]) and bit_count((hash # ${t}::bigint)::bit(64)) <= 10`).join(' union ')})`;
for (let i = 0; i < 3; i++) { const r = await sql.unsafe(text); if (i==2) console.log(r.map((x: any) => x['QUERY PLAN']).join('\n').replace(/\{[0-9,]+\}/g, '{…}')); }
await sql.end();
