import type { MediaFormat, ModelInfo } from '../../src/features/media/media.types.js';
import { IMAGE_FORMATS } from '../../src/features/media/media.types.js';
import { MediaRefusal } from './errors.js';
import { describeFbx } from './fbx.js';
import { describeGltf, readGlbJson, readGltfJson } from './gltf.js';
import { readImageDimensions } from './image-header.js';
import { type RenderedImage, renderImage, type SharpFactory } from './image-pipeline.js';
import { describeObj } from './obj.js';
import { FORMAT_NAMES, FORMATS_BY_DECLARED_TYPE, sniffFormat } from './sniff.js';
import { type EmbeddedTexture, embeddedGlbTextures, hashTextures, largestPackageTexture } from './textures.js';
import { describeZip } from './zip-package.js';

export interface AnalyseOptions {
  maxPixels: number;
  /** sharp itself unless a test wants to watch it. */
  sharp?: SharpFactory;
}

export interface Analysis {
  format: MediaFormat;
  image?: { width: number; height: number; rendered: RenderedImage };
  model?: ModelInfo;
}

/** Formats that share a container and are told apart only by what is inside it. */
const FAMILY: Partial<Record<MediaFormat, MediaFormat>> = { vrm: 'glb', usdz: 'zip' };
const family = (f: MediaFormat) => FAMILY[f] ?? f;

/**
 * Everything the registry checks in one upload's verified bytes. Throws MediaRefusal when the bytes
 * are not what was declared or are unsafe: the real format (magic bytes) must be one the declared
 * type allows, and an image's pixel count (from its header) must be within `maxPixels` before any
 * decoder sees it.
 */
export async function analyseBytes(bytes: Uint8Array, declaredType: string, opts: AnalyseOptions): Promise<Analysis> {
  const sniffed = sniffFormat(bytes);
  const allowed = FORMATS_BY_DECLARED_TYPE[declaredType] ?? [];
  if (!sniffed) {
    throw new MediaRefusal('unrecognised_format', `The bytes are not any accepted format (declared ${declaredType}).`);
  }
  const mismatch = (actual: MediaFormat) =>
    new MediaRefusal(
      'format_mismatch',
      `Declared as ${declaredType}, but the bytes are ${FORMAT_NAMES[actual]}; upload it with its real media type.`,
      actual,
    );
  if (!allowed.some((a) => family(a) === family(sniffed))) throw mismatch(sniffed);

  if (IMAGE_FORMATS.includes(sniffed)) {
    const size = readImageDimensions(sniffed, bytes);
    if (!size)
      throw new MediaRefusal('unreadable_image', `The ${FORMAT_NAMES[sniffed]} header is missing or truncated.`, sniffed);
    const pixels = size.width * size.height;
    if (pixels > opts.maxPixels) {
      throw new MediaRefusal(
        'image_too_large',
        `The image is ${size.width}×${size.height} (${pixels} pixels); at most ${opts.maxPixels} pixels are accepted. It was not decoded.`,
        sniffed,
      );
    }
    const rendered = await renderImage(bytes, { sharp: opts.sharp, maxPixels: opts.maxPixels });
    return { format: sniffed, image: { ...size, rendered } };
  }

  const model = describeModelBytes(bytes, sniffed);
  let format: MediaFormat = sniffed;
  if (sniffed === 'glb' && model?.vrm) format = 'vrm';
  if (sniffed === 'zip' && model?.container === 'usdz') format = 'usdz';
  if (!allowed.includes(format)) throw mismatch(format);
  if (!model) return { format };
  const textures = await hashTextures(texturesOf(bytes, sniffed), FORMAT_NAMES[format], opts);
  return { format, model: textures.length ? { ...model, textureHashes: textures } : model };
}

/** The textures a 3D file carries in its own bytes: a GLB's embedded images, a package's largest image. */
function texturesOf(bytes: Uint8Array, format: MediaFormat): EmbeddedTexture[] {
  if (format === 'glb') return embeddedGlbTextures(bytes, readGlbJson(bytes));
  if (format === 'zip') {
    const largest = largestPackageTexture(bytes);
    return largest ? [largest] : [];
  }
  return [];
}

function describeModelBytes(bytes: Uint8Array, format: MediaFormat): ModelInfo | null {
  switch (format) {
    case 'glb':
      return describeGltf(readGlbJson(bytes), 'glb');
    case 'gltf':
      return describeGltf(readGltfJson(bytes), 'gltf');
    case 'obj':
      return describeObj(bytes);
    case 'fbx':
      return describeFbx(bytes);
    case 'zip':
      return describeZip(bytes, describeEntry);
    default:
      return null; // pdf: nothing to count
  }
}

/** A model inside a ZIP package, by its file extension (then checked by its magic bytes). */
function describeEntry(bytes: Uint8Array, extension: string): ModelInfo | null {
  if (extension === '.usda') {
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    if (!text.startsWith('#usda')) return null;
    return {
      container: 'usdz',
      meshes: (text.match(/\bdef\s+Mesh\b/g) ?? []).length,
      primitives: null,
      vertices: null,
      textures: null,
      materials: (text.match(/\bdef\s+Material\b/g) ?? []).length,
      copyright: null,
      generator: null,
      vrm: null,
    };
  }
  const inner = sniffFormat(bytes);
  const expected: Record<string, MediaFormat> = { '.vrm': 'glb', '.glb': 'glb', '.gltf': 'gltf', '.fbx': 'fbx', '.obj': 'obj' };
  if (!inner || inner !== expected[extension]) {
    throw new MediaRefusal('malformed_model', `The package's ${extension} entry is not ${extension.slice(1).toUpperCase()}.`);
  }
  return describeModelBytes(bytes, inner);
}
