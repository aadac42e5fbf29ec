import { env, exports } from 'cloudflare:workers';
import type postgres from 'postgres';
import { expect } from 'vitest';
import { newId } from '../../src/ids.js';

// How the workerd tests reach the real Worker: every call is its own invocation of src/worker.ts's
// fetch handler (bindings → deps → app), as a request from outside would be.

export interface Reply {
  status: number;
  type: string | null;
  retryAfter: string | null;
  // biome-ignore lint/suspicious/noExplicitAny: bodies are inspected field by field
  body: any;
  text: string;
}

export async function call(
  method: string,
  path: string,
  opts: { key?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await exports.default.fetch(`https://haipai.test${path}`, {
    method,
    headers,
    body: opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, type: res.headers.get('content-type'), retryAfter: res.headers.get('retry-after'), body, text };
}

export async function newPlatform(name: string) {
  const res = await call('POST', '/v1/platforms', { key: env.OPERATOR_API_KEY, body: { name, feeBps: 250 } });
  expect(res.status, res.text).toBe(201);
  return { id: res.body.platform.id as string, key: res.body.apiKey.secret as string };
}

export async function newAccount(platformKey: string, displayName: string) {
  const res = await call('POST', '/v1/accounts', { key: platformKey, body: { kind: 'organization', displayName } });
  expect(res.status, res.text).toBe(201);
  return res.body.id as string;
}

/** Licence terms as the API stores them (defaults filled in): a transferable work that can be sold. */
const LICENCE = {
  commercialUse: 'personal',
  derivativesAllowed: false,
  attributionRequired: true,
  derivativeRoyaltyBps: 0,
  transferable: true,
  redistribution: false,
};

/**
 * A work at the end of its public notice, written straight into the database: the API cannot make
 * one quickly (NOTICE_PERIOD is 1h and workerd's clock cannot be moved). The cron trigger, or a
 * write that needs it registered (issuing an edition), registers it.
 */
export async function seedWorkWithClosedNotice(sql: postgres.Sql, platformId: string, holderId: string): Promise<string> {
  const id = newId('ast');
  await sql`
    insert into assets (id, platform_id, kind, title, category, rights_holder_id, claimed_created_on,
      originality_statement, licence, status, notice_ends_at, submitted_at, created_at, updated_at)
    values (${id}, ${platformId}, 'garment', 'Qipao 2026', 'digital_creative', ${holderId}, '2026-01-01',
      'Drawn by hand.', ${sql.json(LICENCE)}, 'public_notice', now() - interval '1 minute', now() - interval '4 days',
      now() - interval '4 days', now() - interval '4 days')`;
  // As the API requires: at least one creator, the shares summing to 10000 (royalties are split by them).
  await sql`
    insert into asset_creators (asset_id, account_id, role, share_bps, position)
    values (${id}, ${holderId}, 'designer', 10000, 0)`;
  return id;
}
