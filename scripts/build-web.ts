/**
 * `npm run build:web`: bundles the browser code of the web pages (src/web/browser/) with esbuild
 * into dist/web/assets/<name>.<content hash>.<ext>, and writes dist/web/manifest.json mapping each
 * entry's plain name (`certificate.js`) to its hashed file. Node serves that folder itself; on
 * Workers wrangler's [assets] serves it (dist/web/_headers gives the hashed files a year's cache).
 *
 * Generated, never committed: `npm start`, `npm test`, `npm run test:workers` and `wrangler dev`
 * run it first (npm pre-scripts), so a fresh clone needs only `npm ci` and `npm start`.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist/web');
const assetsDir = join(out, 'assets');

/** One entry per page that needs code or styles in the browser. */
const entryPoints = ['site.css', 'docs.ts', 'board-chart.ts', 'certificate.ts'].map((f) => join(root, 'src/web/browser', f));

await rm(out, { recursive: true, force: true });
await mkdir(assetsDir, { recursive: true });
const result = await build({
  entryPoints,
  outdir: assetsDir,
  entryNames: '[name].[hash]',
  assetNames: '[name].[hash]',
  bundle: true,
  format: 'esm',
  target: ['es2022', 'chrome120', 'firefox120', 'safari17'],
  minify: true,
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
  loader: { '.png': 'file', '.svg': 'file', '.woff2': 'file' },
});

const manifest: Record<string, string> = {};
for (const [file, output] of Object.entries(result.metafile.outputs)) {
  if (!output.entryPoint) continue;
  // `docs.ts` → `docs.js`; a script's imported CSS becomes `docs.css`.
  const plain = basename(output.entryPoint).replace(/\.ts$/, '.js');
  manifest[plain] = basename(file);
  if (output.cssBundle) manifest[plain.replace(/\.js$/, '.css')] = basename(output.cssBundle);
}
await writeFile(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
// Workers static assets: content-hashed names never change, so they may be cached for a year.
await writeFile(join(out, '_headers'), '/assets/*\n  Cache-Control: public, max-age=31536000, immutable\n');
console.log(`web assets: ${Object.keys(manifest).length} files in ${relative(root, assetsDir)}`);
