/**
 * A typed client for the Haipai API. The request and response types are generated from the API's
 * OpenAPI document (`schema.d.ts`, by openapi-typescript); calls go through openapi-fetch, so every
 * path, parameter and body is checked by the compiler. Three helpers cover what every platform
 * writes by hand otherwise: idempotency keys, problem errors, and walking cursor pages.
 *
 *   const haipai = createHaipaiClient({ baseUrl: 'http://127.0.0.1:8787', apiKey });
 *   const account = unwrap(await haipai.POST('/v1/accounts', { body: { kind: 'person', displayName: 'Lin Yue' } }));
 */
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type { components, paths } from './schema.js';
export type Schemas = components['schemas'];
/** The JSON body a route takes, e.g. `RequestBody<'/v1/assets', 'post'>`. */
export type RequestBody<P extends keyof paths, M extends 'post' | 'put' | 'patch'> = paths[P] extends {
  [m in M]: { requestBody?: { content: { 'application/json': infer B } } };
}
  ? B
  : never;
export type HaipaiClient = Client<paths>;

export interface HaipaiClientOptions {
  /** Where the API is, e.g. `http://127.0.0.1:8787` (no trailing `/v1`). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>`; omit it for the public board and log. */
  apiKey?: string;
  /**
   * How often to send a request again after 429 (rate limited) or 503 `transaction_conflict`, waiting
   * what the server's `Retry-After` says (1 s when it says nothing). Both mean nothing was written, so
   * a retry is safe; POSTs keep their `Idempotency-Key`. Default 5; 0 turns retrying off.
   */
  retries?: number;
  fetch?: (input: Request) => Promise<Response>;
}

export function createHaipaiClient(options: HaipaiClientOptions): HaipaiClient {
  return createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    headers: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
    fetch: retrying(options.fetch ?? ((input) => fetch(input)), options.retries ?? 5),
  });
}

const RETRY_STATUSES = new Set([429, 503]);

function retrying(send: (input: Request) => Promise<Response>, retries: number) {
  return async (request: Request): Promise<Response> => {
    for (let attempt = 0; ; attempt++) {
      const response = await send(attempt < retries ? request.clone() : request);
      if (attempt >= retries || !RETRY_STATUSES.has(response.status)) return response;
      const seconds = Number(response.headers.get('retry-after'));
      await response.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, (Number.isFinite(seconds) && seconds > 0 ? seconds : 1) * 1000));
    }
  };
}

/** Headers carrying a fresh `Idempotency-Key` (or the given one): a retry with the same key and body replays the first answer. */
export function idempotent(key: string = crypto.randomUUID()): { 'idempotency-key': string } {
  return { 'idempotency-key': key };
}

/** An RFC 9457 problem the API answered with: `code` is stable, `detail` is for people. */
export class ProblemError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  /** The whole problem, with its extension members (`rule`, `issues`, `pending`, `allowedAt` …). */
  readonly problem: Record<string, unknown>;

  constructor(status: number, problem: Record<string, unknown>, where: string) {
    const code = typeof problem.code === 'string' ? problem.code : `http_${status}`;
    const detail = typeof problem.detail === 'string' ? problem.detail : JSON.stringify(problem);
    super(`${where} → ${status} ${code}: ${detail}`);
    this.name = 'ProblemError';
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.problem = problem;
  }
}

/** The body of a successful call, or a `ProblemError` thrown for the problem the API answered with. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  const { response } = result;
  if (response.ok) return result.data as T;
  const problem =
    result.error && typeof result.error === 'object' ? (result.error as Record<string, unknown>) : { detail: result.error };
  throw new ProblemError(response.status, problem, `${new URL(response.url || 'http://unknown').pathname}`);
}

/** A page of a list: every list route answers `{data, nextCursor}`. */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/**
 * Every item of a list, page after page: `fetchPage(after)` fetches the page after the cursor
 * (undefined for the first page), e.g.
 * `items((after) => haipai.GET('/v1/board/trades', { params: { query: { after, limit: 100 } } }))`.
 */
export async function* items<T>(
  fetchPage: (after: string | undefined) => Promise<{ data?: Page<T>; error?: unknown; response: Response }>,
): AsyncGenerator<T> {
  let after: string | undefined;
  do {
    const page = unwrap(await fetchPage(after));
    yield* page.data;
    after = page.nextCursor ?? undefined;
  } while (after);
}
