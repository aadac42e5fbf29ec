import { createHash } from 'node:crypto';
import {
  createHaipaiClient,
  type HaipaiClient,
  idempotent,
  ProblemError,
  type RequestBody,
  type Schemas,
  unwrap,
} from '../../clients/typescript/src/index.js';
import { demoImage } from '../demo-image.js';
import { SeedError } from './target.js';

/** A platform as the seed drives it: its id and a client carrying its key. */
export interface Platform {
  id: string;
  name: string;
  key: string;
  api: HaipaiClient;
}

export type Asset = Schemas['Asset'];
/** A work as the seed describes it; the preview file is drawn and uploaded for it. */
export type NewWork = Omit<RequestBody<'/v1/assets', 'post'>, 'files'>;

export async function createPlatform(operator: HaipaiClient, baseUrl: string, name: string, feeBps: number): Promise<Platform> {
  const created = unwrap(await operator.POST('/v1/platforms', { body: { name, feeBps }, headers: idempotent() }));
  const key = created.apiKey.secret;
  return { id: created.platform.id, name, key, api: createHaipaiClient({ baseUrl, apiKey: key }) };
}

/** An account of the platform with a verified real-name attestation (adult). */
export async function createAccount(p: Platform, displayName: string, kind: 'person' | 'organization' = 'person') {
  const account = unwrap(await p.api.POST('/v1/accounts', { body: { kind, displayName }, headers: idempotent() }));
  unwrap(
    await p.api.POST('/v1/accounts/{id}/attestations', {
      params: { path: { id: account.id } },
      body: { kycLevel: 'verified', isAdult: true, method: kind === 'person' ? 'id_card_face_match' : 'business_licence' },
      headers: idempotent(),
    }),
  );
  return account.id;
}

/** Uploads a freshly drawn preview for `accountId`: declare, PUT to the presigned URL, complete. */
export async function uploadPreview(p: Platform, accountId: string, filename: string): Promise<string> {
  const png = await demoImage();
  const upload = unwrap(
    await p.api.POST('/v1/uploads', {
      body: {
        accountId,
        mediaType: 'image/png',
        size: png.length,
        sha256: createHash('sha256').update(png).digest('hex'),
        filename,
      },
      headers: idempotent(),
    }),
  );
  const put = await fetch(upload.uploadUrl, { method: 'PUT', headers: upload.headers, body: new Uint8Array(png) });
  if (!put.ok) throw new SeedError(`PUT ${filename} to the presigned URL failed: ${put.status} ${await put.text()}`);
  unwrap(await p.api.POST('/v1/uploads/{id}/complete', { params: { path: { id: upload.id } }, headers: idempotent() }));
  return upload.id;
}

/**
 * Registers a work the way a platform and an official do: a preview upload, the draft, the
 * submission (which waits for the media checks of the upload; after MEDIA_SUBMIT_WAIT the server
 * answers 409 media_pending, so it is sent again a few times), the official's review and approval.
 */
export async function registerWork(p: Platform, official: HaipaiClient, work: NewWork): Promise<Asset> {
  const uploadId = await uploadPreview(p, work.rightsHolderId, `${slug(work.title)}.png`);
  const draft = unwrap(
    await p.api.POST('/v1/assets', { body: { ...work, files: [{ uploadId, purpose: 'preview' }] }, headers: idempotent() }),
  );
  const id = { params: { path: { id: draft.id } } };
  for (let attempt = 1; ; attempt++) {
    try {
      unwrap(await p.api.POST('/v1/assets/{id}/submit', { ...id, headers: idempotent() }));
      break;
    } catch (err) {
      if (!(err instanceof ProblemError && err.code === 'media_pending' && attempt < 6)) throw err;
    }
  }
  unwrap(await official.POST('/v1/assets/{id}/review', { ...id, body: { action: 'start' }, headers: idempotent() }));
  const approved = unwrap(
    await official.POST('/v1/assets/{id}/review', { ...id, body: { action: 'approve' }, headers: idempotent() }),
  );
  if (approved.status !== 'registered') {
    throw new SeedError(
      `"${approved.title}" is ${approved.status}, not registered: start the server with NOTICE_PERIOD=0 to seed registered works.`,
    );
  }
  console.log(`registered ${approved.registrationNumber}  ${approved.kind.padEnd(13)} ${approved.title}`);
  return approved;
}

function slug(title: string): string {
  return (
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'work'
  );
}
