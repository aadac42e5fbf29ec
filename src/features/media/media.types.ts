/**
 * What the media worker stores about an upload (media_results), shared by the worker that writes it
 * and the API that presents it. No imports: the worker reads this without pulling in the HTTP layer.
 */

/** Real formats, told apart by magic bytes (never by the declared type or the file name). */
export const MEDIA_FORMATS = [
  'png',
  'jpeg',
  'webp',
  'gif',
  'avif',
  'glb',
  'vrm',
  'gltf',
  'obj',
  'fbx',
  'zip',
  'usdz',
  'pdf',
] as const;
export type MediaFormat = (typeof MEDIA_FORMATS)[number];

export const IMAGE_FORMATS: readonly MediaFormat[] = ['png', 'jpeg', 'webp', 'gif', 'avif'];
/** Formats that carry (or package) a 3D model. */
export const MODEL_FORMATS: readonly MediaFormat[] = ['glb', 'vrm', 'gltf', 'obj', 'fbx', 'zip', 'usdz'];

/** Why the worker refused an upload; the submission of a work with such a file names the rule. */
export const REFUSAL_RULES = [
  'hash_mismatch',
  'format_mismatch',
  'unrecognised_format',
  'image_too_large',
  'unreadable_image',
  'malformed_model',
  'archive_too_large',
] as const;
export type RefusalRule = (typeof REFUSAL_RULES)[number];

/** A rendered preview: WebP under `key` in object storage, named by the source's SHA-256. */
export interface PreviewInfo {
  key: string;
  width: number;
  height: number;
  bytes: number;
}

export type CommercialUse = 'none' | 'personal' | 'corporate';
export type Performers = 'only_author' | 'only_separately_licensed' | 'everyone';

/**
 * A file's own licence in the registry's vocabulary (licence.ts); null where the file says nothing
 * about a term. Compared with the registered licence to flag contradictions.
 */
export interface FileLicence {
  commercialUse: CommercialUse | null;
  derivativesAllowed: boolean | null;
  redistribution: boolean | null;
  attributionRequired: boolean | null;
  avatar: {
    performers: Performers | null;
    violentUse: boolean | null;
    sexualUse: boolean | null;
    politicalOrReligiousUse: boolean | null;
  };
}

/** VRM metadata: 0.x `extensions.VRM.meta` or 1.0 `extensions.VRMC_vrm.meta`. */
export interface VrmInfo {
  specVersion: '0.x' | '1.0';
  title: string | null;
  version: string | null;
  authors: string[];
  /** 1.0 `licenseUrl`, or 0.x `otherLicenseUrl`. */
  licenceUrl: string | null;
  /** 0.x `licenseName` (CC_BY, Redistribution_Prohibited, …); null for 1.0. */
  licenceName: string | null;
  /** The permission fields exactly as the file states them (1.0 defaults applied where absent). */
  permissions: Record<string, string | boolean | null>;
  licence: FileLicence;
}

export interface ModelInfo {
  container: 'glb' | 'gltf' | 'obj' | 'fbx' | 'zip' | 'usdz';
  /** null when the format cannot be counted without a full parser (USD crate files). */
  meshes: number | null;
  primitives: number | null;
  /** Sum of the POSITION accessor counts (glTF), `v` lines (OBJ), Vertices/3 (FBX). */
  vertices: number | null;
  textures: number | null;
  materials: number | null;
  /** glTF `asset.copyright` (or the VRM 1.0 copyrightInformation when that is all there is). */
  copyright: string | null;
  generator: string | null;
  vrm: VrmInfo | null;
  /** ZIP packages: how many entries, and which one was analysed as the model. */
  entries?: number;
  modelEntry?: string | null;
  /** Perceptual hashes of the embedded textures (GLB) or of the package's largest image (ZIP). */
  textureHashes?: TextureHash[];
}

/** One texture inside a 3D file, hashed like an uploaded image (hashes as 16 hex digits, unsigned). */
export interface TextureHash {
  /** Where it is: `images[2]` in a GLB, the entry name in a ZIP package. */
  source: string;
  format: 'png' | 'jpeg' | 'webp';
  width: number;
  height: number;
  dhash: string;
  phash: string;
  /** Too uniform to fingerprint: kept, but never searched or indexed. */
  lowDetail: boolean;
}
