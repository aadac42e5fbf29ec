import { mkdir } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';
import { checkPresignedPut } from './presigned-put.js';
import type { S3Settings } from './s3-blob-store.js';

/**
 * The embedded default's object store: s3rver, an S3-protocol server, in this process with its
 * files under `dir`. The app talks to it through the same S3 adapter as to R2, on the port it
 * listens on (`port`, default any free one). `presignedPuts` lets another HTTP server — the API's
 * own, so the embedded default needs one port only — take clients' presigned uploads, after
 * checking their signature and expiry here (s3rver accepts any V4 signature unchecked).
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
  const handle = server.callback();
  const presignedPuts = {
    /** A PUT to `/<bucket>/<key>` carrying a SigV4 query signature: the only request clients make. */
    matches(req: IncomingMessage): boolean {
      if (req.method !== 'PUT' || !req.url?.startsWith(`/${opts.bucket}/`)) return false;
      return new URL(req.url, 'http://x').searchParams.has('X-Amz-Signature');
    },
    handle(req: IncomingMessage, res: ServerResponse) {
      const check = checkPresignedPut(
        req as { method: string; url: string; headers: IncomingMessage['headers'] },
        settings,
        new Date(),
      );
      if (check.ok) return void handle(req, res);
      // S3's own error shape, which S3 clients parse.
      const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${check.code}</Code><Message>${check.message}</Message></Error>`;
      res.writeHead(403, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    },
  };
  return { settings, presignedPuts, close: () => server.close() };
}
