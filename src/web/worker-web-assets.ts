import { IMMUTABLE_CACHE, type WebAssets } from './web-assets.js';

/** The Workers static-assets binding (wrangler.toml [assets] binding = "ASSETS"). */
export interface AssetsBinding {
  fetch(request: Request | string): Promise<Response>;
}

// The manifest is part of the deployment: read once per isolate, not once per request.
const manifests = new WeakMap<AssetsBinding, Promise<Record<string, string>>>();

/**
 * dist/web served by Workers static assets. Requests for /assets/* normally never reach the
 * Worker (the asset server answers first, with dist/web/_headers' cache rule); `fetch` covers
 * the ones that do, e.g. `exports.default.fetch` in tests.
 */
export async function workerWebAssets(binding: AssetsBinding): Promise<WebAssets> {
  let manifest = manifests.get(binding);
  if (!manifest) {
    manifest = binding.fetch('https://assets.invalid/manifest.json').then(async (res) => {
      if (!res.ok)
        throw new Error(`no web assets (manifest.json: HTTP ${res.status}); run \`npm run build:web\` before wrangler`);
      return (await res.json()) as Record<string, string>;
    });
    manifests.set(binding, manifest);
    manifest.catch(() => manifests.delete(binding));
  }
  const files = new Set(Object.values(await manifest));
  return {
    manifest: await manifest,
    async fetch(path) {
      if (!files.has(path.replace(/^\/assets\//, ''))) return null;
      const res = await binding.fetch(`https://assets.invalid${path}`);
      if (!res.ok) return null;
      const out = new Response(res.body, res);
      out.headers.set('cache-control', IMMUTABLE_CACHE);
      return out;
    },
  };
}
