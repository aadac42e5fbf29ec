import type { Queryable } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import type { Principal } from '../../http/env.js';
import { notFound } from '../../http/problem.js';

/**
 * The account `accountId`, if `principal` may act for it: its own platform, or the account's own
 * key. Anyone else gets the same 404 as for an account that does not exist, so platforms
 * cannot probe each other's users.
 */
export async function actingAccount(db: Queryable, principal: Principal, accountId: string): Promise<Row<'accounts'>> {
  const account = await db.selectFrom('accounts').selectAll().where('id', '=', accountId).executeTakeFirst();
  if (!account || !mayActFor(principal, account)) throw notFound('account', accountId);
  return account;
}

export function mayActFor(principal: Principal, account: Pick<Row<'accounts'>, 'id' | 'platform_id'>): boolean {
  if (principal.kind === 'platform') return account.platform_id === principal.id;
  if (principal.kind === 'account') return account.id === principal.id;
  return false;
}

/** Reading an account: the operator, officials, its platform and itself. */
export async function visibleAccount(db: Queryable, principal: Principal, accountId: string): Promise<Row<'accounts'>> {
  const account = await db.selectFrom('accounts').selectAll().where('id', '=', accountId).executeTakeFirst();
  const ok = account && (principal.kind === 'operator' || principal.kind === 'official' || mayActFor(principal, account));
  if (!account || !ok) throw notFound('account', accountId);
  return account;
}

/** Any account by id, for naming a counterparty (a gift recipient, a co-creator) without acting for it. */
export async function existingAccount(db: Queryable, accountId: string): Promise<Row<'accounts'>> {
  const account = await db.selectFrom('accounts').selectAll().where('id', '=', accountId).executeTakeFirst();
  if (!account) throw notFound('account', accountId);
  return account;
}
