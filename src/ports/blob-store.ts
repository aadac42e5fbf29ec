/** Object storage as the registry needs it: presigned uploads, then server-side checks and reads. */
export interface BlobStore {
  /** A URL the client can PUT the exact bytes to, with the given content type and length. */
  presignPut(key: string, opts: { contentType: string; contentLength: number; expiresInSeconds: number }): Promise<string>;
  /** Size of the stored object, or null when it does not exist. */
  stat(key: string): Promise<{ size: number } | null>;
  /** The whole object, or null when it does not exist. Callers bound sizes before reading. */
  read(key: string): Promise<Uint8Array | null>;
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
}
