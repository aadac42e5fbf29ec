/**
 * RFC 8785 JSON Canonicalization Scheme for the values events carry: objects with keys sorted by
 * UTF-16 code units, no whitespace, strings and numbers serialised as ECMAScript does (§3.2.2).
 * Non-finite numbers, bigint, undefined members inside arrays and other types are refused
 * rather than guessed at: an entry must mean exactly one thing.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonical JSON cannot hold NaN or Infinity');
      return JSON.stringify(value); // ES Number::toString, as §3.2.2.3 requires; -0 becomes 0
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
      if (value instanceof Date) return JSON.stringify(value.toISOString());
      const keys = Object.keys(value)
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .sort(compareUtf16);
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
  }
}

/** Plain `<` on JS strings compares UTF-16 code units, which is what RFC 8785 §3.2.3 asks for. */
function compareUtf16(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
