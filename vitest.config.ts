import { defineConfig } from 'vitest/config';

// Every test file opens its own database (PGlite in memory, or a fresh schema on DATABASE_URL).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    exclude: ['test/workers/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // expect.poll waits for work in a browser or another process (a certificate verified by Web
    // Crypto in chromium, a chart drawn); its default of one second failed under CI load.
    expect: { poll: { timeout: 20_000 } },
    // PGlite is CPU-heavy to start; two workers on this two-core machine.
    maxWorkers: 2,
    // The web pages' built files (dist/web), which the browser tests and src/node.ts serve.
    globalSetup: ['test/support/web-assets.setup.ts'],
  },
});
