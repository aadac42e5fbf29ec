import postgres from 'postgres';
import { bandsOf, valuesWithin } from '/work/main/src/features/media/similarity.ts';
const sql = postgres('postgres://postgres@127.0.0.1:5432/test', { max: 1, onnotice: () => {}, connection: { search_path: 'mexp' }, prepare: false });
function* rnd(seed: bigint) { let x = seed; for (;;) { x ^= x >> 12n; x ^= (x << 25n) & 0xffffffffffffffffn; x ^= x >> 27n; yield (x * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn; } }
const r = rnd(99n);
const base = Array.from({ length: 100 }, () => r.next().value!);
const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
const p99 = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length * 0.99)]!;
async function run(name: string, build: (q: bigint) => string) {
  const times: number[] = [];
  for (const q of base) { const text = build(q); const t0 = performance.now(); await sql.unsafe(text); times.push(performance.now() - t0); }
  console.log(name, med(times).toFixed(3), p99(times).toFixed(3));
}
const neu = (radii: number[]) => (q: bigint) => { const p = bandsOf(q).map((b, i) => `{${valuesWithin(b, radii[i]!).join(',')}}`); const t = BigInt.asIntN(64, q);
  return `with near as (select distinct hash from (${[0,1,2,3].map(i => `select hash from media_hashes where algorithm = 'phash' and b${i} = any('${p[i]}'::int[]) and bit_count((hash # ${t}::bigint)::bit(64)) <= 10`).join(' union all ')}) x)
  select m.upload_id, bit_count((near.hash # ${t}::bigint)::bit(64)) d from near cross join lateral (select upload_id from media_hashes h where h.algorithm = 'phash' and h.b0 = ((near.hash >> 48) & 65535)::int and h.hash = near.hash) m order by d, m.upload_id limit 1000`; };
const scan = (q: bigint) => `select upload_id from media_hashes where algorithm='phash' and bit_count((hash # ${BigInt.asIntN(64, q)}::bigint)::bit(64)) <= 10`;
for (let k = 0; k < 3; k++) { await run('hash include 2221', neu([2,2,2,1])); await run('scan', scan); }
// with a match: use an existing hash
const ex = await sql`select hash from media_hashes limit 5`;
const t0 = performance.now(); const res = await sql.unsafe(neu([2,2,2,1])(BigInt.asUintN(64, BigInt(ex[0]!.hash)))); console.log('match', res.length, (performance.now()-t0).toFixed(2));
await sql.end();
