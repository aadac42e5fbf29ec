import type { Db, Trx } from '../../db/database.js';
import { isExclusionViolation } from '../../db/errors.js';
import type { Principal } from '../../http/env.js';
import { conflict, notFound, unprocessable } from '../../http/problem.js';
import { newId } from '../../ids.js';
import { lockWork } from '../assets/assets.repo.js';
import { checkWorkTradable } from '../cases/work-gate.js';
import { recordEvent } from '../events/events.repo.js';
import type { Posting } from '../ledger/split.js';
import { checkFees } from '../market/sale-policy.js';
import { actingAccount } from '../parties/access.js';
import { takeRights } from './grant-rights.js';
import { payForLicence, postingFacts } from './licence-payments.js';
import { findOffer, type GrantRow, type OfferRow, requirePaid } from './licensing.repo.js';

/** What the `licence.granted` (or `licence.renewed`) event says: the grant's certificate. */
export function grantedFacts(
  offer: OfferRow,
  g: { id: string; licenseeId: string; startsAt: Date; endsAt: Date; renewalOf: string | null },
  rightsHolderId: string,
  paid: { journalId: string; postings: Posting[] } | null,
) {
  return {
    grantId: g.id,
    offerId: offer.id,
    assetId: offer.asset_id,
    licenseeId: g.licenseeId,
    rightsHolderId,
    uses: offer.uses,
    territories: offer.territories,
    startsAt: g.startsAt.toISOString(),
    endsAt: g.endsAt.toISOString(),
    exclusivity: offer.exclusivity,
    currency: offer.currency,
    upfrontFee: Number(offer.upfront_fee),
    royaltyBps: offer.royalty_bps,
    minimumGuarantee: Number(offer.minimum_guarantee),
    sublicensing: offer.sublicensing,
    derivativesAllowed: offer.derivatives_allowed,
    conditionsSha256: offer.conditions_sha256,
    renewalOf: g.renewalOf,
    journalId: paid?.journalId ?? null,
    postings: postingFacts(paid?.postings),
  };
}

/**
 * Makes a grant of `offer`'s terms for `[startsAt, endsAt)`: the rights (refused with 409
 * licence_conflict where an exclusive or sole grant is in the way), the upfront fee paid from
 * the licensee's balance through the sale split, and the `licence.granted` event, whose log
 * proof is the grant's certificate. The caller holds the work's lock.
 *
 * With `paymentDueAt` (the card rail) nothing is paid yet: the grant is `pending_payment`, holds
 * its rights all the same, and its event is `licence.payment_pending`; the payment's webhook
 * activates it (`card-payments.ts`) or the schedule lets it lapse.
 */
