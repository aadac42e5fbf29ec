import { randomBytes, sha256, toBase64Url } from '../../crypto/bytes.js';
import type { Queryable } from '../../db/database.js';
import type { PrincipalKind } from '../../db/schema.js';
import type { Scope } from '../../http/auth.js';
import { newId } from '../../ids.js';

export interface IssuedKey {
  id: string;
  /** Shown once, never stored: only its SHA-256 is kept. */
  secret: string;
  scopes: Scope[];
}

/** A fresh random key (256 bits) for a principal. */
export async function issueApiKey(
  db: Queryable,
  subject: { kind: Exclude<PrincipalKind, 'operator'>; id: string },
  scopes: Scope[],
  label: string | null,
  now: Date,
): Promise<IssuedKey> {
  const secret = `hpk_${toBase64Url(randomBytes(32))}`;
  const id = newId('key');
  await db
    .insertInto('api_keys')
    .values({
      id,
      secret_hash: await sha256(secret),
      principal_kind: subject.kind,
      principal_id: subject.id,
      scopes,
      label,
      created_at: now,
    })
    .execute();
  return { id, secret, scopes };
}
