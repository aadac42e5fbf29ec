import { deflateRawSync, deflateSync } from 'node:zlib';
import sharp from 'sharp';

/*
 * Media fixtures built in code: images rendered by sharp from generated SVG, and small writers for
 * the containers the media worker parses (PNG chunks, GLB, binary FBX, ZIP). Nothing here is read
 * from disk.
 */

/** A deterministic pseudo-random generator (LCG), so every run draws the same pictures. */
export function lcg(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** An SVG scene of overlapping shapes: distinct seeds give unrelated pictures. */
export function sceneSvg(seed: number, width = 800, height = 600): Buffer {
  const r = lcg(seed);
  const colour = () => `rgb(${Math.floor(r() * 255)},${Math.floor(r() * 255)},${Math.floor(r() * 255)})`;
  let shapes = '';
  for (let i = 0; i < 25; i++) {
    if (r() < 0.5) {
      shapes += `<circle cx="${r() * width}" cy="${r() * height}" r="${20 + r() * 150}" fill="${colour()}" opacity="${0.5 + r() * 0.5}"/>`;
    } else {
      shapes += `<rect x="${r() * width}" y="${r() * height}" width="${30 + r() * 300}" height="${30 + r() * 300}" fill="${colour()}" transform="rotate(${r() * 90} ${width / 2} ${height / 2})"/>`;
    }
  }
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="${colour()}"/>${shapes}</svg>`,
  );
}

export const scenePng = (seed: number, width?: number, height?: number) =>
  sharp(sceneSvg(seed, width, height))
    .png()
    .toBuffer();

// ---- PNG chunks (ISO/IEC 15948) ----

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function ihdr(width: number, height: number, bitDepth: number, colourType: number): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(width, 0);
  data.writeUInt32BE(height, 4);
  data[8] = bitDepth;
  data[9] = colourType;
  return pngChunk('IHDR', data);
}

/** A PNG that is only a header claiming `width`×`height` RGBA pixels (and a token IDAT). */
export function pngHeaderOnly(width: number, height: number): Buffer {
  return Buffer.concat([
    PNG_SIGNATURE,
    ihdr(width, height, 8, 6),
    pngChunk('IDAT', deflateSync(Buffer.alloc(64))),
    pngChunk('IEND', new Uint8Array()),
  ]);
}

/**
 * A real, complete, decodable PNG of `size`×`size` black pixels (1-bit greyscale): a few dozen KB
 * that a decoder would expand to size² pixels. A decompression bomb in the honest sense.
 */
export function blackPng(size: number): Buffer {
  const row = 1 + Math.ceil(size / 8);
  const raw = Buffer.alloc(row * size); // filter byte 0 and zero bits on every row
  return Buffer.concat([
    PNG_SIGNATURE,
    ihdr(size, size, 1, 0),
    pngChunk('IDAT', deflateSync(raw, { level: 9 })),
    pngChunk('IEND', new Uint8Array()),
  ]);
}

// ---- glTF binary (GLB, glTF 2.0 §4.4) ----

export function glb(json: object, bin?: Uint8Array): Buffer {
  const pad = (b: Buffer, fill: number) => Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4, fill)]);
  const jsonChunk = pad(Buffer.from(JSON.stringify(json)), 0x20);
  const binChunk = bin ? pad(Buffer.from(bin), 0) : null;
  const length = 12 + 8 + jsonChunk.length + (binChunk ? 8 + binChunk.length : 0);
  const header = Buffer.alloc(12);
  header.write('glTF', 0, 'latin1');
  header.writeUInt32LE(2, 4);
  header.writeUInt32LE(length, 8);
  const chunkHeader = (len: number, type: number) => {
    const h = Buffer.alloc(8);
    h.writeUInt32LE(len, 0);
    h.writeUInt32LE(type, 4);
    return h;
  };
  return Buffer.concat([
    header,
    chunkHeader(jsonChunk.length, 0x4e4f534a),
    jsonChunk,
    ...(binChunk ? [chunkHeader(binChunk.length, 0x004e4942), binChunk] : []),
  ]);
}

/**
 * A glTF document with `meshes` meshes; mesh i has one primitive whose POSITION accessor counts
 * `vertices[i]` vertices. `textures` textures (with an image each).
 */
export function gltfDocument(opts: {
  vertices: number[];
  textures?: number;
  copyright?: string;
  extensions?: object;
  extensionsUsed?: string[];
}) {
  const bytes = opts.vertices.reduce((a, b) => a + b, 0) * 12;
  let offset = 0;
  const bufferViews = opts.vertices.map((n) => {
    const view = { buffer: 0, byteOffset: offset, byteLength: n * 12 };
    offset += n * 12;
    return view;
  });
  return {
    json: {
      asset: { version: '2.0', generator: 'haipai test fixture', ...(opts.copyright ? { copyright: opts.copyright } : {}) },
      buffers: [{ byteLength: bytes }],
      bufferViews,
      accessors: opts.vertices.map((n, i) => ({
        bufferView: i,
        componentType: 5126,
        count: n,
        type: 'VEC3',
        min: [0, 0, 0],
        max: [1, 1, 1],
      })),
      meshes: opts.vertices.map((_, i) => ({ primitives: [{ attributes: { POSITION: i } }] })),
      nodes: opts.vertices.map((_, i) => ({ mesh: i })),
      scenes: [{ nodes: opts.vertices.map((_, i) => i) }],
      images: Array.from({ length: opts.textures ?? 0 }, () => ({ uri: 'data:image/png;base64,' })),
      textures: Array.from({ length: opts.textures ?? 0 }, (_, i) => ({ source: i })),
      materials: [{ name: 'cloth' }],
      ...(opts.extensionsUsed ? { extensionsUsed: opts.extensionsUsed } : {}),
      ...(opts.extensions ? { extensions: opts.extensions } : {}),
    },
    bin: new Uint8Array(bytes),
  };
}

export function glbModel(opts: Parameters<typeof gltfDocument>[0]): Buffer {
  const doc = gltfDocument(opts);
  return glb(doc.json, doc.bin);
}

/**
 * A GLB with one mesh and `images` embedded in its BIN chunk (glTF 2.0 §3.6.1.1: an image given by
 * `bufferView` and `mimeType`), each used by a texture of the material: what an exporter writes.
 */
export function glbWithTextures(images: { bytes: Uint8Array; mimeType: string }[], vertices = 300): Buffer {
  const align = (n: number) => n + ((4 - (n % 4)) % 4);
  const parts: Buffer[] = [Buffer.alloc(vertices * 12)];
  const bufferViews = [{ buffer: 0, byteOffset: 0, byteLength: vertices * 12 }];
  let offset = vertices * 12;
  for (const image of images) {
    bufferViews.push({ buffer: 0, byteOffset: offset, byteLength: image.bytes.length });
    const padded = Buffer.alloc(align(image.bytes.length));
    Buffer.from(image.bytes).copy(padded);
    parts.push(padded);
    offset += padded.length;
  }
  const json = {
    asset: { version: '2.0', generator: 'haipai test fixture' },
    buffers: [{ byteLength: offset }],
    bufferViews,
    accessors: [{ bufferView: 0, componentType: 5126, count: vertices, type: 'VEC3', min: [0, 0, 0], max: [1, 1, 1] }],
    meshes: [{ primitives: [{ attributes: { POSITION: 0 }, material: 0 }] }],
    nodes: [{ mesh: 0 }],
    scenes: [{ nodes: [0] }],
    images: images.map((image, i) => ({ bufferView: i + 1, mimeType: image.mimeType })),
    textures: images.map((_, i) => ({ source: i })),
    materials: [{ name: 'cloth', pbrMetallicRoughness: images.length ? { baseColorTexture: { index: 0 } } : {} }],
  };
  return glb(json, Buffer.concat(parts));
}

/** A VRM 0.x avatar: a GLB whose `extensions.VRM.meta` carries the licence. */
export function vrm0(meta: Record<string, unknown>, vertices = [300]): Buffer {
  return glbModel({
    vertices,
    textures: 1,
    extensionsUsed: ['VRM'],
    extensions: { VRM: { exporterVersion: 'UniVRM-0.99', meta } },
  });
}

/** A VRM 1.0 avatar: `extensions.VRMC_vrm.meta`. */
export function vrm1(meta: Record<string, unknown>, vertices = [300]): Buffer {
  return glbModel({
    vertices,
    textures: 1,
    extensionsUsed: ['VRMC_vrm'],
    extensions: { VRMC_vrm: { specVersion: '1.0', meta } },
  });
}

// ---- binary FBX (7.4 layout: 32-bit record headers) ----

export interface FbxNode {
  name: string;
  props?: ({ s: string } | { i64: bigint } | { doubles: number[] })[];
  children?: FbxNode[];
}

export function binaryFbx(nodes: FbxNode[]): Buffer {
  const header = Buffer.alloc(27);
  header.write('Kaydara FBX Binary  \0', 0, 'latin1');
  header[21] = 0x1a;
  header[22] = 0x00;
  header.writeUInt32LE(7400, 23);
  const chunks: Buffer[] = [header];
  let offset = 27;
  const nullRecord = Buffer.alloc(13);
  const writeNode = (node: FbxNode) => {
    const props = (node.props ?? []).map((p) => {
      if ('s' in p) {
        const b = Buffer.alloc(5 + Buffer.byteLength(p.s));
        b.write('S', 0, 'latin1');
        b.writeUInt32LE(Buffer.byteLength(p.s), 1);
        b.write(p.s, 5, 'utf8');
        return b;
      }
      if ('i64' in p) {
        const b = Buffer.alloc(9);
        b.write('L', 0, 'latin1');
        b.writeBigInt64LE(p.i64, 1);
        return b;
      }
      const raw = Buffer.alloc(p.doubles.length * 8);
      for (const [i, d] of p.doubles.entries()) raw.writeDoubleLE(d, i * 8);
      const packed = deflateSync(raw);
      const b = Buffer.alloc(13);
      b.write('d', 0, 'latin1');
      b.writeUInt32LE(p.doubles.length, 1);
      b.writeUInt32LE(1, 5); // zlib-compressed
      b.writeUInt32LE(packed.length, 9);
      return Buffer.concat([b, packed]);
    });
    const propBytes = Buffer.concat(props);
    const head = Buffer.alloc(13 + node.name.length);
    chunks.push(head);
    offset += head.length;
    chunks.push(propBytes);
    offset += propBytes.length;
    if (node.children?.length) {
      for (const child of node.children) writeNode(child);
      chunks.push(nullRecord);
      offset += 13;
    }
    head.writeUInt32LE(offset, 0);
    head.writeUInt32LE(props.length, 4);
    head.writeUInt32LE(propBytes.length, 8);
    head[12] = node.name.length;
    head.write(node.name, 13, 'latin1');
  };
  for (const node of nodes) writeNode(node);
  chunks.push(nullRecord);
  return Buffer.concat(chunks);
}

// ---- ZIP (APPNOTE.TXT: local headers, central directory, end record) ----

export function zip(entries: { name: string; data: Uint8Array; deflate?: boolean }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const body = e.deflate ? deflateRawSync(e.data) : Buffer.from(e.data);
    const crc = crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(e.deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(e.deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
