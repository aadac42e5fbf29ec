import type { Db } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import type { Scope } from '../../http/auth.js';
import type { Principal } from '../../http/env.js';
import { conflict, forbidden, notFound } from '../../http/problem.js';
import { newId } from '../../ids.js';
import { actingAccount } from './access.js';
import { type IssuedKey, issueApiKey } from './api-keys.service.js';

export function presentPlatform(p: Row<'platforms'>) {
  return { id: p.id, name: p.name, feeBps: p.fee_bps, createdAt: p.created_at.toISOString() };
}

export function presentOfficial(o: Row<'officials'>) {
  return { id: o.id, name: o.name, office: o.office, createdAt: o.created_at.toISOString() };
}

export function presentAccount(a: Row<'accounts'>) {
  return {
    id: a.id,
    platformId: a.platform_id,
    kind: a.kind,
    displayName: a.display_name,
    externalRef: a.external_ref,
    kycLevel: a.kyc_level,
    isAdult: a.is_adult,
    attestedAt: a.attested_at?.toISOString() ?? null,
    createdAt: a.created_at.toISOString(),
  };
}

export async function createPlatform(db: Db, input: { name: string; feeBps: number }, now: Date) {
  return db.transaction().execute(async (trx) => {
    const platform = await trx
      .insertInto('platforms')
      .values({ id: newId('plt'), name: input.name, fee_bps: input.feeBps, created_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
    const apiKey = await issueApiKey(trx, { kind: 'platform', id: platform.id }, ['read', 'write'], 'initial', now);
    return { platform, apiKey };
  });
}

export async function createOfficial(db: Db, input: { name: string; office: string }, now: Date) {
  return db.transaction().execute(async (trx) => {
    const official = await trx
      .insertInto('officials')
      .values({ id: newId('off'), name: input.name, office: input.office, created_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
    const apiKey = await issueApiKey(trx, { kind: 'official', id: official.id }, ['read', 'write'], 'initial', now);
    return { official, apiKey };
  });
}

export async function createAccount(
  db: Db,
  platformId: string,
  input: { kind: 'person' | 'organization'; displayName: string; externalRef?: string },
  now: Date,
) {
  const inserted = await db
    .insertInto('accounts')
    .values({
      id: newId('acc'),
      platform_id: platformId,
      kind: input.kind,
      display_name: input.displayName,
      external_ref: input.externalRef ?? null,
      created_at: now,
    })
    .onConflict((oc) => oc.columns(['platform_id', 'external_ref']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!inserted) {
    throw conflict('external_ref_taken', `This platform already has an account with externalRef "${input.externalRef}".`);
  }
  return inserted;
}

export async function attestAccount(
  db: Db,
  principal: Principal,
  accountId: string,
  input: { kycLevel: 'none' | 'basic' | 'verified'; isAdult: boolean; method: string },
  now: Date,
) {
  if (principal.kind !== 'platform') throw forbidden("Only the account's platform attests real names.", 'wrong_role');
  return db.transaction().execute(async (trx) => {
    const account = await actingAccount(trx, principal, accountId);
    await trx
      .insertInto('attestations')
      .values({
        id: newId('att'),
        account_id: account.id,
        platform_id: account.platform_id,
        kyc_level: input.kycLevel,
        is_adult: input.isAdult,
        method: input.method,
        attested_at: now,
      })
      .execute();
    return trx
      .updateTable('accounts')
      .set({ kyc_level: input.kycLevel, is_adult: input.isAdult, attested_at: now })
      .where('id', '=', account.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

/** Who may hold keys for whom: the operator issues to platforms and officials, platforms to their accounts. */
export async function issueKeyFor(
  db: Db,
  principal: Principal,
  input: { subjectId: string; scopes: Scope[]; label?: string },
  now: Date,
): Promise<IssuedKey> {
  const prefix = input.subjectId.slice(0, 3);
  if (prefix === 'acc') {
    if (principal.kind !== 'platform') throw forbidden("Account keys are issued by the account's platform.", 'wrong_role');
    await actingAccount(db, principal, input.subjectId);
    return issueApiKey(db, { kind: 'account', id: input.subjectId }, input.scopes, input.label ?? null, now);
  }
  if (principal.kind !== 'operator') throw forbidden('Platform and official keys are issued by the operator.', 'wrong_role');
  const kind = prefix === 'plt' ? 'platform' : 'official';
  const table = kind === 'platform' ? 'platforms' : 'officials';
  const exists = await db.selectFrom(table).select('id').where('id', '=', input.subjectId).executeTakeFirst();
  if (!exists) throw notFound(kind, input.subjectId);
  return issueApiKey(db, { kind, id: input.subjectId }, input.scopes, input.label ?? null, now);
}

export async function revokeKey(db: Db, principal: Principal, keyId: string, now: Date) {
  const key = await db.selectFrom('api_keys').selectAll().where('id', '=', keyId).executeTakeFirst();
  if (!key) throw notFound('api key', keyId);
  let allowed = principal.kind === 'operator' || (principal.kind === key.principal_kind && principal.id === key.principal_id);
  if (!allowed && principal.kind === 'platform' && key.principal_kind === 'account') {
    const owner = await db.selectFrom('accounts').select('platform_id').where('id', '=', key.principal_id).executeTakeFirst();
    allowed = owner?.platform_id === principal.id;
  }
  if (!allowed) throw notFound('api key', keyId);
  const revoked = await db
    .updateTable('api_keys')
    .set({ revoked_at: key.revoked_at ?? now })
    .where('id', '=', keyId)
    .returning(['id', 'revoked_at'])
    .executeTakeFirstOrThrow();
  return { id: revoked.id, revokedAt: (revoked.revoked_at ?? now).toISOString() };
}
