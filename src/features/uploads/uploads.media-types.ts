/**
 * Media types a work's files may have. Anything else is refused with 415 `unsupported_media_type`
 * before a URL is issued, so the bucket only ever holds formats the media worker knows how to check.
 *
 * IANA-registered types wherever one exists. Two notes:
 * - VRM avatars are glTF binaries (a GLB with the VRM extension), so they are `model/gltf-binary`;
 *   the media worker tells them apart by the extension inside the file, not by the declared type.
 * - FBX has no registered media type (`application/octet-stream` is what tools send, and it says
 *   nothing). We accept the vendor-tree style `model/vnd.fbx` as an explicit label instead.
 */
export const UPLOAD_MEDIA_TYPES = {
  'image/png': { extensions: ['png'], use: 'texture, preview' },
  'image/jpeg': { extensions: ['jpg', 'jpeg'], use: 'texture, preview' },
  'image/webp': { extensions: ['webp'], use: 'texture, preview' },
  'image/gif': { extensions: ['gif'], use: 'preview' },
  'image/avif': { extensions: ['avif'], use: 'texture, preview' },
  'model/gltf-binary': { extensions: ['glb', 'vrm'], use: '3D model; VRM avatars' },
  'model/gltf+json': { extensions: ['gltf'], use: '3D model' },
  'model/obj': { extensions: ['obj'], use: '3D model' },
  'model/vnd.usdz+zip': { extensions: ['usdz'], use: '3D model for AR try-on' },
  'model/vnd.fbx': { extensions: ['fbx'], use: '3D model (not IANA-registered, see above)' },
  'application/zip': { extensions: ['zip'], use: 'garment package: a model with its textures' },
  'application/pdf': { extensions: ['pdf'], use: 'documents: licences, evidence of originality' },
} as const satisfies Record<string, { extensions: readonly string[]; use: string }>;

export type UploadMediaType = keyof typeof UPLOAD_MEDIA_TYPES;

/** The allow-listed type for a declared one (case-insensitive, no parameters), or null. */
export function allowedMediaType(declared: string): UploadMediaType | null {
  const normalized = declared.trim().toLowerCase();
  return Object.hasOwn(UPLOAD_MEDIA_TYPES, normalized) ? (normalized as UploadMediaType) : null;
}
