import postgres from 'postgres';
import { bandsOf, valuesWithin } from '/work/main/src/features/media/similarity.ts';
const sql = postgres('postgres://postgres@127.0.0.1:5432/test', { max: 1, onnotice: () => {}, connection: { search_path: 'mexp' } });
function* rnd(seed: bigint) { let x = seed; for (;;) { x ^= x >> 12n; x ^= (x << 25n) & 0xffffffffffffffffn; x ^= x >> 27n; yield (x * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn; } }
const r = rnd(5n);
for (let k = 0; k < 8; k++) {
const q = r.next().value!; const radii = [2,2,2,1];
const p = bandsOf(q).map((b, i) => `{${valuesWithin(b, radii[i]!).join(',')}}`); const t = BigInt.asIntN(64, q);
const text = `explain (analyze, summary) select upload_id, bit_count((hash # ${t}::bigint)::bit(64)) d from (${[0,1,2,3].map(i => `select upload_id, hash from media_hashes where algorithm = 'phash' and b${i} = any('${p[i]}'::int[]) and bit_count((hash # ${t}::bigint)::bit(64)) <= 10`).join(' union ')}) c order by d, upload_id`;
const res = await sql.unsafe(text); const lines = res.map((x: any) => x['QUERY PLAN']); console.log(lines.slice(-2).join(' | '));
}
await sql.end();
