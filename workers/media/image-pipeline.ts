import sharp, { type OutputInfo } from 'sharp';
import { MediaRefusal } from './errors.js';
import { dHash, isLowDetail, pHash } from './perceptual-hash.js';
import { encodeBlurHash } from './blurhash.js';

export type SharpFactory = typeof sharp;

/** Longest side of each preview, in pixels (never enlarged). */
export const PREVIEW_SIZES = { small: 256, large: 1024 } as const;

export interface RenderedPreview {
  bytes: Uint8Array;
  width: number;
  height: number;
}

export interface RenderedImage {
  previews: { small: RenderedPreview; large: RenderedPreview };
  dhash: bigint;
  phash: bigint;
  lowDetail: boolean;
  blurhash: string;
}

/**
 * Decodes an image once, to the large preview's size, and derives everything else from that
 * raster: the two WebP previews, the greyscale renditions the perceptual hashes need, and the
 * BlurHash. The caller has already checked the header's pixel count; `limitInputPixels` makes sharp
 * check it again. Only the first frame of an animation is read.
 */
export async function renderImage(bytes: Uint8Array, opts: { sharp?: SharpFactory; maxPixels: number }): Promise<RenderedImage> {
  const make = opts.sharp ?? sharp;
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    decoded = await make(bytes, { limitInputPixels: opts.maxPixels, failOn: 'error', pages: 1 })
      .rotate()
      .resize(PREVIEW_SIZES.large, PREVIEW_SIZES.large, { fit: 'inside', withoutEnlargement: true })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new MediaRefusal('unreadable_image', `The image does not decode: ${(err as Error).message}`);
  }
  const { width, height, channels } = decoded.info;
  const raster = () => make(decoded.data, { raw: { width, height, channels: channels as 3 | 4 } });
  const grey = (w: number, h: number) =>
    raster()
      .flatten({ background: '#ffffff' })
      .resize(w, h, { fit: 'fill' })
      .greyscale()
      .toColourspace('b-w')
      .raw({ depth: 'uchar' })
      .toBuffer();
  const webp = async (size: number, quality: number): Promise<RenderedPreview> => {
    const out = await raster()
      .resize(size, size, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality })
      .toBuffer({ resolveWithObject: true });
    return { bytes: new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.length), width: out.info.width, height: out.info.height };
  };
  const [large, small, grey32, grey9x8, blur] = await Promise.all([
    webp(PREVIEW_SIZES.large, 80),
    webp(PREVIEW_SIZES.small, 75),
    grey(32, 32),
    grey(9, 8),
    raster().resize(32, 32, { fit: 'inside' }).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true }),
  ]);
  const g32 = new Uint8Array(grey32.buffer, grey32.byteOffset, grey32.length);
  const aspect = width / height;
  return {
    previews: { small, large },
    dhash: dHash(new Uint8Array(grey9x8.buffer, grey9x8.byteOffset, grey9x8.length)),
    phash: pHash(g32),
    lowDetail: isLowDetail(g32),
    blurhash: encodeBlurHash(
      new Uint8Array(blur.data.buffer, blur.data.byteOffset, blur.data.length),
      blur.info.width,
      blur.info.height,
      blur.info.channels,
      aspect >= 1 ? 4 : 3,
      aspect >= 1 ? 3 : 4,
    ),
  };
}
