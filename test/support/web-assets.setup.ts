import { execFileSync } from 'node:child_process';

// Vitest global setup: the browser tests and the spawned servers (src/node.ts) serve dist/web, so
// every run builds it first, whichever test files it runs (esbuild: a second or two).
export default function buildWebAssets() {
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-web.ts'], { stdio: 'inherit' });
}
