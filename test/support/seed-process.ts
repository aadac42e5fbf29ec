import { execFile } from 'node:child_process';

const ROOT = new URL('../..', import.meta.url).pathname;

/**
 * Runs `npm run seed` (scripts/seed.ts) against `baseUrl` as a user would after `npm start`: the
 * operator key is read from `dataDir`, never passed in the environment. Resolves with its output;
 * rejects with it when the seed fails.
 */
export function runSeed(baseUrl: string, dataDir: string): Promise<{ stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, HAIPAI: baseUrl, DATA_DIR: dataDir };
  delete env.OPERATOR_API_KEY;
  delete env.BASE_URL;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/seed.ts'],
      { cwd: ROOT, env, timeout: 600_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`seed failed (${err.message}):\n${stdout}\n${stderr}`));
        else resolve({ stdout, stderr });
      },
    );
  });
}