export async function makeGrant(
  trx: Trx,
  offer: OfferRow,
  g: {
    licenseeId: string;
    licenseePlatformId: string;
    startsAt: Date;
    endsAt: Date;
    autoRenew: boolean;
    renewalOf: string | null;
    paymentDueAt?: Date;
  },
  now: Date,
): Promise<GrantRow> {
  const platform = await trx
    .selectFrom('platforms')
    .select('fee_bps')
    .where('id', '=', offer.platform_id)
    .executeTakeFirstOrThrow();
  // splitSale cannot pay out more than the payment: refuse here rather than at the first royalty.
  checkFees(platform.fee_bps, offer.creator_share_bps);
  const id = newId('lgr');
  const terms = {
    asset_id: offer.asset_id,
    platform_id: offer.platform_id,
    uses: offer.uses,
    territories: offer.territories,
    exclusivity: offer.exclusivity,
    currency: offer.currency,
    upfront_fee: offer.upfront_fee,
    royalty_bps: offer.royalty_bps,
    minimum_guarantee: offer.minimum_guarantee,
    creator_share_bps: offer.creator_share_bps,
    sublicensing: offer.sublicensing,
    derivatives_allowed: offer.derivatives_allowed,
    derivative_royalty_bps: offer.derivative_royalty_bps,
    report_every_days: offer.report_every_days,
  };
  const pending = g.paymentDueAt !== undefined;
  const paid = pending
    ? null
    : await payForLicence(
        trx,
        { id, ...terms, licensee_id: g.licenseeId, fee_bps: platform.fee_bps },
        { kind: 'licence_fee', amount: offer.upfront_fee, currency: offer.currency, memo: `Upfront fee of licence grant ${id}` },
        now,
      );
  const rightsHolder = await trx
    .selectFrom('assets')
    .select('rights_holder_id')
    .where('id', '=', offer.asset_id)
    .executeTakeFirstOrThrow();
  const facts = grantedFacts(offer, { id, ...g }, rightsHolder.rights_holder_id, paid);
  const eventId = await recordEvent(trx, {
    type: pending ? 'licence.payment_pending' : g.renewalOf ? 'licence.renewed' : 'licence.granted',
    at: now,
    assetId: offer.asset_id,
    platformId: g.licenseePlatformId,
    facts: pending ? { ...facts, rail: 'stripe', paymentDueAt: g.paymentDueAt!.toISOString() } : facts,
  });
  const grant = await trx
    .insertInto('licence_grants')
    .values({
      id,
      offer_id: offer.id,
      ...terms,
      licensee_id: g.licenseeId,
      licensee_platform_id: g.licenseePlatformId,
      fee_bps: platform.fee_bps,
      starts_at: g.startsAt,
      ends_at: g.endsAt,
      auto_renew: g.autoRenew,
      renewal_of: g.renewalOf,
      status: pending ? 'pending_payment' : 'active',
      payment_due_at: g.paymentDueAt ?? null,
      reported_until: g.startsAt,
      fee_journal_id: paid?.journalId ?? null,
      event_id: eventId,
      created_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  // Last: a conflict here rolls back the payment and the event with everything else.
  await takeRights(trx, {
    grantId: id,
    assetId: offer.asset_id,
    uses: offer.uses,
    territories: offer.territories,
    startsAt: g.startsAt,
    endsAt: g.endsAt,
    exclusivity: offer.exclusivity,
  }).catch((err) => {
    if (isExclusionViolation(err)) throw conflict('licence_conflict', 'An exclusive or sole grant already covers this scope.');
    throw err;
  });
  return grant;
}

/** Whether an offer is open to `licenseeId` (offers naming accounts are invisible to everyone else). */
export function offeredTo(offer: OfferRow, licenseeId: string): boolean {
  return offer.open_to === null || offer.open_to.includes(licenseeId);
}

/**
 * The checks of an acceptance, in the transaction that makes the grant: the work locked first,
 * then the offer (the lock order of every licensing write). Returns the licensee, the locked offer
 * and the term's start (the offer's start, or now if later).
 */
export async function checkAcceptance(
  trx: Trx,
  principal: Principal,
  offerId: string,
  input: { licenseeId: string; autoRenew: boolean },
  now: Date,
) {
  const licensee = await actingAccount(trx, principal, input.licenseeId);
  const peek = await findOffer(trx, offerId);
  if (!offeredTo(peek, licensee.id)) throw notFound('licence offer', offerId);
  const work = await lockWork(trx, peek.asset_id);
  const offer = await trx
    .selectFrom('licence_offers')
    .selectAll()
    .where('id', '=', offerId)
    .forNoKeyUpdate()
    .executeTakeFirstOrThrow();
  if (offer.status !== 'open') throw conflict('offer_withdrawn', `Licence offer ${offerId} was withdrawn.`);
  if (now >= offer.ends_at)
    throw conflict('offer_expired', `The term of licence offer ${offerId} ended at ${offer.ends_at.toISOString()}.`);
  if (work.status !== 'registered')
    throw conflict('work_not_registered', `Work ${work.id} is ${work.status}; only registered works are licensed.`);
  // A work whose trading an IP case suspended is not licensed either (409 work_under_case).
  await checkWorkTradable(trx, work.id);
  if (licensee.id === work.rights_holder_id) {
    throw unprocessable('licensee_is_rights_holder', `Account ${licensee.id} holds the rights to work ${work.id} already.`);
  }
  if (input.autoRenew && !offer.renewable)
    throw unprocessable('offer_not_renewable', `Licence offer ${offerId} is not renewable.`);
  const startsAt = offer.starts_at > now ? offer.starts_at : now;
  return { licensee, offer, startsAt };
}

/**
 * `POST /v1/licence-offers/{id}/accept` on the balance rail: in one transaction the licensee's
 * platform (or key) takes the offer; the term runs from the offer's start (or now, if later) to
 * its end. Any refusal — a conflicting exclusive grant, too small a balance — leaves nothing written.
 */
export async function acceptOffer(
  db: Db,
  principal: Principal,
  offerId: string,
  input: { licenseeId: string; autoRenew: boolean },
  now: Date,
): Promise<GrantRow> {
  return db.transaction().execute(async (trx) => {
    const { licensee, offer, startsAt } = await checkAcceptance(trx, principal, offerId, input, now);
    return makeGrant(
      trx,
      offer,
      {
        licenseeId: licensee.id,
        licenseePlatformId: licensee.platform_id,
        startsAt,
        endsAt: offer.ends_at,
        autoRenew: input.autoRenew,
        renewalOf: null,
      },
      now,
    );
  });
}

/**
 * Renews a grant for another term of its offer's length, starting where it ends, on the same
 * terms and paying the upfront fee again. The offer must be renewable and still open, the grant
 * not renewed before, and the new term must be free (exclusivity is checked again).
 */
export async function renewGrant(trx: Trx, grant: GrantRow, now: Date): Promise<GrantRow> {
  await lockWork(trx, grant.asset_id);
  const offer = await findOffer(trx, grant.offer_id);
  if (!offer.renewable) throw unprocessable('offer_not_renewable', `Licence offer ${offer.id} is not renewable.`);
  if (offer.status !== 'open')
    throw conflict('offer_withdrawn', `Licence offer ${offer.id} was withdrawn; grant ${grant.id} cannot renew.`);
  if (grant.status === 'terminated') throw conflict('grant_terminated', `Licence grant ${grant.id} was terminated.`);
  requirePaid(grant);
  const renewed = await trx.selectFrom('licence_grants').select('id').where('renewal_of', '=', grant.id).executeTakeFirst();
  if (renewed)
    throw conflict('already_renewed', `Licence grant ${grant.id} was renewed already, by ${renewed.id}.`, {
      renewedBy: renewed.id,
    });
  const length = offer.ends_at.getTime() - offer.starts_at.getTime();
  return makeGrant(
    trx,
    offer,
    {
      licenseeId: grant.licensee_id,
      licenseePlatformId: grant.licensee_platform_id,
      startsAt: grant.ends_at,
      endsAt: new Date(grant.ends_at.getTime() + length),
      autoRenew: grant.auto_renew,
      renewalOf: grant.id,
    },
    now,
  );
}

/** `POST /v1/licence-grants/{id}/renew`: the licensee renews while the grant is in force. */
export async function renewGrantNow(db: Db, principal: Principal, grantId: string, now: Date): Promise<GrantRow> {
  return db.transaction().execute(async (trx) => {
    const peek = await trx.selectFrom('licence_grants').selectAll().where('id', '=', grantId).executeTakeFirst();
    if (!peek) throw notFound('licence grant', grantId);
    await actingAccount(trx, principal, peek.licensee_id).catch(() => {
      throw notFound('licence grant', grantId);
    });
    await lockWork(trx, peek.asset_id);
    const grant = await trx
      .selectFrom('licence_grants')
      .selectAll()
      .where('id', '=', grantId)
      .forNoKeyUpdate()
      .executeTakeFirstOrThrow();
    if (grant.status === 'active' && now >= grant.ends_at) {
      throw conflict(
        'grant_expired',
        `Licence grant ${grantId} ended at ${grant.ends_at.toISOString()}; accept the offer again instead.`,
      );
    }
    if (grant.status === 'expired') throw conflict('grant_expired', `Licence grant ${grantId} has expired.`);
    return renewGrant(trx, grant, now);
  });
}
