import { toHex } from '../../crypto/bytes.js';

/**
 * Where the verified bytes of a completed upload live: named by their SHA-256, written only by the
 * server. Its own module so that the media worker can name it without importing the HTTP layer.
 */
export function verifiedObjectKey(sha256Digest: Uint8Array): string {
  return `blobs/sha256/${toHex(sha256Digest)}`;
}
