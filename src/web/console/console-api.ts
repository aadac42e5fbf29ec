import type { ConsoleSession } from './console-session.js';

/** The app's own fetch, in process: the console's calls take the same routes, auth and middleware as a platform's. */
export type InProcessApi = (request: Request) => Promise<Response>;

export interface ApiResult {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: API bodies are read field by field by the pages
  body: any;
}

/**
 * Calls the API as the signed-in official (Bearer key from the session). Never over the network:
 * the request goes straight into the app's fetch handler, so reads land in the officials' access
 * log and writes in the event log exactly as they would from any other client.
 */
export function consoleApi(api: InProcessApi, origin: string, session: Pick<ConsoleSession, 'key'>) {
  const raw = (method: string, path: string, opts: { body?: unknown; idempotencyKey?: string } = {}) => {
    const headers: Record<string, string> = { authorization: `Bearer ${session.key}` };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    return api(new Request(new URL(path, origin), { method, headers, body }));
  };
  const call = async (
    method: string,
    path: string,
    opts: { body?: unknown; idempotencyKey?: string } = {},
  ): Promise<ApiResult> => {
    const res = await raw(method, path, opts);
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {}
    return { status: res.status, body };
  };
  return { call, raw };
}

export type ConsoleApi = ReturnType<typeof consoleApi>;

/** Same-origin preview URLs of the API, rewritten to the console's proxy (which adds the official's key). */
export function consolePreview(url: string | null | undefined): string | null {
  const match = url ? /^\/v1\/uploads\/(upl_[0-9A-Z]+)\/preview\/(small|large)$/.exec(url) : null;
  return match ? `/console/previews/${match[1]}/${match[2]}` : null;
}
