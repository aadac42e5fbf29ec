import { type OpenAPIHono, z } from '@hono/zod-openapi';

type OpenAPIRegistry = OpenAPIHono['openAPIRegistry'];

import { problems } from '../../http/schemas.js';
import { guardText } from '../../http/text.js';

const tags = ['log'];
const PUBLIC: { [name: string]: string[] }[] = [{}];
const text = (description: string, example?: string) => ({
  description,
  content: { 'text/plain': { schema: z.string().openapi(example ? { example } : {}) } },
});
const binary = (description: string) => ({
  description,
  content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } },
});
// Documentation only (log.index.ts serves these routes), marked like every request string all the same.
const tilePath = guardText(z.string(), { max: 64 }).openapi({
  param: { name: 'path', in: 'path' },
  description:
    'The tile index as C2SP tlog-tiles path elements (1234067 → x001/x234/067), optionally `.p/<W>` for a partial tile of W hashes or entries.',
  example: 'x001/x234/067.p/8',
});

/**
 * Documents the C2SP tlog-tiles resources under /log/ (served by log.index.ts as plain routes, since
 * their paths are not OpenAPI templates) so the reference lists them beside the JSON proofs.
 */
export function registerLogResources(registry: OpenAPIRegistry) {
  registry.registerPath({
    method: 'get',
    path: '/log/checkpoint',
    tags,
    security: PUBLIC,
    summary: 'The latest signed checkpoint (C2SP tlog-checkpoint signed note)',
    description: 'Origin, tree size, root hash (base64), a blank line, then `— <key name> <signature>`. Cached for 2 seconds.',
    responses: {
      200: text(
        'The signed note',
        'haipai.example/log\n42\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n— haipai.example/log AAAA…\n',
      ),
      ...problems(404),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/log/vkey',
    tags,
    security: PUBLIC,
    summary: "The log's verifier key (`<name>+<hex key id>+base64(0x01 ‖ Ed25519 public key)`)",
    responses: { 200: text('The verifier key', 'haipai.example/log+0123abcd+AQ…'), ...problems(404) },
  });
  registry.registerPath({
    method: 'get',
    path: '/log/tile/{level}/{path}',
    tags,
    security: PUBLIC,
    summary: 'A hash tile (C2SP tlog-tiles): 256 hashes of one level of the tree, or a partial tile',
    request: {
      params: z.object({
        level: z.coerce
          .number()
          .int()
          .min(0)
          .max(63)
          .openapi({ param: { name: 'level', in: 'path' }, example: 0 }),
        path: tilePath,
      }),
    },
    responses: { 200: binary('Concatenated 32-byte hashes; full tiles are immutable'), ...problems(404) },
  });
  registry.registerPath({
    method: 'get',
    path: '/log/tile/entries/{path}',
    tags,
    security: PUBLIC,
    summary: 'An entry bundle (C2SP tlog-tiles): up to 256 entries, each a big-endian uint16 length and the entry bytes',
    request: { params: z.object({ path: tilePath }) },
    responses: { 200: binary('The entry bundle; full bundles are immutable'), ...problems(404) },
  });
}
