import type { MediaFormat } from '../../src/features/media/media.types.js';

export interface ImageDimensions {
  width: number;
  height: number;
}

/**
 * Pixel dimensions read from an image's header alone, without decoding anything: the check against
 * decompression bombs must happen before a decoder allocates a frame. null when the header is
 * missing or truncated. Layouts: PNG IHDR (ISO/IEC 15948 §11.2.2); JPEG SOFn (ITU T.81 §B.2.2);
 * GIF logical screen descriptor (GIF89a §18); WebP VP8/VP8L/VP8X (RFC 9649 §2.5–2.7); AVIF `ispe`
 * item properties (ISO/IEC 23008-12 §6.5.3), taking the largest when several images are stored.
 */
export function readImageDimensions(format: MediaFormat, bytes: Uint8Array): ImageDimensions | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const has = (n: number) => bytes.length >= n;
  const tag = (o: number) => String.fromCharCode(bytes[o]!, bytes[o + 1]!, bytes[o + 2]!, bytes[o + 3]!);
  switch (format) {
    case 'png':
      if (!has(24) || tag(12) !== 'IHDR') return null;
      return dims(view.getUint32(16), view.getUint32(20));
    case 'gif':
      if (!has(10)) return null;
      return dims(view.getUint16(6, true), view.getUint16(8, true));
    case 'webp':
      return webp(bytes, view, tag);
    case 'jpeg':
      return jpeg(bytes, view);
    case 'avif':
      return avif(bytes, view, tag);
    default:
      return null;
  }
}

function dims(width: number, height: number): ImageDimensions | null {
  return width > 0 && height > 0 ? { width, height } : null;
}

function webp(bytes: Uint8Array, view: DataView, tag: (o: number) => string): ImageDimensions | null {
  if (bytes.length < 30) return null;
  switch (tag(12)) {
    case 'VP8 ': // lossy: frame tag (3 bytes), start code 9d 01 2a, then 14-bit width and height
      if (bytes[23] !== 0x9d || bytes[24] !== 0x01 || bytes[25] !== 0x2a) return null;
      return dims(view.getUint16(26, true) & 0x3fff, view.getUint16(28, true) & 0x3fff);
    case 'VP8L': {
      // lossless: signature 0x2f, then width−1 and height−1 in 14 bits each
      if (bytes[20] !== 0x2f) return null;
      const bits = view.getUint32(21, true);
      return dims((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
    }
    case 'VP8X': {
      // extended: 24-bit canvas width−1 and height−1
      const w = bytes[24]! | (bytes[25]! << 8) | (bytes[26]! << 16);
      const h = bytes[27]! | (bytes[28]! << 8) | (bytes[29]! << 16);
      return dims(w + 1, h + 1);
    }
    default:
      return null;
  }
}

function jpeg(bytes: Uint8Array, view: DataView): ImageDimensions | null {
  let o = 2;
  while (o + 4 <= bytes.length) {
    if (bytes[o] !== 0xff) return null;
    const marker = bytes[o + 1]!;
    if (marker === 0xff) {
      o++; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      o += 2; // standalone markers carry no length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return null; // end of image, or scan data before any frame header
    const length = view.getUint16(o + 2);
    if (length < 2) return null;
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (o + 9 > bytes.length) return null;
      return dims(view.getUint16(o + 7), view.getUint16(o + 5));
    }
    o += 2 + length;
  }
  return null;
}

function avif(bytes: Uint8Array, view: DataView, tag: (o: number) => string): ImageDimensions | null {
  let best: ImageDimensions | null = null;
  // Boxes whose children are boxes; `meta` is a full box (4 bytes of version and flags first).
  const containers: Record<string, number> = { meta: 4, iprp: 0, ipco: 0 };
  const walk = (start: number, end: number, depth: number) => {
    let o = start;
    while (o + 8 <= end && depth < 8) {
      let size = view.getUint32(o);
      const type = tag(o + 4);
      let header = 8;
      if (size === 1) {
        if (o + 16 > end) return;
        const large = view.getBigUint64(o + 8);
        if (large > BigInt(end - o)) return;
        size = Number(large);
        header = 16;
      } else if (size === 0) {
        size = end - o;
      }
      if (size < header || o + size > end) return;
      if (type in containers) walk(o + header + containers[type]!, o + size, depth + 1);
      else if (type === 'ispe' && size >= header + 12) {
        const d = dims(view.getUint32(o + header + 4), view.getUint32(o + header + 8));
        if (d && (!best || d.width * d.height > best.width * best.height)) best = d;
      }
      o += size;
    }
  };
  walk(0, bytes.length, 0);
  return best;
}
