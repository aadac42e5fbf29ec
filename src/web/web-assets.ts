/**
 * The browser files of the web pages (built by `npm run build:web` into dist/web): where each one
 * is served (content-hashed names from the build's manifest) and, where the runtime does not
 * serve them itself, how to read them. Node reads dist/web from disk (node-web-assets.ts); on
 * Workers wrangler's [assets] binding serves the same folder.
 */
export interface WebAssets {
  /** Plain entry name (`certificate.js`) → hashed file name (`certificate.ZHFE5ZUX.js`). */
  readonly manifest: Readonly<Record<string, string>>;
  /** The response for `/assets/<hashed name>`, or null when there is no such file. */
  fetch(path: string): Promise<Response | null>;
}

/** A year: the name changes whenever the content does. */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';

/** The URL of a built file, or null when the build has not produced it (the page then goes without it). */
export function assetUrl(assets: WebAssets | undefined, name: string): string | null {
  const file = assets?.manifest[name];
  return file ? `/assets/${file}` : null;
}
