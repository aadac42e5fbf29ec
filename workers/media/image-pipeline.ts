import sharp, { type OutputInfo } from 'sharp';
import { encodeBlurHash } from './blurhash.js';
import { MediaRefusal } from './errors.js';
import { dHash, isLowDetail, pHash } from './perceptual-hash.js';

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
  type Raster = { data: Buffer; info: { width: number; height: number; channels: number } };
  const from = (r: Raster) =>
    make(r.data, { raw: { width: r.info.width, height: r.info.height, channels: r.info.channels as 3 | 4 } });
  const webp = async (r: Raster, size: number, quality: number): Promise<RenderedPreview> => {
    const out = await from(r)
      .resize(size, size, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality })
      .toBuffer({ resolveWithObject: true });
    return {
      bytes: new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.length),
      width: out.info.width,
      height: out.info.height,
    };
  };
  // The small preview's raster feeds everything small: it is 16 times fewer pixels than the large one.
  const smallRaster = async (): Promise<Raster> =>
    make(decoded.data, { raw: { width, height, channels: channels as 3 | 4 } })
      .resize(PREVIEW_SIZES.small, PREVIEW_SIZES.small, { fit: 'inside', withoutEnlargement: true })
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  const grey = (r: Raster, w: number, h: number) =>
    from(r)
      .flatten({ background: '#ffffff' })
      .resize(w, h, { fit: 'fill' })
      .greyscale()
      .toColourspace('b-w')
      .raw({ depth: 'uchar' })
      .toBuffer();
  const [large, [small, grey32, grey9x8, blur]] = await Promise.all([
    webp(decoded, PREVIEW_SIZES.large, 80),
    smallRaster().then((r) =>
      Promise.all([
        webp(r, PREVIEW_SIZES.small, 75),
        grey(r, 32, 32),
        grey(r, 9, 8),
        from(r).resize(32, 32, { fit: 'inside' }).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true }),
      ]),
    ),
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
