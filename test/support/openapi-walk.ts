/**
 * A small reader of the app's own /openapi.json for tests that go over every operation: each
 * operation's parameters and JSON body, with `$ref`s resolved.
 */
// biome-ignore lint/suspicious/noExplicitAny: OpenAPI documents are walked structurally
export type Json = any;

export interface Operation {
  method: string;
  path: string;
  security: boolean;
  parameters: { name: string; in: 'path' | 'query' | 'header' | 'cookie'; required: boolean; schema: Json }[];
  body: Json | undefined;
}

export function resolver(doc: Json) {
  return function resolve(schema: Json): Json {
    if (schema && typeof schema === 'object' && typeof schema.$ref === 'string') {
      const name = schema.$ref.replace('#/components/schemas/', '');
      return resolve(doc.components.schemas[name]);
    }
    return schema;
  };
}

export function operations(doc: Json): Operation[] {
  const resolve = resolver(doc);
  const out: Operation[] = [];
  for (const [path, item] of Object.entries<Json>(doc.paths)) {
    for (const [method, op] of Object.entries<Json>(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const security = op.security ?? doc.security ?? [];
      out.push({
        method: method.toUpperCase(),
        path,
        security: security.length > 0 && Object.keys(security[0] ?? {}).length > 0,
        parameters: (op.parameters ?? []).map((p: Json) => ({ ...p, schema: resolve(p.schema) })),
        body: resolve(op.requestBody?.content?.['application/json']?.schema),
      });
    }
  }
  return out;
}

/** Every schema node under `schema` with its place (`body.creators[].role`). */
export function* schemaNodes(doc: Json, schema: Json, at: string): Generator<{ at: string; node: Json }> {
  const resolve = resolver(doc);
  const node = resolve(schema);
  if (!node || typeof node !== 'object') return;
  yield { at, node };
  for (const [k, v] of Object.entries<Json>(node.properties ?? {})) yield* schemaNodes(doc, v, `${at}.${k}`);
  if (node.items) yield* schemaNodes(doc, node.items, `${at}[]`);
  if (node.additionalProperties && typeof node.additionalProperties === 'object') {
    yield* schemaNodes(doc, node.additionalProperties, `${at}{}`);
  }
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    for (const [i, v] of (node[key] ?? []).entries()) yield* schemaNodes(doc, v, `${at}<${i}>`);
  }
}

export const isStringNode = (n: Json) => n.type === 'string' || (Array.isArray(n.type) && n.type.includes('string'));
