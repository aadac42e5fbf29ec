import postgres from 'postgres';
import { bandsOf, valuesWithin } from '/work/main/src/features/media/similarity.ts';
const sql = postgres('postgres://postgres@127.0.0.1:5432/test', { max: 1, onnotice: () => {}, connection: { search_path: 'mexp' }, prepare: false });
function* rnd(seed: bigint) { let x = seed; for (;;) { x ^= x >> 12n; x ^= (x << 25n) & 0xffffffffffffffffn; x ^= x >> 27n; yield (x * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn; } }
const r = rnd(99n);
const qs = Array.from({ length: 60 }, () => r.next().value!);
const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
async function run(name: string, build: (q: bigint) => string) {
  const times: number[] = [];
  for (const q of qs) { const text = build(q); const t0 = performance.now(); await sql.unsafe(text); times.push(performance.now() - t0); }
  console.log(name, med(times.slice(10)).toFixed(3));
}
const old = (q: bigint) => { const p = bandsOf(q).map((b) => `{${valuesWithin(b, 2).join(',')}}`); const t = BigInt.asIntN(64, q);
  return `select c.upload_id from (${[0,1,2,3].map(i => `select upload_id, hash from media_hashes where algorithm = 'phash' and b${i} = any('${p[i]}'::int[])`).join(' union ')}) c where bit_count((c.hash # ${t}::bigint)::bit(64)) <= 10`; };
const neu = (radii: number[]) => (q: bigint) => { const p = bandsOf(q).map((b, i) => `{${valuesWithin(b, radii[i]!).join(',')}}`); const t = BigInt.asIntN(64, q);
  return `select h.upload_id from media_hashes h where h.id in (${[0,1,2,3].map(i => `select id from media_hashes where algorithm = 'phash' and b${i} = any('${p[i]}'::int[]) and bit_count((hash # ${t}::bigint)::bit(64)) <= 10`).join(' union ')})`; };
const neuAll = (radii: number[]) => (q: bigint) => { const p = bandsOf(q).map((b, i) => `{${valuesWithin(b, radii[i]!).join(',')}}`); const t = BigInt.asIntN(64, q);
  return `select count(*) from (${[0,1,2,3].map(i => `select id from media_hashes where algorithm = 'phash' and b${i} = any('${p[i]}'::int[])`).join(' union all ')}) x`; };
const scan = (q: bigint) => `select upload_id from media_hashes where algorithm='phash' and bit_count((hash # ${BigInt.asIntN(64, q)}::bigint)::bit(64)) <= 10`;
for (let k = 0; k < 2; k++) {
await run('old', old);
await run('new 2222', neu([2,2,2,2]));
await run('new 2221', neu([2,2,2,1]));
await run('cand only 2221', neuAll([2,2,2,1]));
await run('scan', scan);
}
await sql.end();
