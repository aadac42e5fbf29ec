import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runSeed } from './support/seed-process.js';
import { type ServerProcess, spawnServer } from './support/server-process.js';

// Runs the README's walkthrough verbatim against the real Node entry on the embedded default,
// exactly as a reader would after `NOTICE_PERIOD=0 npm start`: twice in a row on one server, and
// after `npm run seed` — whichever runs first, the others must not trip over what it left.
const ROOT = new URL('..', import.meta.url).pathname;
let dir: string;
let server: ServerProcess | undefined;
let baseUrl: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'haipai-readme-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: join(dir, 'data'),
    PORT: '0',
    EMBEDDED_S3_PORT: '0', // TODO(one-port): remove once the embedded store no longer needs a port of its own
    NOTICE_PERIOD: '0',
  };
  delete env.DATABASE_URL;
  delete env.OPERATOR_API_KEY;
  server = await spawnServer(env);
  baseUrl = server.baseUrl;
});

afterAll(async () => {
  await server?.stop('SIGTERM');
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The README's walkthrough, exactly as printed there. */
async function walkthroughScript(): Promise<string> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Walkthrough'));
  const script = /```bash\n([\s\S]*?)```/.exec(section)?.[1];
  expect(script).toBeTruthy();
  return script!;
}

async function runWalkthrough() {
  return spawnSync('bash', ['-euo', 'pipefail', '-c', await walkthroughScript()], {
    cwd: ROOT,
    env: { ...process.env, HAIPAI: baseUrl, DATA_DIR: join(dir, 'data') },
    encoding: 'utf8',
    timeout: 300_000,
  });
}

/** What the README says the walkthrough prints: a registration, the sale, the split, the proofs. */
function expectWalkthroughOutput(run: ReturnType<typeof spawnSync>) {
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  const stdout = String(run.stdout);
  const lines = stdout.trim().split('\n');
  expect(JSON.parse(lines[0]!)).toMatchObject({ status: 'completed' });
  expect(stdout).toContain('"status":"registered"');
  expect(lines).toContain(JSON.stringify({ status: 'settled', price: 12800, currency: 'CNY' }));
  // Collector, designer, buyer: the split the README states.
  expect(lines).toContain('[{"currency":"CNY","amount":11840,"owed":0}]');
  expect(lines).toContain('[{"currency":"CNY","amount":640,"owed":0}]');
  expect(lines).toContain('[{"currency":"CNY","amount":37200,"owed":0}]');
  const history = lines.filter((l) => l.startsWith('{"type":')).map((l) => JSON.parse(l));
  expect(history.map((e) => e.type)).toEqual(expect.arrayContaining(['unit.minted', 'unit.gifted', 'trade.settled']));
  expect(history.every((e) => Number.isInteger(e.logIndex))).toBe(true);
  expect(lines.filter((l) => l.startsWith('OK: '))).toHaveLength(2);
}

it('the README walkthrough runs verbatim twice in a row on one server, from a new platform to a sale verified in the log', async () => {
  expectWalkthroughOutput(await runWalkthrough());
  expectWalkthroughOutput(await runWalkthrough());
}, 600_000);

it('the README walkthrough runs verbatim after npm run seed', async () => {
  const seeded = await runSeed(baseUrl, join(dir, 'data'));
  expect(seeded.stdout).toMatch(/8 works registered, \d+ trades settled/);
  expectWalkthroughOutput(await runWalkthrough());
}, 900_000);

it("the walkthrough's retry loop is bounded and shows the last problem when it gives up", async () => {
  const retry = (await walkthroughScript()).split('\n').find((line) => line.startsWith('retry() {'));
  expect(retry).toBeTruthy();
  const problem = '{"code":"media_pending","detail":"The analysis of file upl_1 has not finished; submit again shortly."}';
  const run = spawnSync('bash', ['-c', `${retry}\nretry 2 bash -c 'echo ${JSON.stringify(problem)}; exit 22'`], {
    encoding: 'utf8',
  });
  expect(run.status).toBe(1);
  expect(run.stderr).toBe(`gave up after 2 tries: ${problem}\n`);
});
