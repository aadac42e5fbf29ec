import type { ModelInfo } from '../../src/features/media/media.types.js';
import { MediaRefusal } from './errors.js';

const BINARY_MAGIC = 'Kaydara FBX Binary  \0';
const MAX_NODES = 2_000_000;
const MAX_DEPTH = 64;

/**
 * Counts of an FBX file. Binary FBX (the layout documented by Blender's io_scene_fbx and the
 * Autodesk FBX SDK: a 27-byte header, then node records of end offset, property count, property
 * list length — 64-bit from version 7500, 32-bit before — name, properties, nested records, and a
 * null record closing each list) is walked record by record without inflating any array: the
 * `Vertices` array's length is in its header. ASCII FBX is counted from its `Objects` statements.
 * Meshes are `Geometry` objects of class "Mesh"; vertices are their `Vertices` lengths / 3.
 */
export function describeFbx(bytes: Uint8Array): ModelInfo {
  const head = String.fromCharCode(...bytes.subarray(0, BINARY_MAGIC.length));
  return head === BINARY_MAGIC ? binaryFbx(bytes) : asciiFbx(bytes);
}

interface Counts {
  meshes: number;
  vertices: number;
  textures: number;
  materials: number;
  creator: string | null;
}

function binaryFbx(bytes: Uint8Array): ModelInfo {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 27) throw malformed('the FBX header is truncated');
  const version = view.getUint32(23, true);
  const wide = version >= 7500;
  const recordHeader = wide ? 25 : 13;
  const counts: Counts = { meshes: 0, vertices: 0, textures: 0, materials: 0, creator: null };
  let nodes = 0;
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const num = (o: number) => (wide ? Number(view.getBigUint64(o, true)) : view.getUint32(o, true));

  /** Reads the records from `o` until a null record or `end`; `path` is the parents' names. */
  const readList = (o: number, end: number, path: string[]): void => {
    if (path.length > MAX_DEPTH) throw malformed('FBX nodes are nested too deeply');
    while (o + recordHeader <= end) {
      const nodeEnd = num(o);
      if (nodeEnd === 0) return; // null record: end of this list
      if (nodeEnd <= o || nodeEnd > end) throw malformed('an FBX node record points outside its parent');
      if (++nodes > MAX_NODES) throw malformed('the FBX file has too many nodes');
      const propCount = num(o + (wide ? 8 : 4));
      const propLength = num(o + (wide ? 16 : 8));
      const nameLength = bytes[o + (wide ? 24 : 12)]!;
      const nameStart = o + recordHeader;
      const propsStart = nameStart + nameLength;
      if (propsStart + propLength > nodeEnd) throw malformed('FBX properties run past their node');
      const name = decoder.decode(bytes.subarray(nameStart, propsStart));
      const props = readProperties(propsStart, propsStart + propLength, propCount);

      const parent = path.at(-1);
      if (parent === 'Objects') {
        if (name === 'Geometry' && (props[2] === 'Mesh' || props.length < 3)) counts.meshes++;
        else if (name === 'Texture') counts.textures++;
        else if (name === 'Material') counts.materials++;
      }
      if (name === 'Vertices' && parent === 'Geometry' && typeof props[0] === 'number')
        counts.vertices += Math.floor(props[0] / 3);
      if (name === 'Creator' && path.length === 0 && typeof props[0] === 'string') counts.creator = props[0].slice(0, 200);

      const childrenStart = propsStart + propLength;
      if (childrenStart < nodeEnd) readList(childrenStart, nodeEnd, [...path, name]);
      o = nodeEnd;
    }
  };

  /** Property values that matter here: strings, and array lengths (arrays are never inflated). */
  const readProperties = (o: number, end: number, count: number): (string | number | null)[] => {
    const out: (string | number | null)[] = [];
    for (let i = 0; i < count; i++) {
      if (o >= end) throw malformed('FBX property list is truncated');
      const type = String.fromCharCode(bytes[o]!);
      o++;
      const scalar: Record<string, number> = { Y: 2, C: 1, I: 4, F: 4, D: 8, L: 8 };
      if (type in scalar) {
        out.push(null);
        o += scalar[type]!;
      } else if ('fdlib'.includes(type)) {
        if (o + 12 > end) throw malformed('FBX array property is truncated');
        const length = view.getUint32(o, true);
        const stored = view.getUint32(o + 8, true);
        out.push(length);
        o += 12 + stored;
      } else if (type === 'S' || type === 'R') {
        if (o + 4 > end) throw malformed('FBX string property is truncated');
        const length = view.getUint32(o, true);
        if (o + 4 + length > end) throw malformed('FBX string property runs past its node');
        // Object names are "name\0\x01Class"; keep the readable part.
        out.push(type === 'S' ? decoder.decode(bytes.subarray(o + 4, o + 4 + length)).split('\0')[0]! : null);
        o += 4 + length;
      } else {
        throw malformed(`unknown FBX property type 0x${type.charCodeAt(0).toString(16)}`);
      }
      if (o > end) throw malformed('FBX property runs past its node');
    }
    return out;
  };

  readList(27, bytes.length, []);
  return model(counts);
}

function asciiFbx(bytes: Uint8Array): ModelInfo {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  const objects = /^\s*Objects:\s*\{/m.exec(text);
  const body = objects ? text.slice(objects.index) : '';
  const counts: Counts = {
    meshes: (body.match(/^\s*Geometry:\s*[^\n]*,\s*"Mesh"\s*\{/gm) ?? []).length,
    vertices: 0,
    textures: (body.match(/^\s*Texture:\s*[^\n]*\{/gm) ?? []).length,
    materials: (body.match(/^\s*Material:\s*[^\n]*\{/gm) ?? []).length,
    creator: /^\s*Creator:\s*"([^"\n]{0,200})"/m.exec(text)?.[1] ?? null,
  };
  for (const m of body.matchAll(/^\s*Vertices:\s*\*(\d+)/gm)) counts.vertices += Math.floor(Number(m[1]) / 3);
  return model(counts);
}

function model(c: Counts): ModelInfo {
  return {
    container: 'fbx',
    meshes: c.meshes,
    primitives: null,
    vertices: c.vertices,
    textures: c.textures,
    materials: c.materials,
    copyright: null,
    generator: c.creator,
    vrm: null,
  };
}

const malformed = (detail: string) => new MediaRefusal('malformed_model', detail, 'fbx');
