import type { MediaFormat } from '../../src/features/media/media.types.js';

/**
 * The real format of a file from its first bytes (magic numbers), never from its name or declared
 * type. Text formats (glTF JSON, OBJ, ASCII FBX) are recognised by their grammar's opening.
 */
export function sniffFormat(bytes: Uint8Array): MediaFormat | null {
  const at = (offset: number, sig: number[]) => sig.every((b, i) => bytes[offset + i] === b);
  const ascii = (offset: number, text: string) =>
    at(
      offset,
      [...text].map((c) => c.charCodeAt(0)),
    );

  if (at(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (at(0, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (ascii(0, 'GIF87a') || ascii(0, 'GIF89a')) return 'gif';
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'webp';
  if (ascii(4, 'ftyp') && isAvifBrand(bytes)) return 'avif';
  if (ascii(0, 'glTF')) return 'glb'; // glb or vrm: told apart by the JSON chunk (gltf.ts)
  if (ascii(0, 'Kaydara FBX Binary  \0')) return 'fbx';
  if (ascii(0, 'PK\x03\x04') || ascii(0, 'PK\x05\x06')) return 'zip'; // zip or usdz (zip.ts)
  if (ascii(0, '%PDF-')) return 'pdf';
  return sniffText(bytes);
}

/** ISO BMFF `ftyp` box: major brand or a compatible brand is `avif` (still) or `avis` (sequence). */
function isAvifBrand(bytes: Uint8Array): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 16) return false;
  const size = view.getUint32(0);
  const end = Math.min(bytes.length, Math.max(size, 16));
  const brand = (o: number) => String.fromCharCode(bytes[o]!, bytes[o + 1]!, bytes[o + 2]!, bytes[o + 3]!);
  for (let o = 8; o + 4 <= end; o += 4) {
    if (o === 12) continue; // minor version
    const b = brand(o);
    if (b === 'avif' || b === 'avis') return true;
  }
  return false;
}

const OBJ_KEYWORDS = new Set([
  'v',
  'vt',
  'vn',
  'vp',
  'f',
  'l',
  'p',
  'o',
  'g',
  's',
  'usemtl',
  'mtllib',
  'cstype',
  'deg',
  'curv',
  'surf',
]);

function sniffText(bytes: Uint8Array): MediaFormat | null {
  const head = bytes.subarray(0, 64 * 1024);
  if (head.includes(0)) return null;
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head).replace(/^\uFEFF/, '');
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) return looksLikeGltfJson(bytes) ? 'gltf' : null;
  if (/^; FBX \d/.test(trimmed) || /^\s*FBXHeaderExtension:\s*\{/m.test(text)) return 'fbx';

  // OBJ: every statement among the first lines is an OBJ keyword, and there is at least one vertex.
  const lines = text.split(/\r?\n/).slice(0, 2000);
  if (bytes.length > head.length) lines.pop(); // the last line may be cut off
  let statements = 0;
  let vertices = 0;
  for (const raw of lines) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const keyword = line.split(/\s+/, 1)[0]!;
    if (!OBJ_KEYWORDS.has(keyword)) return null;
    statements++;
    if (keyword === 'v') vertices++;
  }
  return statements > 0 && vertices > 0 ? 'obj' : null;
}

function looksLikeGltfJson(bytes: Uint8Array): boolean {
  try {
    const json = JSON.parse(new TextDecoder().decode(bytes)) as { asset?: { version?: unknown } };
    return typeof json?.asset?.version === 'string';
  } catch {
    return false;
  }
}

/** Which real formats each declared media type (uploads.media-types.ts) may hold. */
export const FORMATS_BY_DECLARED_TYPE: Record<string, readonly MediaFormat[]> = {
  'image/png': ['png'],
  'image/jpeg': ['jpeg'],
  'image/webp': ['webp'],
  'image/gif': ['gif'],
  'image/avif': ['avif'],
  // VRM avatars are glTF binaries carrying the VRM extension.
  'model/gltf-binary': ['glb', 'vrm'],
  'model/gltf+json': ['gltf'],
  'model/obj': ['obj'],
  'model/vnd.fbx': ['fbx'],
  'model/vnd.usdz+zip': ['usdz'],
  // Garment packages: a ZIP of a model with its textures (a USDZ is a ZIP too).
  'application/zip': ['zip', 'usdz'],
  'application/pdf': ['pdf'],
};

export const FORMAT_NAMES: Record<MediaFormat, string> = {
  png: 'PNG',
  jpeg: 'JPEG',
  webp: 'WebP',
  gif: 'GIF',
  avif: 'AVIF',
  glb: 'glTF binary (GLB)',
  vrm: 'VRM (glTF binary)',
  gltf: 'glTF JSON',
  obj: 'Wavefront OBJ',
  fbx: 'FBX',
  zip: 'ZIP',
  usdz: 'USDZ',
  pdf: 'PDF',
};
