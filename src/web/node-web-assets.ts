import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IMMUTABLE_CACHE, type WebAssets } from './web-assets.js';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** dist/web of this checkout, where `npm run build:web` writes. */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../dist/web', import.meta.url));

/**
 * The built browser files, read from disk (Node). Throws with the command to run when the build
 * is missing, so a page never silently goes out without its scripts.
 */
export async function nodeWebAssets(dir = DEFAULT_WEB_DIR): Promise<WebAssets> {
  let manifest: Record<string, string>;
  try {
    manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
  } catch {
    throw new Error(`no web assets in ${dir}: run \`npm run build:web\``);
  }
  const files = new Set(Object.values(manifest));
  return {
    manifest,
    async fetch(path) {
      const name = path.replace(/^\/assets\//, '');
      // Only files the build named: nothing else on disk is reachable.
      if (!files.has(name)) return null;
      const body = await readFile(join(dir, 'assets', name));
      return new Response(body, {
        headers: { 'content-type': TYPES[extname(name)] ?? 'application/octet-stream', 'cache-control': IMMUTABLE_CACHE },
      });
    },
  };
}
