import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';
import type { S3Settings } from './s3-blob-store.js';

/**
 * The embedded default's object store: s3rver, an S3-protocol server, in this process with its
 * files under `dir`. The app talks to it through the same S3 adapter as to R2.
 */
export async function startEmbeddedS3(opts: { dir: string; bucket: string; port?: number; host?: string }) {
  await mkdir(opts.dir, { recursive: true });
  const host = opts.host ?? '127.0.0.1';
  const server = new S3rver({
    address: host,
    port: opts.port ?? 0,
    directory: opts.dir,
    silent: true,
    configureBuckets: [{ name: opts.bucket, configs: [] }],
    allowMismatchedSignatures: false,
  });
  const address = (await server.run()) as AddressInfo;
  const settings: S3Settings = {
    endpoint: `http://${host}:${address.port}`,
    region: 'us-east-1',
    bucket: opts.bucket,
    // s3rver's fixed development credentials
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    forcePathStyle: true,
  };
  return { settings, close: () => server.close() };
}
