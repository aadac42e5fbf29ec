/**
 * A minimal, deterministic POSIX ustar writer and a strict reader, so exports need no dependency
 * and open with any `tar` (`tar -xf export.tar`). Writing: regular files only, mode 0644, owner
 * and group 0, one fixed mtime, names up to 100 ASCII bytes. Reading refuses every byte it cannot
 * account for — a bad header checksum, non-zero padding, anything after the end-of-archive blocks —
 * so a one-byte change anywhere in the file is named, never silently skipped.
 */

const BLOCK = 512;
const NAME_MAX = 100;

export interface TarFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

export class TarError extends Error {
  override name = 'TarError';
}

const encoder = new TextEncoder();

/** A tar of the files in the order given; the same files and mtime give the same bytes. */
export function writeTar(files: readonly TarFile[], mtime: Date): Uint8Array {
  const seconds = Math.floor(mtime.getTime() / 1000);
  let total = 2 * BLOCK;
  for (const f of files) total += BLOCK + padded(f.bytes.length);
  const out = new Uint8Array(total);
  let at = 0;
  const names = new Set<string>();
  for (const f of files) {
    if (!/^[A-Za-z0-9._/-]+$/.test(f.name) || f.name.length > NAME_MAX || f.name.startsWith('/') || f.name.includes('..')) {
      throw new TarError(`cannot store ${JSON.stringify(f.name)}: names are relative ASCII paths of at most 100 bytes`);
    }
    if (names.has(f.name)) throw new TarError(`${f.name} is given twice`);
    names.add(f.name);
    out.set(header(f.name, f.bytes.length, seconds), at);
    out.set(f.bytes, at + BLOCK);
    at += BLOCK + padded(f.bytes.length);
  }
  return out; // the two zero blocks that end the archive are already zero
}

/** The files of a tar written by `writeTar` (or any plain ustar of regular files), strictly. */
export function readTar(tar: Uint8Array): TarFile[] {
  if (tar.length % BLOCK !== 0) throw new TarError(`the archive is ${tar.length} bytes, not a whole number of 512-byte blocks`);
  const files: TarFile[] = [];
  const names = new Set<string>();
  let at = 0;
  for (;;) {
    if (at + BLOCK > tar.length) throw new TarError('the archive ends without its two zero end-of-archive blocks');
    const block = tar.subarray(at, at + BLOCK);
    if (isZero(block)) break;
    const entry = files.length + 1;
    const name = cString(block.subarray(0, NAME_MAX));
    const label = `tar header ${entry}${/^[\x20-\x7e]+$/.test(name) ? ` (${name})` : ''}`;
    if (octal(block, 148, 8) !== checksum(block)) throw new TarError(`${label}: its checksum does not match its bytes`);
    if (cString(block.subarray(257, 263)) !== 'ustar') throw new TarError(`${label}: not a ustar header`);
    const type = block[156];
    if (type !== 0x30 && type !== 0) throw new TarError(`${label}: only regular files are expected`);
    if (block[345] !== 0) throw new TarError(`${label}: long names (a ustar prefix) are not expected`);
    const size = octal(block, 124, 12);
    if (size === undefined) throw new TarError(`${label}: unreadable size`);
    const start = at + BLOCK;
    const end = start + size;
    if (end > tar.length) throw new TarError(`${label}: the file runs past the end of the archive`);
    if (names.has(name)) throw new TarError(`${label}: a second file with this name`);
    names.add(name);
    files.push({ name, bytes: tar.slice(start, end) });
    if (!isZero(tar.subarray(end, start + padded(size)))) throw new TarError(`${name}: the padding after it is not zero`);
    at = start + padded(size);
  }
  if (at + 2 * BLOCK > tar.length) throw new TarError('the archive ends without its second zero end-of-archive block');
  if (!isZero(tar.subarray(at, at + 2 * BLOCK))) throw new TarError('the end-of-archive blocks are not zero');
  if (at + 2 * BLOCK !== tar.length) throw new TarError('there are bytes after the end-of-archive blocks');
  return files;
}

function header(name: string, size: number, mtime: number): Uint8Array {
  const h = new Uint8Array(BLOCK);
  h.set(encoder.encode(name), 0);
  putOctal(h, 100, 8, 0o644);
  putOctal(h, 108, 8, 0);
  putOctal(h, 116, 8, 0);
  putOctal(h, 124, 12, size);
  putOctal(h, 136, 12, mtime);
  h[156] = 0x30; // '0': a regular file
  h.set(encoder.encode('ustar\u000000'), 257);
  putOctal(h, 148, 8, checksum(h));
  return h;
}

/** The header checksum: the sum of its bytes with the checksum field counted as spaces. */
function checksum(h: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
  return sum;
}

function putOctal(h: Uint8Array, offset: number, width: number, value: number): void {
  const text = value.toString(8).padStart(width - 1, '0');
  if (text.length > width - 1) throw new TarError(`${value} does not fit a ${width}-byte tar field`);
  h.set(encoder.encode(text), offset); // the last byte stays NUL
}

function octal(h: Uint8Array, offset: number, width: number): number | undefined {
  const text = cString(h.subarray(offset, offset + width)).trim();
  return /^[0-7]{1,11}$/.test(text) ? Number.parseInt(text, 8) : undefined;
}

function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return String.fromCharCode(...(end === -1 ? bytes : bytes.subarray(0, end)));
}

function padded(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}

function isZero(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 0) return false;
  return true;
}
