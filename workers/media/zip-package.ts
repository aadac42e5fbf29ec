import { inflateRawSync } from 'node:zlib';
import type { ModelInfo } from '../../src/features/media/media.types.js';
import { MediaRefusal } from './errors.js';

/** Limits that keep a small archive from expanding into a huge one (a ZIP bomb). */
export const ZIP_LIMITS = {
  maxEntries: 10_000,
  /** Sum of the declared uncompressed sizes. */
  maxTotalBytes: 512 * 1024 * 1024,
  /** The one entry that is inflated: the model. */
  maxModelBytes: 64 * 1024 * 1024,
};

export interface ZipEntry {
  name: string;
  method: number;
  encrypted: boolean;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/**
 * The entries of a ZIP archive (APPNOTE.TXT 6.3: the end of central directory record, then the
 * central directory's file headers; each entry's data starts after its local file header). ZIP64
 * archives are refused: nothing an upload may hold needs one.
 */
export function listZipEntries(bytes: Uint8Array): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let o = bytes.length - 22; o >= Math.max(0, bytes.length - 22 - 0xffff); o--) {
    if (view.getUint32(o, true) === 0x06054b50) {
      eocd = o;
      break;
    }
  }
  if (eocd < 0) throw malformed('no ZIP end-of-central-directory record');
  const count = view.getUint16(eocd + 10, true);
  const cdSize = view.getUint32(eocd + 12, true);
  const cdOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || cdOffset === 0xffffffff) throw malformed('ZIP64 archives are not accepted');
  if (count > ZIP_LIMITS.maxEntries) throw tooLarge(`the archive has ${count} entries; at most ${ZIP_LIMITS.maxEntries}`);
  if (cdOffset + cdSize > eocd) throw malformed('the ZIP central directory runs past its end record');
  const entries: ZipEntry[] = [];
  let total = 0;
  let o = cdOffset;
  const decoder = new TextDecoder('utf-8', { fatal: false });
  for (let i = 0; i < count; i++) {
    if (o + 46 > eocd || view.getUint32(o, true) !== 0x02014b50) throw malformed('a ZIP central directory header is broken');
    const flags = view.getUint16(o + 8, true);
    const nameLength = view.getUint16(o + 28, true);
    const extraLength = view.getUint16(o + 30, true);
    const commentLength = view.getUint16(o + 32, true);
    const entry: ZipEntry = {
      name: decoder.decode(bytes.subarray(o + 46, o + 46 + nameLength)),
      method: view.getUint16(o + 10, true),
      encrypted: (flags & 1) === 1,
      compressedSize: view.getUint32(o + 20, true),
      size: view.getUint32(o + 24, true),
      localHeaderOffset: view.getUint32(o + 42, true),
    };
    total += entry.size;
    if (total > ZIP_LIMITS.maxTotalBytes) throw tooLarge(`the archive expands to more than ${ZIP_LIMITS.maxTotalBytes} bytes`);
    entries.push(entry);
    o += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The bytes of one entry, inflated with a hard cap on the output. */
export function readZipEntry(bytes: Uint8Array, entry: ZipEntry): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const o = entry.localHeaderOffset;
  if (o + 30 > bytes.length || view.getUint32(o, true) !== 0x04034b50)
    throw malformed(`the local header of ${entry.name} is broken`);
  const start = o + 30 + view.getUint16(o + 26, true) + view.getUint16(o + 28, true);
  const end = start + entry.compressedSize;
  if (end > bytes.length) throw malformed(`${entry.name} runs past the end of the archive`);
  if (entry.encrypted) throw malformed(`${entry.name} is encrypted`);
  if (entry.size > ZIP_LIMITS.maxModelBytes) throw tooLarge(`${entry.name} expands to ${entry.size} bytes`);
  const data = bytes.subarray(start, end);
  if (entry.method === 0) return data;
  if (entry.method !== 8)
    throw malformed(`${entry.name} uses compression method ${entry.method}; only stored and deflate are read`);
  try {
    const out = inflateRawSync(data, { maxOutputLength: Math.max(1, entry.size) });
    if (out.length !== entry.size) throw new Error('size differs');
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  } catch {
    throw malformed(`${entry.name} does not inflate to its declared ${entry.size} bytes`);
  }
}

const MODEL_PRIORITY = ['.vrm', '.glb', '.gltf', '.fbx', '.obj', '.usda', '.usdc', '.usd'];
const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp', '.avif', '.gif', '.tga', '.ktx2'];

const extensionOf = (name: string) => {
  const dot = name.lastIndexOf('.');
  return dot === -1 ? '' : name.slice(dot).toLowerCase();
};

/** USDZ (AOUSD Core Spec, USDZ §: an uncompressed ZIP whose first entry is the USD layer). */
export function isUsdz(entries: ZipEntry[]): boolean {
  const first = entries[0];
  return !!first && ['.usda', '.usdc', '.usd'].includes(extensionOf(first.name));
}

/**
 * A garment package (a ZIP of a model and its textures) or a USDZ: the model entry is picked by
 * format (VRM, GLB, glTF, FBX, OBJ, then USD) and described by `describeModel`. Binary USD (crate)
 * layers are not parsed, so their counts are unknown (null) rather than zero.
 */
export function describeZip(
  bytes: Uint8Array,
  describeModel: (entryBytes: Uint8Array, extension: string) => ModelInfo | null,
): ModelInfo {
  const entries = listZipEntries(bytes).filter((e) => !e.name.endsWith('/') && !e.name.startsWith('__MACOSX/'));
  const container = isUsdz(entries) ? 'usdz' : 'zip';
  const images = entries.filter((e) => IMAGE_EXTENSIONS.includes(extensionOf(e.name))).length;
  const modelEntry = MODEL_PRIORITY.map((ext) => entries.find((e) => extensionOf(e.name) === ext)).find(Boolean) ?? null;
  const base: ModelInfo = {
    container,
    meshes: 0,
    primitives: null,
    vertices: 0,
    textures: images,
    materials: null,
    copyright: null,
    generator: null,
    vrm: null,
    entries: entries.length,
    modelEntry: modelEntry?.name ?? null,
  };
  if (!modelEntry) return base;
  const ext = extensionOf(modelEntry.name);
  if (ext === '.usdc' || ext === '.usd') return { ...base, meshes: null, vertices: null };
  const inner = describeModel(readZipEntry(bytes, modelEntry), ext);
  if (!inner) return { ...base, meshes: null, vertices: null };
  return {
    ...inner,
    container,
    textures: Math.max(inner.textures ?? 0, images),
    entries: entries.length,
    modelEntry: modelEntry.name,
  };
}

const malformed = (detail: string) => new MediaRefusal('malformed_model', detail);
const tooLarge = (detail: string) => new MediaRefusal('archive_too_large', detail);
