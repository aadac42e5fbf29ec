import type { ModelInfo, VrmInfo } from '../../src/features/media/media.types.js';
import { MediaRefusal } from './errors.js';
import { readVrmMeta } from './vrm-licence.js';

const GLB_MAGIC = 0x46546c67; // "glTF"
const CHUNK_JSON = 0x4e4f534a; // "JSON"
const CHUNK_BIN = 0x004e4942; // "BIN\0"

interface GltfJson {
  asset?: { version?: unknown; copyright?: unknown; generator?: unknown };
  meshes?: { primitives?: { attributes?: Record<string, unknown> }[] }[];
  accessors?: { count?: unknown }[];
  textures?: unknown[];
  images?: unknown[];
  materials?: unknown[];
  extensionsUsed?: unknown[];
  extensions?: Record<string, unknown>;
}

/**
 * The JSON chunk of a GLB container (glTF 2.0 §4.4: 12-byte header `glTF`, version 2, total length;
 * then chunks of length, type, data; the first is JSON, an optional second is BIN). Every length is
 * checked against the file before it is used.
 */
export function readGlbJson(bytes: Uint8Array): GltfJson {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 20 || view.getUint32(0, true) !== GLB_MAGIC) throw malformed('not a GLB container');
  const version = view.getUint32(4, true);
  if (version !== 2) throw malformed(`GLB version ${version}; only glTF 2.0 is accepted`);
  const length = view.getUint32(8, true);
  if (length !== bytes.length) throw malformed(`the GLB header says ${length} bytes but the file has ${bytes.length}`);
  const jsonLength = view.getUint32(12, true);
  if (view.getUint32(16, true) !== CHUNK_JSON) throw malformed('the first GLB chunk is not JSON');
  if (20 + jsonLength > length) throw malformed('the JSON chunk runs past the end of the file');
  let o = 20 + jsonLength;
  if (o + 8 <= length) {
    const binLength = view.getUint32(o, true);
    if (view.getUint32(o + 4, true) === CHUNK_BIN && o + 8 + binLength > length) {
      throw malformed('the BIN chunk runs past the end of the file');
    }
    o += 8 + binLength;
  }
  return parseJson(bytes.subarray(20, 20 + jsonLength));
}

export function readGltfJson(bytes: Uint8Array): GltfJson {
  return parseJson(bytes);
}

function parseJson(bytes: Uint8Array): GltfJson {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, ''));
  } catch {
    throw malformed('the glTF JSON does not parse');
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw malformed('the glTF JSON is not an object');
  const gltf = json as GltfJson;
  if (typeof gltf.asset?.version !== 'string') throw malformed('the glTF JSON has no asset.version');
  if (!gltf.asset.version.startsWith('2.')) throw malformed(`glTF ${gltf.asset.version}; only glTF 2.0 is accepted`);
  return gltf;
}

/**
 * Counts of a glTF 2.0 document: meshes, primitives, vertices (the `count` of every distinct
 * accessor used as a primitive's POSITION attribute), textures, materials; `asset.copyright`;
 * and, for a VRM, its metadata and licence.
 */
export function describeGltf(gltf: GltfJson, container: 'glb' | 'gltf'): ModelInfo {
  const list = (v: unknown, what: string): unknown[] => {
    if (v === undefined) return [];
    if (!Array.isArray(v)) throw malformed(`glTF ${what} is not an array`);
    return v;
  };
  const meshes = list(gltf.meshes, 'meshes') as NonNullable<GltfJson['meshes']>;
  const accessors = list(gltf.accessors, 'accessors') as NonNullable<GltfJson['accessors']>;
  let primitives = 0;
  const positions = new Set<number>();
  for (const mesh of meshes) {
    for (const primitive of list(mesh?.primitives, 'mesh.primitives') as NonNullable<
      NonNullable<GltfJson['meshes']>[number]['primitives']
    >) {
      primitives++;
      const index = primitive?.attributes?.POSITION;
      if (index === undefined) continue;
      if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= accessors.length) {
        throw malformed(`a primitive's POSITION names accessor ${String(index)}, which does not exist`);
      }
      positions.add(index);
    }
  }
  let vertices = 0;
  for (const index of positions) {
    const count = accessors[index]!.count;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0)
      throw malformed(`accessor ${index} has no valid count`);
    vertices += count;
  }
  const vrm: VrmInfo | null = readVrmMeta(gltf.extensions);
  const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim().slice(0, 1000) : null);
  return {
    container,
    meshes: meshes.length,
    primitives,
    vertices,
    textures: list(gltf.textures, 'textures').length,
    materials: list(gltf.materials, 'materials').length,
    copyright: text(gltf.asset?.copyright) ?? (vrm?.specVersion === '1.0' ? text(vrm.permissions.copyrightInformation) : null),
    generator: text(gltf.asset?.generator),
    vrm,
  };
}

export const isVrm = (model: ModelInfo) => model.vrm !== null;

const malformed = (detail: string) => new MediaRefusal('malformed_model', detail);
