import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * A secret the embedded default keeps on disk: read it if present, otherwise create it once with
 * `generate` and store it with owner-only permissions. Production passes secrets by environment.
 */
export async function loadOrCreateSecret(
  path: string,
  generate: () => string | Promise<string>,
): Promise<{ value: string; created: boolean }> {
  try {
    return { value: (await readFile(path, 'utf8')).trim(), created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const value = await generate();
  await mkdir(dirname(path), { recursive: true });
  // 'wx' fails if another process created it meanwhile; then theirs wins.
  try {
    await writeFile(path, `${value}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { value: (await readFile(path, 'utf8')).trim(), created: false };
    throw err;
  }
  await chmod(path, 0o600);
  return { value, created: true };
}
