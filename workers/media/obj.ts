import type { ModelInfo } from '../../src/features/media/media.types.js';

/**
 * Counts of a Wavefront OBJ file: `v` statements are vertices; a mesh is an object (`o`) — or,
 * without objects, a group (`g`) — that has at least one face (`f`), and a file with faces but
 * neither is one mesh. Materials are the distinct `usemtl` names; textures live in the .mtl file,
 * which an upload does not carry, so they are not counted.
 */
export function describeObj(bytes: Uint8Array): ModelInfo {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  let vertices = 0;
  let faces = 0;
  const objects = new Set<string>();
  const groups = new Set<string>();
  const materials = new Set<string>();
  let object = '';
  let group = '';
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end).trim();
    start = end + 1;
    if (!line || line.charCodeAt(0) === 35 /* # */) continue;
    const space = line.search(/\s/);
    const keyword = space === -1 ? line : line.slice(0, space);
    const rest = space === -1 ? '' : line.slice(space + 1).trim();
    if (keyword === 'v') vertices++;
    else if (keyword === 'f') {
      faces++;
      if (object) objects.add(object);
      if (group) groups.add(group);
    } else if (keyword === 'o') object = rest || `object ${objects.size + 1}`;
    else if (keyword === 'g') group = rest || 'default';
    else if (keyword === 'usemtl' && rest) materials.add(rest);
  }
  const meshes = faces === 0 ? 0 : objects.size || groups.size || 1;
  return {
    container: 'obj',
    meshes,
    primitives: null,
    vertices,
    textures: null,
    materials: materials.size,
    copyright: null,
    generator: null,
    vrm: null,
  };
}
