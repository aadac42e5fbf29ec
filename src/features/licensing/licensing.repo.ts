import type { Queryable } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import { conflict, notFound } from '../../http/problem.js';
import { boardPseudonym } from '../board/pseudonym.js';
import { proofsForEvents } from '../tlog/event-proofs.js';

const DAY_MS = 86_400_000;
/** A report is due this long after the period it covers has closed. */
export const REPORT_GRACE_DAYS = 30;

export type OfferRow = Row<'licence_offers'>;
export type GrantRow = Row<'licence_grants'>;

export async function findOffer(db: Queryable, id: string): Promise<OfferRow> {
  const offer = await db.selectFrom('licence_offers').selectAll().where('id', '=', id).executeTakeFirst();
  if (!offer) throw notFound('licence offer', id);
  return offer;
}

export async function findGrant(db: Queryable, id: string): Promise<GrantRow> {
  const grant = await db.selectFrom('licence_grants').selectAll().where('id', '=', id).executeTakeFirst();
  if (!grant) throw notFound('licence grant', id);
  return grant;
}

/**
 * The next report's period closes `report_every_days` after `reported_until` (or at the term end)
 * and the report is due REPORT_GRACE_DAYS later; null once the whole term is reported or the
 * grant was terminated.
 */
export function reportDueAt(g: Pick<GrantRow, 'reported_until' | 'ends_at' | 'report_every_days' | 'status'>): Date | null {
  if (!isPaidStatus(g.status) || g.status === 'terminated' || g.reported_until >= g.ends_at) return null;
  const closes = Math.min(g.reported_until.getTime() + g.report_every_days * DAY_MS, g.ends_at.getTime());
  return new Date(closes + REPORT_GRACE_DAYS * DAY_MS);
}

/** A grant accepted by card exists before it is paid for: `pending_payment`, then `active` or `lapsed`. */
export const isPaidStatus = (status: GrantRow['status']) => status !== 'pending_payment' && status !== 'lapsed';

/** Reports, renewals and terminations are about grants that were made: 409 `grant_not_in_force` otherwise. */
export function requirePaid(grant: Pick<GrantRow, 'id' | 'status'>): void {
  if (isPaidStatus(grant.status)) return;
  throw conflict(
    'grant_not_in_force',
    grant.status === 'lapsed'
      ? `Licence grant ${grant.id} lapsed: its upfront fee was not paid in time.`
      : `Licence grant ${grant.id} is waiting for its upfront fee to be paid by card.`,
    { status: grant.status },
  );
}

export function isLate(g: GrantRow, now: Date): boolean {
  const due = reportDueAt(g);
  return due !== null && now > due;
}

function presentTerms(t: OfferRow | GrantRow) {
  return {
    assetId: t.asset_id,
    uses: t.uses,
    territories: t.territories,
    startsAt: t.starts_at.toISOString(),
    endsAt: t.ends_at.toISOString(),
    exclusivity: t.exclusivity,
    currency: t.currency,
    upfrontFee: Number(t.upfront_fee),
    royaltyBps: t.royalty_bps,
    minimumGuarantee: Number(t.minimum_guarantee),
    creatorShareBps: t.creator_share_bps,
    sublicensing: t.sublicensing,
    derivativesAllowed: t.derivatives_allowed,
    derivativeRoyaltyBps: t.derivative_royalty_bps,
    reportEveryDays: t.report_every_days,
  };
}

export function presentOffer(o: OfferRow) {
  return {
    id: o.id,
    ...presentTerms(o),
    conditionsSha256: o.conditions_sha256,
    renewable: o.renewable,
    openTo: o.open_to,
    status: o.status,
    createdAt: o.created_at.toISOString(),
  };
}

/** Grants as their parties see them, each with the certificate of its `licence.granted` event. */
export async function presentGrants(db: Queryable, grants: GrantRow[], now: Date) {
  const proofs = await proofsForEvents(
    db,
    grants.map((g) => g.event_id),
  );
  return grants.map((g) => {
    const due = reportDueAt(g);
    return {
      id: g.id,
      offerId: g.offer_id,
      ...presentTerms(g),
      licenseeId: g.licensee_id,
      status: g.status,
      autoRenew: g.auto_renew,
      renewalOf: g.renewal_of,
      feeJournalId: g.fee_journal_id,
      reportedUntil: g.reported_until.toISOString(),
      reportDueAt: due?.toISOString() ?? null,
      late: isLate(g, now),
      royaltiesInCurrency: Number(g.royalties_in_currency),
      truedUp: g.trued_up,
      terminatedAt: g.terminated_at?.toISOString() ?? null,
      terminationCause: g.termination_cause,
      createdAt: g.created_at.toISOString(),
      paymentDueAt: g.payment_due_at?.toISOString() ?? null,
      // Until paid, the grant's event is `licence.payment_pending`, which certifies nothing.
      certificate: isPaidStatus(g.status) ? (proofs.get(g.event_id) ?? null) : null,
    };
  });
}

/**
 * The public register: grants in force at `now` (active, term not over), newest first, with the
 * licensee shown by its board pseudonym.
 */
export async function activeGrantsRegister(
  db: Queryable,
  filter: { assetId?: string; afterId?: string; limit: number },
  now: Date,
) {
  let q = db
    .selectFrom('licence_grants')
    .innerJoin('assets', 'assets.id', 'licence_grants.asset_id')
    .selectAll('licence_grants')
    .select('assets.registration_number')
    .where('licence_grants.status', '=', 'active')
    .where('licence_grants.ends_at', '>', now);
  if (filter.assetId) q = q.where('licence_grants.asset_id', '=', filter.assetId);
  if (filter.afterId) q = q.where('licence_grants.id', '<', filter.afterId);
  const rows = await q.orderBy('licence_grants.id', 'desc').limit(filter.limit).execute();
  return Promise.all(
    rows.map(async (g) => ({
      grantId: g.id,
      assetId: g.asset_id,
      registrationNumber: g.registration_number,
      uses: g.uses,
      territories: g.territories,
      startsAt: g.starts_at.toISOString(),
      endsAt: g.ends_at.toISOString(),
      exclusivity: g.exclusivity,
      licensee: await boardPseudonym(g.licensee_id),
      sublicensing: g.sublicensing,
      derivativesAllowed: g.derivatives_allowed,
    })),
  );
}
