import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isTransactionConflict } from '../db/errors.js';

/**
 * The one error type (RFC 9457 problem details). `code` is stable and machine-readable;
 * `detail` is for humans; `extra` adds members such as the refusing `rule`.
 */
export class AppError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

export const notFound = (what: string, id?: string) =>
  new AppError(404, 'not_found', id ? `${what} ${id} does not exist or is not visible to this key` : `${what} not found`);
export const forbidden = (detail: string, code = 'forbidden') => new AppError(403, code, detail);
export const conflict = (code: string, detail: string, extra?: Record<string, unknown>) => new AppError(409, code, detail, extra);
export const unprocessable = (code: string, detail: string, extra?: Record<string, unknown>) =>
  new AppError(422, code, detail, extra);
export const badRequest = (code: string, detail: string, extra?: Record<string, unknown>) =>
  new AppError(400, code, detail, extra);

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problemResponse(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  detail: string,
  extra: Record<string, unknown> = {},
): Response {
  // Standard members last, so an extension member can never shadow them.
  const body = {
    ...extra,
    type: `https://haipai.dev/problems/${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    code,
    detail,
    requestId: c.get('requestId') as string | undefined,
  };
  return c.body(JSON.stringify(body), status, { 'content-type': 'application/problem+json' });
}

/** The single onError: AppError as is, framework errors mapped to codes, anything else a bare 500. */
export function renderError(err: Error, c: Context): Response {
  if (err instanceof AppError) return problemResponse(c, err.status, err.code, err.message, err.extra);
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    if (status === 400 && /json/i.test(err.message)) {
      return problemResponse(c, 400, 'malformed_json', 'The request body is not valid JSON.');
    }
    if (status === 413) return problemResponse(c, 413, 'body_too_large', err.message || 'Request body too large.');
    return problemResponse(c, status, `http_${status}`, err.message || TITLES[status] || 'Error');
  }
  if (isTransactionConflict(err)) {
    // Rare (lock order is fixed where it matters) but possible under load; a 503 tells clients and
    // Stripe to retry, and an Idempotency-Key makes the retry safe (5xx answers are not stored).
    c.get('deps')?.log.info('transaction conflict', { requestId: c.get('requestId'), error: err.message });
    c.header('retry-after', '1');
    return problemResponse(
      c,
      503,
      'transaction_conflict',
      'Another request changed the same data at the same moment, so nothing was written; retry this request.',
    );
  }
  c.get('deps')?.log.error('unhandled error', { requestId: c.get('requestId'), error: err.message, stack: err.stack });
  return problemResponse(c, 500, 'internal_error', 'Something went wrong on our side; the request id identifies it in our logs.');
}
