import { startBenchServer } from './bench/bench-server.js';

const s = await startBenchServer({
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/haipai_perf_explain',
  OPERATOR_API_KEY: 'bench-operator-key-0123456789',
  BENCH_BARE_ROUTE: 'on',
});
const time = async (p: string) => {
  let body = '';
  const t0 = performance.now();
  for (let i = 0; i < 5; i++) {
    const r = await fetch(s.baseUrl + p);
    body = await r.text();
    if (r.status !== 200) console.log(r.status, body.slice(0, 300));
  }
  return ((performance.now() - t0) / 5).toFixed(1) + ' ms ' + p + ' ' + body.length;
};
for (const p of [
  '/v1/board/listings?limit=20',
  '/v1/board/listings?limit=20&kind=garment&sort=ending_soon',
  '/v1/board/listings?limit=20&kind=garment&currency=CNY&sort=price_asc',
  '/v1/board/trades?limit=20',
  '/v1/board/trades?limit=20&category=digital_creative',
  '/v1/board/stats',
  '/v1/_bench/bare?bytes=10000',
])
  console.log(await time(p));
const first = (await (await fetch(s.baseUrl + '/v1/board/listings?limit=20')).json()) as { nextCursor: string };
console.log(await time('/v1/board/listings?limit=20&after=' + first.nextCursor));
await s.stop();
