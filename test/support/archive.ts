/** Helpers for the export tests: raw archive bytes, where each file lies in the tar, one-byte edits, the CLI. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readTar } from '../../src/features/archive/tar.js';
import type { TestApp } from './harness.js';

const run = promisify(execFile);

/** A GET whose body is kept as bytes (the harness's `call` decodes bodies as text). */
export async function download(t: TestApp, path: string, key: string) {
  const res = await t.app.request(path, { headers: { authorization: `Bearer ${key}` } });
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, bytes, json: () => JSON.parse(new TextDecoder().decode(bytes)) };
}

export function filesOf(tar: Uint8Array): Map<string, Uint8Array> {
  return new Map(readTar(tar).map((f) => [f.name, f.bytes]));
}

export function manifestOf(tar: Uint8Array) {
  return JSON.parse(new TextDecoder().decode(filesOf(tar).get('manifest.json')!));
}

/** Offsets in the tar of each file's header and contents, read independently of the code under test. */
export function layout(tar: Uint8Array): Map<string, { header: number; start: number; size: number }> {
  const out = new Map<string, { header: number; start: number; size: number }>();
  for (let at = 0; at + 512 <= tar.length; ) {
    const block = tar.subarray(at, at + 512);
    if (block.every((b) => b === 0)) break;
    const name = new TextDecoder().decode(block.subarray(0, 100)).replace(/\0.*$/s, '');
    const size = Number.parseInt(new TextDecoder().decode(block.subarray(124, 135)), 8);
    out.set(name, { header: at, start: at + 512, size });
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

/** A copy with the byte at `offset` changed. */
export function flipped(tar: Uint8Array, offset: number): Uint8Array {
  const copy = tar.slice();
  copy[offset] = copy[offset]! ^ 0x01;
  return copy;
}

/** `npm run verify -- <args>` as a child process, with the archive written to a file first. */
export async function verifyCli(tar: Uint8Array, ...args: string[]): Promise<{ code: number; out: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'haipai-export-'));
  const file = join(dir, 'export.tar');
  await writeFile(file, tar);
  try {
    const { stdout } = await run(process.execPath, [
      '--import',
      'tsx',
      'scripts/verify.ts',
      ...args.map((a) => (a === 'FILE' ? file : a)),
    ]);
    return { code: 0, out: stdout.trim() };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: `${e.stdout}${e.stderr}`.trim() };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
