import { openPostgres } from '/work/main/src/db/postgres.ts';
import { findSimilarHashes, scanSimilarHashes } from '/work/main/src/features/media/similarity.ts';
const handle = await openPostgres({ url: 'postgres://postgres@127.0.0.1:5432/test', schema: 'mexp', max: 2 });
function* rnd(seed: bigint) { let x = seed; for (;;) { x ^= x >> 12n; x ^= (x << 25n) & 0xffffffffffffffffn; x ^= x >> 27n; yield (x * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn; } }
const r = rnd(7n);
const qs = Array.from({ length: 100 }, () => r.next().value!);
const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
for (let k = 0; k < 2; k++) {
  const a: number[] = [], b: number[] = [];
  for (const hash of qs) {
    let t0 = performance.now(); await findSimilarHashes(handle.db, { hash, algorithm: 'phash', threshold: 10 }); a.push(performance.now() - t0);
    if (k) { t0 = performance.now(); await scanSimilarHashes(handle.db, { hash, algorithm: 'phash', threshold: 10 }); b.push(performance.now() - t0); }
  }
  console.log('index', med(a).toFixed(3), k ? `scan ${med(b).toFixed(2)} ratio ${(med(b) / med(a)).toFixed(1)}` : '');
}
await handle.close();
