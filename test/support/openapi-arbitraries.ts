/**
 * fast-check arbitraries from the app's own OpenAPI schemas: values a well-behaved client would
 * send, and the bad ones an attacker or a broken client sends instead.
 */
import fc from 'fast-check';
import { type Json, resolver } from './openapi-walk.js';

/** A value the schema accepts, more or less (patterns, enums, bounds and required members kept). */
export function validArbitrary(doc: Json, schema: Json, ids: string[] = [], depth = 0): fc.Arbitrary<unknown> {
  const s = resolver(doc)(schema);
  if (!s || typeof s !== 'object' || depth > 6) return fc.constant(null);
  if (s.const !== undefined) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...s.enum);
  for (const key of ['anyOf', 'oneOf']) {
    if (Array.isArray(s[key])) return fc.oneof(...s[key].map((x: Json) => validArbitrary(doc, x, ids, depth + 1)));
  }
  if (Array.isArray(s.allOf)) return validArbitrary(doc, Object.assign({}, ...s.allOf.map(resolver(doc))), ids, depth + 1);
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type;
  switch (type) {
    case 'object': {
      const props: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of Object.entries<Json>(s.properties ?? {})) props[k] = validArbitrary(doc, v, ids, depth + 1);
      return fc.record(props, { requiredKeys: (s.required ?? []).filter((k: string) => k in props) });
    }
    case 'array':
      return fc.array(validArbitrary(doc, s.items ?? {}, ids, depth + 1), {
        minLength: s.minItems ?? 0,
        maxLength: Math.min(s.maxItems ?? 3, 3),
      });
    case 'integer':
    case 'number': {
      const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 0);
      const max = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : 10_000);
      return fc.integer({ min: Math.max(min, -1e9), max: Math.min(max, Math.max(min, -1e9) + 1e6) });
    }
    case 'boolean':
      return fc.boolean();
    case 'string':
      return stringArbitrary(s, ids);
    default:
      return fc.constant(null);
  }
}

/** `ids`: real identifiers, used where a pattern fits one, so that requests reach the services. */
function stringArbitrary(s: Json, ids: string[]): fc.Arbitrary<string> {
  if (s.pattern === '^[A-Z]{3}$') return fc.constantFrom('CNY', 'USD', 'EUR');
  if (s.format === 'date-time') {
    return fc.date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
  }
  if (s.format === 'date') {
    return fc
      .date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
  }
  if (s.format === 'uri' || s.format === 'url') return fc.constant('https://example.com/return');
  const fitting = typeof s.pattern === 'string' ? ids.filter((id) => new RegExp(s.pattern).test(id)) : [];
  if (fitting.length) return fc.constantFrom(...fitting);
  if (typeof s.pattern === 'string')
    return fc.stringMatching(new RegExp(s.pattern)).filter((v) => v.length <= (s.maxLength ?? 1e9));
  return fc
    .string({ minLength: s.minLength ?? 1, maxLength: Math.min(s.maxLength ?? 20, 20) })
    .filter((v) => v.trim().length > 0);
}

/** Values of every wrong kind, including what PostgreSQL and JavaScript numbers cannot hold. */
export const badValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    0,
    -1,
    1.5,
    2 ** 31,
    2 ** 53 + 2,
    -(2 ** 63),
    9.99e307,
    '',
    ' ',
    'not-an-enum-value',
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udfffy',
    'acc_00000000000000000000000000',
    'x'.repeat(10_000),
    '9'.repeat(400),
    '2026-02-30T25:61:00Z',
    '-271821-04-19T00:00:00Z',
    '+275760-09-13T00:00:01Z',
    [],
    {},
    [null],
    { nested: '\u0000' },
  ),
  fc.string({ maxLength: 30, unit: 'binary' }),
  fc.integer(),
  fc.double(),
);

/** Paths to every member of a JSON value (['creators', 0, 'role'] …), the root included as []. */
export function memberPaths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  const out = [at];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...memberPaths(v, [...at, i])));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) out.push(...memberPaths(v, [...at, k]));
  }
  return out;
}

/** `value` with the member at `path` replaced by `replacement` (or removed when it is undefined). */
export function withMember(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy: Json = Array.isArray(value) ? [...value] : { ...(value as object) };
  const [head, ...rest] = path;
  if (rest.length === 0 && replacement === undefined) {
    if (Array.isArray(copy)) copy.splice(head as number, 1);
    else delete copy[head!];
  } else copy[head!] = withMember(copy[head!], rest, replacement);
  return copy;
}

/** `value` with `suffix` appended to the string at `path` (NUL or a lone surrogate into one field). */
export function taintString(value: unknown, path: (string | number)[], suffix: string): unknown {
  // biome-ignore lint/suspicious/noExplicitAny: walking a JSON value
  const old = path.reduce<any>((v, k) => v?.[k], value);
  return typeof old === 'string' ? withMember(value, path, `${old}${suffix}`) : value;
}

/** Paths to the strings inside a JSON value. */
export function stringPaths(value: unknown): (string | number)[][] {
  // biome-ignore lint/suspicious/noExplicitAny: walking a JSON value
  return memberPaths(value).filter((p) => typeof p.reduce<any>((v, k) => v?.[k], value) === 'string');
}
