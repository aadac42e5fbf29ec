import type { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';

export interface LoadResult {
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
}

type Options = autocannon.Options;

/** One autocannon run; resolves with its counts and latencies (ms). `stop` ends a run early. */
export function runLoad(opts: Options): { done: Promise<LoadResult>; stop: () => void } {
  const started = performance.now();
  // Without a callback autocannon returns its instance (an EventEmitter); the typings say a Promise.
  const instance = autocannon({ ...opts }) as unknown as EventEmitter & { stop: () => void };
  const done = new Promise<LoadResult>((resolve, reject) => {
    instance.on('done', (r: autocannon.Result) => {
      // autocannon's own duration is whole seconds; a run of a fixed amount needs better.
      const seconds = (performance.now() - started) / 1000;
      const ok = r['2xx'];
      resolve({
        requests: r.requests.total,
        ok,
        non2xx: r.non2xx,
        errors: r.errors + r.timeouts,
        seconds,
        rps: ok / seconds,
        p50: r.latency.p50,
        p99: r.latency.p99,
      });
    });
    instance.on('error', reject);
  });
  return { done, stop: () => instance.stop() };
}
