import { mkdtemp, rm } from 'node:fs/promises';
import { type Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';

/**
 * Environments for the real Node entry, one instance each: its own DATA_DIR, any free port, and —
 * when the suite runs on PostgreSQL (DATABASE_URL) — a fresh empty schema that the server
 * migrates itself (MIGRATE=1). `cleanup()` removes every directory and schema made.
 * These servers connect as DATABASE_URL's user, the owner, on purpose: what they test is the start
 * with MIGRATE=1, and migrating takes the owner (the application role may create nothing).
 */
export function nodeInstances() {
  const url = process.env.DATABASE_URL;
  const dirs: string[] = [];
  const schemas: string[] = [];
  return {
    onPostgres: Boolean(url),
    /** A new empty schema on the suite's PostgreSQL, and the DATABASE_URL that points at it. */
    async freshSchemaUrl(): Promise<string> {
      const schema = `t_node_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
      const admin = postgres(url!, { max: 1, onnotice: () => {} });
      await admin.unsafe(`create schema ${schema}`);
      await admin.end();
      schemas.push(schema);
      return `${url}${url!.includes('?') ? '&' : '?'}search_path=${schema}`;
    },
    async env(extra: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
      const dir = await mkdtemp(join(tmpdir(), 'haipai-node-'));
      dirs.push(dir);
      const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dir, PORT: '0', NOTICE_PERIOD: '0' };
      delete env.OPERATOR_API_KEY;
      delete env.TLOG_SIGNING_KEY;
      if (url) Object.assign(env, { DATABASE_URL: await this.freshSchemaUrl(), MIGRATE: '1' });
      else delete env.DATABASE_URL;
      return { ...env, ...extra };
    },
    async cleanup() {
      for (const dir of dirs) await rm(dir, { recursive: true, force: true });
      if (schemas.length) {
        const admin = postgres(url!, { max: 1, onnotice: () => {} });
        for (const schema of schemas) await admin.unsafe(`drop schema if exists ${schema} cascade`);
        await admin.end();
      }
    },
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request over `agent` (so the test chooses the connection), body sent at once. */
export function rawRequest(
  agent: Agent,
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A request whose body the test sends later (see heldRequest). */
export interface HeldRequest {
  /** Resolves once the server has read the headers: its `100 Continue` proves the request is in flight there. */
  started: Promise<void>;
  /** Sends the body. */
  finish(): void;
  /** The answer, or the connection error if there is none. */
  response: Promise<RawResponse>;
}

export function heldRequest(
  agent: Agent,
  url: string,
  opts: { method: string; headers: Record<string, string>; body: string | Uint8Array },
): HeldRequest {
  let started!: () => void;
  const startedP = new Promise<void>((resolve) => {
    started = resolve;
  });
  const req = request(url, {
    agent,
    method: opts.method,
    headers: { ...opts.headers, 'content-length': String(opts.body.length), expect: '100-continue' },
  });
  const response = new Promise<RawResponse>((resolve, reject) => {
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  req.on('continue', () => started());
  req.flushHeaders();
  return {
    started: Promise.race([startedP, response.then(() => {})]),
    finish: () => req.end(opts.body),
    response,
  };
}
