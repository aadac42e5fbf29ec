import { describe, expect, it } from 'vitest';
import { checkPresignedPut } from './presigned-put.js';
import { s3BlobStore } from './s3-blob-store.js';

// Checked against URLs made by the AWS SDK's own presigner, as the uploads feature makes them.
const creds = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', region: 'us-east-1' };
const store = s3BlobStore({ ...creds, endpoint: 'http://127.0.0.1:8787', bucket: 'haipai', forcePathStyle: true });
const key = 'uploads/acc_01J/upl_01J/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';

async function presigned(expiresInSeconds = 900) {
  const url = new URL(await store.presignPut(key, { contentType: 'image/png', contentLength: 1234, expiresInSeconds }));
  const request = {
    method: 'PUT',
    url: `${url.pathname}${url.search}`,
    headers: { host: url.host, 'content-type': 'image/png', 'content-length': '1234' } as Record<string, string>,
  };
  return { url, request };
}

describe('checkPresignedPut', () => {
  it('accepts the presigner’s own URL with the headers it signed', async () => {
    const { request } = await presigned();
    expect(checkPresignedPut(request, creds, new Date())).toEqual({ ok: true });
  });

  it('refuses a changed length, key, host, method or signature, and another secret', async () => {
    const { request } = await presigned();
    const changed = [
      { ...request, headers: { ...request.headers, 'content-length': '1235' } },
      { ...request, headers: { ...request.headers, host: '127.0.0.1:9999' } },
      { ...request, url: request.url.replace('upl_01J', 'upl_02J') },
      { ...request, url: request.url.replace(/X-Amz-Signature=[0-9a-f]{4}/, 'X-Amz-Signature=0000') },
      { ...request, method: 'POST' },
    ];
    for (const r of changed)
      expect(checkPresignedPut(r, creds, new Date())).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
    expect(checkPresignedPut(request, { ...creds, secretAccessKey: 'other' }, new Date())).toMatchObject({ ok: false });
  });

  it('refuses it once expired', async () => {
    const { request } = await presigned(60);
    expect(checkPresignedPut(request, creds, new Date(Date.now() + 59_000))).toEqual({ ok: true });
    expect(checkPresignedPut(request, creds, new Date(Date.now() + 61_000))).toMatchObject({ ok: false, code: 'AccessDenied' });
  });
});
