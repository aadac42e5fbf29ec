import sharp from 'sharp';
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

type Raster = { data: Buffer; info: { width: number; height: number; channels: number } };

/** The first frame decoded to the large preview's size (sharp checks the pixel limit again). */
async function decodeToLarge(make: SharpFactory, bytes: Uint8Array, maxPixels: number): Promise<Raster> {
  try {
    return await make(bytes, { limitInputPixels: maxPixels, failOn: 'error', pages: 1 })
      .rotate()
      .resize(PREVIEW_SIZES.large, PREVIEW_SIZES.large, { fit: 'inside', withoutEnlargement: true })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new MediaRefusal('unreadable_image', `The image does not decode: ${(err as Error).message}`);
  }
}

const fromRaster = (make: SharpFactory, r: Raster) =>
  make(r.data, { raw: { width: r.info.width, height: r.info.height, channels: r.info.channels as 3 | 4 } });

// The small preview's raster feeds everything small: it is 16 times fewer pixels than the large one.
const shrinkToSmall = (make: SharpFactory, large: Raster): Promise<Raster> =>
  fromRaster(make, large)
    .resize(PREVIEW_SIZES.small, PREVIEW_SIZES.small, { fit: 'inside', withoutEnlargement: true })
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });

export interface ImageFingerprint {
  dhash: bigint;
  phash: bigint;
  lowDetail: boolean;
}

/** dHash, pHash and the low-detail test, from the small raster's greyscale renditions. */
async function fingerprint(make: SharpFactory, small: Raster): Promise<ImageFingerprint> {
  const grey = (w: number, h: number) =>
    fromRaster(make, small)
      .flatten({ background: '#ffffff' })
      .resize(w, h, { fit: 'fill' })
      .greyscale()
      .toColourspace('b-w')
      .raw({ depth: 'uchar' })
      .toBuffer();
  const [grey32, grey9x8] = await Promise.all([grey(32, 32), grey(9, 8)]);
  const g32 = new Uint8Array(grey32.buffer, grey32.byteOffset, grey32.length);
  return {
    dhash: dHash(new Uint8Array(grey9x8.buffer, grey9x8.byteOffset, grey9x8.length)),
    phash: pHash(g32),
    lowDetail: isLowDetail(g32),
  };
}

/**
 * The perceptual hashes alone (textures inside 3D files), through exactly the decode and resize
 * steps renderImage takes, so a texture that is a copy of an uploaded image hashes like it. The
 * caller has already checked the header's pixel count.
 */
export async function hashImage(bytes: Uint8Array, opts: { sharp?: SharpFactory; maxPixels: number }): Promise<ImageFingerprint> {
  const make = opts.sharp ?? sharp;
  const large = await decodeToLarge(make, bytes, opts.maxPixels);
  return fingerprint(make, await shrinkToSmall(make, large));
}

/**
 * Decodes an image once, to the large preview's size, and derives everything else from that
 * raster: the two WebP previews, the greyscale renditions the perceptual hashes need, and the
 * BlurHash. The caller has already checked the header's pixel count; `limitInputPixels` makes sharp
 * check it again. Only the first frame of an animation is read.
 */
export async function renderImage(bytes: Uint8Array, opts: { sharp?: SharpFactory; maxPixels: number }): Promise<RenderedImage> {
  const make = opts.sharp ?? sharp;
  const decoded = await decodeToLarge(make, bytes, opts.maxPixels);
  const { width, height } = decoded.info;
  const webp = async (r: Raster, size: number, quality: number): Promise<RenderedPreview> => {
    const out = await fromRaster(make, r)
      .resize(size, size, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality })
      .toBuffer({ resolveWithObject: true });
    return {
      bytes: new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.length),
      width: out.info.width,
      height: out.info.height,
    };
  };
  const [large, [small, hashes, blur]] = await Promise.all([
    webp(decoded, PREVIEW_SIZES.large, 80),
    shrinkToSmall(make, decoded).then((r) =>
      Promise.all([
        webp(r, PREVIEW_SIZES.small, 75),
        fingerprint(make, r),
        fromRaster(make, r).resize(32, 32, { fit: 'inside' }).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true }),
      ]),
    ),
  ]);
  const aspect = width / height;
  return {
    previews: { small, large },
    ...hashes,
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
