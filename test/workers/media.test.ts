import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { call, newAccount, newPlatform } from './worker-client.js';

// The Worker analyses no media itself: a submission waits for the Node media worker (`npm run
// media`), which global-setup.ts runs against this run's database and bucket, as a deployment runs
// it next to the Worker. If that process did not analyse the upload, the submission would end in
// 409 media_pending after MEDIA_SUBMIT_WAIT.

// A 1×1 PNG; this run's database is new, so no other work holds the same file.
const PNG = Uint8Array.from(
  atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=='),
  (c) => c.charCodeAt(0),
);

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}

it('a work submitted through the Worker is screened with the analysis of the Node media worker', async () => {
  const p = await newPlatform('Bund Digital Fashion');
  const designer = await newAccount(p.key, 'Neon Shanghai Studio');
  const upload = await call('POST', '/v1/uploads', {
    key: p.key,
    body: { accountId: designer, mediaType: 'image/png', size: PNG.length, sha256: await sha256Hex(PNG) },
  });
  expect(upload.status, upload.text).toBe(201);
  const put = await fetch(upload.body.uploadUrl, { method: 'PUT', headers: upload.body.headers, body: PNG });
  expect(put.status).toBe(200);
  const completed = await call('POST', `/v1/uploads/${upload.body.id}/complete`, { key: p.key });
  expect(completed.status, completed.text).toBe(200);

  const draft = await call('POST', '/v1/assets', {
    key: p.key,
    body: {
      kind: 'garment',
      title: '旗袍之光 Qipao of Light',
      category: 'digital_creative',
      rightsHolderId: designer,
      creators: [{ accountId: designer, role: 'designer', shareBps: 10000 }],
      claimedCreatedOn: '2026-05-20',
      originalityStatement: 'Drawn by hand.',
      licence: { commercialUse: 'personal', derivativesAllowed: true },
      files: [{ uploadId: upload.body.id, purpose: 'preview' }],
    },
  });
  expect(draft.status, draft.text).toBe(201);

  // The Worker waits (MEDIA_SUBMIT_WAIT) while the media worker, another process, analyses the file.
  const submitted = await call('POST', `/v1/assets/${draft.body.id}/submit`, { key: p.key });
  expect(submitted.status, submitted.text).toBe(200);
  expect(submitted.body.status).toBe('submitted');

  const media = await call('GET', `/v1/uploads/${upload.body.id}/media`, { key: env.OPERATOR_API_KEY });
  expect(media.status, media.text).toBe(200);
  expect(media.body).toMatchObject({ status: 'done', verdict: 'accepted', format: 'png', image: { width: 1, height: 1 } });
});
