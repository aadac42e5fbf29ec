import { bytesEqual, fromHex, sha256, toHex } from '../../crypto/bytes.js';
import type { Deps } from '../../deps.js';
import type { Principal } from '../../http/env.js';
import { AppError, conflict, notFound, unprocessable } from '../../http/problem.js';
import { newId } from '../../ids.js';
import { enqueueMediaJob } from '../media/jobs.repo.js';
import { actingAccount, mayActFor } from '../parties/access.js';
import { verifiedObjectKey } from './object-keys.js';
import { allowedMediaType, UPLOAD_MEDIA_TYPES } from './uploads.media-types.js';
import { findUpload, insertUpload, lockUpload, markCompleted, type UploadRow } from './uploads.repo.js';

export function presentUpload(u: UploadRow) {
  return {
    id: u.id,
    accountId: u.account_id,
    mediaType: u.media_type,
    size: Number(u.size),
    sha256: toHex(u.sha256),
    filename: u.filename,
    status: u.status,
    createdAt: u.created_at.toISOString(),
    expiresAt: u.expires_at.toISOString(),
    completedAt: u.completed_at?.toISOString() ?? null,
  };
}

export interface NewUpload {
  accountId: string;
  mediaType: string;
  size: number;
  sha256: string;
  filename?: string;
}

/**
 * Records a pending upload and presigns a PUT for it. The object key names the account, the
 * upload and the declared hash, so a stored object can be checked against its own name; it is
 * never reused, and the ULID's randomness makes it unguessable.
 */
export async function createUpload(deps: Deps, principal: Principal, input: NewUpload) {
  const { db, blobs, clock, config } = deps;
  const mediaType = allowedMediaType(input.mediaType);
  if (!mediaType) {
    throw new AppError(415, 'unsupported_media_type', `Uploads of type "${input.mediaType}" are not accepted.`, {
      allowed: Object.keys(UPLOAD_MEDIA_TYPES),
    });
  }
  if (input.size > config.MAX_UPLOAD_BYTES) {
    throw new AppError(413, 'upload_too_large', `Uploads are limited to ${config.MAX_UPLOAD_BYTES} bytes.`, {
      maxBytes: config.MAX_UPLOAD_BYTES,
    });
  }
  const account = await actingAccount(db, principal, input.accountId);
  const id = newId('upl');
  const objectKey = `uploads/${account.id}/${id}/${input.sha256}`;
  const now = clock.now();
  const ttl = config.UPLOAD_URL_TTL;
  // Presign first: if it fails, nothing was written.
  const uploadUrl = await blobs.presignPut(objectKey, {
    contentType: mediaType,
    contentLength: input.size,
    expiresInSeconds: ttl,
  });
  const row = await insertUpload(db, {
    id,
    account_id: account.id,
    platform_id: account.platform_id,
    media_type: mediaType,
    size: input.size,
    sha256: fromHex(input.sha256),
    object_key: objectKey,
    filename: input.filename ?? null,
    status: 'pending',
    created_at: now,
    expires_at: new Date(now.getTime() + ttl * 1000),
    completed_at: null,
  });
  return {
    ...presentUpload(row),
    uploadUrl,
    method: 'PUT' as const,
    headers: { 'content-type': mediaType },
  };
}

/** The upload, if `principal` may act for its account; otherwise the same 404 as a missing one. */
export async function visibleUpload(deps: Pick<Deps, 'db'>, principal: Principal, id: string): Promise<UploadRow> {
  const upload = await findUpload(deps.db, id);
  if (!upload || !mayActFor(principal, { id: upload.account_id, platform_id: upload.platform_id })) {
    throw notFound('upload', id);
  }
  return upload;
}

/**
 * Verifies the stored object against the declared size and SHA-256, then marks the upload
 * completed. The object is read and hashed before any transaction opens (it may be tens of MB);
 * the status change then happens under a row lock, so concurrent completes of one upload agree.
 * A refusal writes nothing: the upload stays pending and the client may PUT again and retry.
 */
export async function completeUpload(deps: Deps, principal: Principal, id: string): Promise<UploadRow> {
  const { db, blobs, clock } = deps;
  const upload = await visibleUpload(deps, principal, id);
  if (upload.status === 'completed') return upload;
  const now = clock.now();
  if (now >= upload.expires_at) {
    throw conflict('upload_expired', `Upload ${id} expired at ${upload.expires_at.toISOString()}; start a new upload.`);
  }

  const declaredSize = Number(upload.size);
  const stat = await blobs.stat(upload.object_key);
  if (!stat) throw missing(id);
  if (stat.size !== declaredSize) throw sizeMismatch(id, declaredSize, stat.size);
  // Sizes are bounded by MAX_UPLOAD_BYTES at creation, so reading the whole object is safe.
  const bytes = await blobs.read(upload.object_key);
  if (!bytes) throw missing(id);
  if (bytes.length !== declaredSize) throw sizeMismatch(id, declaredSize, bytes.length);
  const actual = await sha256(bytes);
  if (!bytesEqual(actual, upload.sha256)) {
    throw unprocessable('upload_hash_mismatch', `The stored object's SHA-256 is not the one declared for upload ${id}.`, {
      declared: toHex(upload.sha256),
      actual: toHex(actual),
    });
  }

  // The presigned URL stays usable until it expires, so the staging object could still be
  // overwritten after this check. The verified bytes are therefore copied to a content-addressed
  // key that no URL can write to; everything downstream reads from there.
  await blobs.put(verifiedObjectKey(actual), bytes, upload.media_type);

  return db.transaction().execute(async (trx) => {
    const locked = await lockUpload(trx, id);
    if (!locked) throw notFound('upload', id);
    if (locked.status === 'completed') return locked;
    const completed = await markCompleted(trx, id, now);
    // The media worker analyses every completed upload; its job commits with the completion.
    await enqueueMediaJob(trx, id, now);
    return completed;
  });
}

export { verifiedObjectKey };

const missing = (id: string) =>
  conflict('upload_missing', `Nothing has been uploaded for upload ${id} yet; PUT the file to its uploadUrl first.`);

const sizeMismatch = (id: string, declared: number, actual: number) =>
  unprocessable('upload_size_mismatch', `Upload ${id} declared ${declared} bytes but ${actual} were stored.`, {
    declared,
    actual,
  });
