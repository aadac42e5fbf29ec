import type { Trx } from '../../db/database.js';
import { notFound, unprocessable } from '../../http/problem.js';
import { territoriesCover } from './territories.js';

export interface CitedGrant {
  grantId: string;
  /** Where the derivative will be exploited: must lie within the grant's territories. */
  territory: string;
}

/**
 * A derivative of `parentId` may be registered under a licence grant even where the parent's
 * public licence forbids derivatives: the grant must be of that parent, held by the derivative's
 * rights holder, in force now, permit derivatives, include `derivative_design` in its scope and
 * cover the cited territory. Each failure is a 422 with its own code. Returns the grant's id, which
 * asset_parents keeps so that the grant's derivative royalty flows up that edge.
 */
export async function checkDerivativeGrant(
  trx: Trx,
  cited: CitedGrant,
  parentId: string,
  rightsHolderId: string,
  now: Date,
): Promise<string> {
  const grant = await trx
    .selectFrom('licence_grants')
    .selectAll()
    .where('id', '=', cited.grantId)
    .forKeyShare()
    .executeTakeFirst();
  if (!grant) throw notFound('licence grant', cited.grantId);
  const refuse = (code: string, detail: string): never => {
    throw unprocessable(code, detail, { grantId: grant.id, parentId });
  };
  if (grant.asset_id !== parentId)
    refuse('grant_not_for_parent', `Licence grant ${grant.id} is not a grant of parent ${parentId}.`);
  if (grant.licensee_id !== rightsHolderId)
    refuse('grant_not_held', `Licence grant ${grant.id} is not held by ${rightsHolderId}.`);
  if (grant.status !== 'active' || now < grant.starts_at || now >= grant.ends_at) {
    refuse(
      'grant_not_in_force',
      `Licence grant ${grant.id} is not in force now (${grant.status}, ${grant.starts_at.toISOString()}–${grant.ends_at.toISOString()}).`,
    );
  }
  if (!grant.derivatives_allowed)
    refuse('grant_forbids_derivatives', `Licence grant ${grant.id} does not permit derivative works.`);
  if (!grant.uses.includes('derivative_design')) {
    refuse('grant_scope_excludes_derivatives', `The scope of licence grant ${grant.id} does not include derivative_design.`);
  }
  if (!territoriesCover(grant.territories, cited.territory)) {
    refuse('grant_territory_excludes', `Licence grant ${grant.id} does not cover territory ${cited.territory}.`);
  }
  return grant.id;
}
