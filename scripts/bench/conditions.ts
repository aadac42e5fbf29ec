import { cpus, loadavg } from 'node:os';
import type postgres from 'postgres';

/**
 * The conditions a benchmark ran under, for its last JSON line: timings on a shared machine mean
 * little without them. `before` is taken before the setup, `after` when the measurements end;
 * each load average is the 1-, 5- and 15-minute figure of the whole machine (os.loadavg).
 */
export async function benchConditions(sql: postgres.Sql, sizes: Record<string, number>) {
  const [row] = await sql<{ version: string; shared_buffers: string; max_connections: string }[]>`
    select current_setting('server_version') as version, current_setting('shared_buffers') as shared_buffers,
           current_setting('max_connections') as max_connections`;
  return {
    database: `PostgreSQL ${row!.version}`,
    sharedBuffers: row!.shared_buffers,
    cpus: cpus().length,
    ...sizes,
  };
}

export const loadAverage = () => loadavg().map((n) => Math.round(n * 100) / 100);
