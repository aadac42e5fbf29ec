import { z } from '@hono/zod-openapi';
import { sql } from 'kysely';
import { fromBase64Url, toBase64Url } from '../crypto/bytes.js';
import { badRequest } from './problem.js';
import { text } from './text.js';

export const MAX_PAGE_SIZE = 100;

/** Query parameters of every list: an opaque cursor and a page size (1–100, default 20). */
export const pageQuerySchema = z.object({
  after: text({ max: 500 }).optional().openapi({ description: "Opaque cursor from a previous page's `nextCursor`." }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE)
    .default(20)
    .openapi({ description: `Page size, at most ${MAX_PAGE_SIZE}.` }),
});

export const pageSchema = <T extends z.ZodTypeAny>(item: T) =>
  z.object({ data: z.array(item), nextCursor: z.string().nullable() });

/** Cursors wrap the sort key of the last row; clients must treat them as opaque. */
export function encodeCursor(key: string): string {
  return toBase64Url(new TextEncoder().encode(JSON.stringify({ k: key })));
}

/** The sort key inside a cursor; `shape` rejects keys this list could not have issued. */
export function decodeCursor(cursor: string | undefined, shape = /^[A-Za-z0-9_]{1,64}$/): string | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = JSON.parse(new TextDecoder().decode(fromBase64Url(cursor)));
    if (typeof parsed?.k === 'string' && shape.test(parsed.k)) return parsed.k;
  } catch {}
  throw badRequest('invalid_cursor', 'The cursor is not one this API issued.');
}

/** Rows were fetched with limit + 1: trim and derive the next cursor from the last row kept. */
export function toPage<T, U>(rows: T[], limit: number, keyOf: (row: T) => string, present: (row: T) => U) {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept.at(-1);
  return { data: kept.map(present), nextCursor: more && last ? encodeCursor(keyOf(last)) : null };
}

/**
 * A page's row count (limit + 1, for `toPage`) as an SQL literal rather than a parameter. The Node
 * server prepares its statements, and PostgreSQL keeps a prepared statement's generic plan only
 * when it looks no costlier than one made for the run's values; with the limit a parameter, the
 * generic plan assumes a tenth of the table, so a page that reads 21 rows was planned afresh on
 * every request. Literal limits make at most MAX_PAGE_SIZE statement texts per query shape.
 */
export function pageLimitLiteral(limit: number) {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) throw new Error(`not a page size: ${limit}`);
  return sql.lit(limit + 1);
}
