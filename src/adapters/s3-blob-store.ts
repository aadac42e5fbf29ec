import { GetObjectCommand, HeadObjectCommand, NoSuchKey, NotFound, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { BlobStore } from '../ports/blob-store.js';

export interface S3Settings {
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Path-style URLs (http://host/bucket/key): needed by s3rver and MinIO, accepted by R2. */
  forcePathStyle?: boolean;
}

/** BlobStore over the S3 API: Cloudflare R2 in production, s3rver for the embedded default. */
export function s3BlobStore(s: S3Settings): BlobStore {
  const client = new S3Client({
    endpoint: s.endpoint,
    region: s.region,
    forcePathStyle: s.forcePathStyle ?? true,
    credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey },
    // Otherwise presigned PUTs carry an empty-body checksum that real R2/S3 reject.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const isMissing = (err: unknown) =>
    err instanceof NotFound ||
    err instanceof NoSuchKey ||
    (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 404;

  return {
    async presignPut(key, opts) {
      const command = new PutObjectCommand({
        Bucket: s.bucket,
        Key: key,
        ContentType: opts.contentType,
        ContentLength: opts.contentLength,
      });
      return getSignedUrl(client, command, { expiresIn: opts.expiresInSeconds });
    },
    async stat(key) {
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: s.bucket, Key: key }));
        return { size: Number(head.ContentLength ?? 0) };
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
    },
    async read(key) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: s.bucket, Key: key }));
        return out.Body ? new Uint8Array(await out.Body.transformToByteArray()) : new Uint8Array();
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
    },
    async put(key, body, contentType) {
      await client.send(new PutObjectCommand({ Bucket: s.bucket, Key: key, Body: body, ContentType: contentType }));
    },
  };
}
