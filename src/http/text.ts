import { z } from '@hono/zod-openapi';

/**
 * Text the database can store, for every string a request carries (body, query, path, headers).
 *
 * PostgreSQL's `text` cannot hold NUL (`invalid byte sequence for encoding "UTF8": 0x00`) and
 * UTF-8 cannot encode a lone UTF-16 surrogate; other C0/C1 control characters are refused because
 * no name, title or memo needs them and they hide text in logs and pages. Multi-line fields allow
 * `\n` and `\t`; every other string allows neither. Each string has a maximum length in UTF-16
 * code units (TEXT_MAX by default), and is refused with a 400 `validation_failed` naming the field
 * when it is longer — never cut.
 *
 * The OpenAPI schema of each such string carries `x-haipai-text: "line" | "multiline"` (and its
 * `maxLength`): test/request-text.test.ts walks /openapi.json and fails for any request string
 * without it, so a new route cannot skip this schema.
 */
export const TEXT_EXTENSION = 'x-haipai-text';

/** Default maximum length of a one-line string: names, labels, ids, codes. */
export const TEXT_MAX = 200;
/** Default maximum length of multi-line text: descriptions, statements, reasons. */
export const MULTILINE_TEXT_MAX = 5000;

// Built from code points so that this file itself holds no control characters.
const range = (from: number, to: number) => `\\u${from.toString(16).padStart(4, '0')}-\\u${to.toString(16).padStart(4, '0')}`;
const LINE_CONTROL = new RegExp(`[${range(0x00, 0x1f)}${range(0x7f, 0x9f)}]`);
const MULTILINE_CONTROL = new RegExp(`[${range(0x00, 0x08)}${range(0x0b, 0x1f)}${range(0x7f, 0x9f)}]`);
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export interface TextOptions {
  /** Maximum length (default TEXT_MAX, or MULTILINE_TEXT_MAX for multi-line text). */
  max?: number;
  /** Allows `\n` and `\t`. */
  multiline?: boolean;
}

/** The checks and the OpenAPI mark on any string schema (z.string(), z.iso.date(), ….regex()). */
export function guardText<T extends z.ZodString | z.ZodStringFormat>(schema: T, opts: TextOptions = {}): T {
  const multiline = opts.multiline ?? false;
  const max = opts.max ?? (multiline ? MULTILINE_TEXT_MAX : TEXT_MAX);
  const control = multiline ? MULTILINE_CONTROL : LINE_CONTROL;
  return schema
    .max(max, `must be at most ${max} characters`)
    .refine((v) => !control.test(v), {
      message: multiline
        ? 'must not contain control characters other than newline and tab'
        : 'must not contain control characters (such as NUL, tab or newline)',
      abort: true,
    })
    .refine((v) => !LONE_SURROGATE.test(v), { message: 'must be valid Unicode (no unpaired surrogate)' })
    .openapi({ [TEXT_EXTENSION]: multiline ? 'multiline' : 'line', maxLength: max }) as T;
}

/** A one-line string (or, with `multiline`, multi-line text) the database can store. */
export const text = (opts: TextOptions = {}) => guardText(z.string(), opts);
