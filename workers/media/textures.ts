import type { TextureHash } from '../../src/features/media/media.types.js';
import { hashHex } from '../../src/features/media/results.repo.js';
import { MediaRefusal } from './errors.js';
import { readImageDimensions } from './image-header.js';
import { hashImage, type SharpFactory } from './image-pipeline.js';
import { sniffFormat } from './sniff.js';
import { listZipEntries, readZipEntry } from './zip-package.js';

/*
 * Textures inside 3D files, hashed like uploaded images so that a garment copied from a registered
 * work's picture and re-exported as a GLB (or packaged in a ZIP) is still found at submission.
 * Only PNG, JPEG and WebP are hashed: they are what glTF allows (core + EXT_texture_webp) and what
 * a package ships; GPU formats (KTX2/Basis) are skipped. Each texture passes the same checks as an
 * uploaded image before any decoder sees it: a header that reads, and at most `maxPixels` pixels.
 */

type TextureFormat = TextureHash['format'];
const TEXTURE_FORMATS: readonly TextureFormat[] = ['png', 'jpeg', 'webp'];

/** Decoding is the costly step; a GLB with more distinct embedded images has its largest ones hashed. */
export const MAX_HASHED_TEXTURES = 8;

export interface EmbeddedTexture {
  source: string;
  format: TextureFormat;
  bytes: Uint8Array;
}

const textureFormat = (bytes: Uint8Array): TextureFormat | null => {
  const f = sniffFormat(bytes);
  return f && (TEXTURE_FORMATS as readonly string[]).includes(f) ? (f as TextureFormat) : null;
};

const CHUNK_BIN = 0x004e4942; // "BIN\0"

interface GltfImageRefs {
  images?: unknown;
  bufferViews?: unknown;
}

/**
 * The images of a GLB stored in its binary chunk (glTF 2.0 §3.6.1.1: `images[i].bufferView` names a
 * view of buffer 0, which in a GLB is the BIN chunk). Images given by URI are external or data
 * URIs, not embedded bytes of the container, and are not read. The container's lengths were
 * checked by readGlbJson; every view is checked against the chunk here.
 */
export function embeddedGlbTextures(bytes: Uint8Array, gltf: GltfImageRefs): EmbeddedTexture[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const binStart = 20 + view.getUint32(12, true);
  if (binStart + 8 > bytes.length || view.getUint32(binStart + 4, true) !== CHUNK_BIN) return [];
  const bin = bytes.subarray(binStart + 8, binStart + 8 + view.getUint32(binStart, true));
  const images = Array.isArray(gltf.images) ? gltf.images : [];
  const views = Array.isArray(gltf.bufferViews) ? gltf.bufferViews : [];
  const seen = new Set<number>();
  const found: EmbeddedTexture[] = [];
  images.forEach((image, i) => {
    const index = (image as { bufferView?: unknown } | null)?.bufferView;
    if (typeof index !== 'number' || seen.has(index)) return;
    seen.add(index);
    const v = views[index] as { buffer?: unknown; byteOffset?: unknown; byteLength?: unknown } | undefined;
    const offset = v?.byteOffset ?? 0;
    const length = v?.byteLength;
    if (
      v?.buffer !== 0 ||
      typeof offset !== 'number' ||
      typeof length !== 'number' ||
      !Number.isInteger(offset) ||
      !Number.isInteger(length) ||
      offset < 0 ||
      length < 0 ||
      offset + length > bin.length
    ) {
      throw new MediaRefusal('malformed_model', `images[${i}] names bufferView ${index}, which is not inside the BIN chunk.`);
    }
    const data = bin.subarray(offset, offset + length);
    const format = textureFormat(data);
    if (format) found.push({ source: `images[${i}]`, format, bytes: data });
  });
  return found.sort((a, b) => b.bytes.length - a.bytes.length).slice(0, MAX_HASHED_TEXTURES);
}

const PACKAGE_IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp'];

/**
 * The largest image of a ZIP package (by its uncompressed size), inflated under the package's own
 * limits. null when the package holds none, or when its bytes are not the image its name says.
 */
export function largestPackageTexture(bytes: Uint8Array): EmbeddedTexture | null {
  const images = listZipEntries(bytes).filter(
    (e) => !e.name.startsWith('__MACOSX/') && PACKAGE_IMAGE_EXTENSIONS.some((ext) => e.name.toLowerCase().endsWith(ext)),
  );
  const largest = images.sort((a, b) => b.size - a.size)[0];
  if (!largest) return null;
  const data = readZipEntry(bytes, largest);
  const format = textureFormat(data);
  return format ? { source: largest.name, format, bytes: data } : null;
}

/** Checks each texture's header against the pixel limit, then hashes it as renderImage would. */
export async function hashTextures(
  textures: EmbeddedTexture[],
  container: string,
  opts: { maxPixels: number; sharp?: SharpFactory },
): Promise<TextureHash[]> {
  const out: TextureHash[] = [];
  for (const t of textures) {
    const size = readImageDimensions(t.format, t.bytes);
    if (!size) {
      throw new MediaRefusal('unreadable_image', `The ${container}'s texture ${t.source} has a missing or truncated header.`);
    }
    const pixels = size.width * size.height;
    if (pixels > opts.maxPixels) {
      throw new MediaRefusal(
        'image_too_large',
        `The ${container}'s texture ${t.source} is ${size.width}×${size.height} (${pixels} pixels); at most ${opts.maxPixels} pixels are accepted. It was not decoded.`,
      );
    }
    const hashes = await hashImage(t.bytes, opts);
    out.push({
      source: t.source,
      format: t.format,
      ...size,
      dhash: hashHex(hashes.dhash),
      phash: hashHex(hashes.phash),
      lowDetail: hashes.lowDetail,
    });
  }
  return out;
}
