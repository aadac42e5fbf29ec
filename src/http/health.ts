import { sql } from 'kysely';
import type { Deps } from '../deps.js';
import type { createRouter } from './router.js';

type Check = 'ok' | 'failing' | 'not_checked';

/** How long /readyz waits for the database before calling it unreachable. */
const DATABASE_CHECK_MS = 2000;

/**
 * `GET /healthz`: the process answers (liveness; touches nothing). `GET /readyz`: it should get
 * traffic — the database answers, every migration this code ships is applied, and the log signer
 * is loaded; otherwise 503 problem `not_ready` naming the failing checks. While the Node server
 * drains after a stop signal, both answer 503 before reaching the app (node-server.ts).
 */
export function mountHealthRoutes(app: ReturnType<typeof createRouter>, deps: Deps) {
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/readyz', async (c) => {
    const checks = await readinessChecks(deps);
    const failing = Object.entries(checks).filter(([, v]) => v === 'failing');
    if (!failing.length) return c.json({ ready: true, checks });
    const body = {
      type: 'https://haipai.dev/problems/not_ready',
      title: 'Service Unavailable',
      status: 503,
      code: 'not_ready',
      detail: `Not ready: ${failing.map(([k]) => k).join(', ')}.`,
      checks,
    };
    return c.body(JSON.stringify(body), 503, { 'content-type': 'application/problem+json', 'retry-after': '5' });
  });
}

async function readinessChecks(deps: Deps): Promise<Record<'database' | 'migrations' | 'logSigner', Check>> {
  let applied: Set<string> | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const query = sql<{ name: string }>`select name from schema_migrations`.execute(deps.db);
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('database check timed out')), DATABASE_CHECK_MS);
    });
    applied = new Set((await Promise.race([query, timeout])).rows.map((r) => r.name));
  } catch {
    applied = null;
  } finally {
    clearTimeout(timer);
  }
  const expected = deps.schemaMigrations;
  return {
    database: applied ? 'ok' : 'failing',
    migrations: !applied ? 'failing' : !expected ? 'not_checked' : expected.every((m) => applied.has(m)) ? 'ok' : 'failing',
    logSigner: deps.tlogSigner ? 'ok' : 'failing',
  };
}
