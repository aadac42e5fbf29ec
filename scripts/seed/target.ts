import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Which instance the seed fills, and the operator key it uses there. */
export interface SeedTarget {
  baseUrl: string;
  operatorKey: string;
  /** Where the key came from, for the summary line. */
  keySource: string;
}

/**
 * The same variables as the README's walkthrough: `HAIPAI` (or `BASE_URL`) names the instance,
 * `OPERATOR_API_KEY` the operator key, else the key the embedded default generated into
 * `DATA_DIR/operator-api-key` (DATA_DIR defaults to `./data`, as for `npm start`).
 */
export async function seedTarget(env: NodeJS.ProcessEnv = process.env): Promise<SeedTarget> {
  const baseUrl = (env.HAIPAI || env.BASE_URL || 'http://127.0.0.1:8787').replace(/\/+$/, '');
  if (env.OPERATOR_API_KEY) return { baseUrl, operatorKey: env.OPERATOR_API_KEY, keySource: 'OPERATOR_API_KEY' };
  const file = join(env.DATA_DIR || 'data', 'operator-api-key');
  const key = await readFile(file, 'utf8').then(
    (text) => text.trim(),
    () => '',
  );
  if (!key) {
    throw new SeedError(
      `No operator key: ${file} does not exist. Set OPERATOR_API_KEY to the key the server was started with, ` +
        'or DATA_DIR to the directory the server keeps its data in.',
    );
  }
  return { baseUrl, operatorKey: key, keySource: file };
}

/** A reason to stop the seed, shown as one line without a stack trace. */
export class SeedError extends Error {}

/** Fails early, with the fix, when nothing answers at `baseUrl`. */
export async function checkReachable(baseUrl: string): Promise<void> {
  try {
    const res = await fetch(`${baseUrl}/healthz`);
    if (!res.ok) throw new SeedError(`${baseUrl}/healthz answered ${res.status}; is this a Haipai server?`);
  } catch (err) {
    if (err instanceof SeedError) throw err;
    throw new SeedError(
      `Nothing answers at ${baseUrl} (${(err as Error).message}). Start the server (NOTICE_PERIOD=0 npm start) or set HAIPAI.`,
    );
  }
}
