import { sql } from 'kysely';
import type { Db, Trx } from '../../db/database.js';
import { lockWork } from '../assets/assets.repo.js';
import { workTradeRefusal } from '../cases/work-gate.js';
import { recordEvent } from '../events/events.repo.js';
import { EXTERNAL, postJournal } from '../ledger/ledger.repo.js';
import { type PaymentRow, updatePayment } from '../stripe/payments.repo.js';
import { isPaid, refundNeeded, wantsReversal } from '../stripe/reconcile.service.js';
import { rearmDisputedRefund, requestRefund } from '../stripe/refunds.service.js';
import { grantedFacts } from './grants.service.js';
import { payForLicence } from './licence-payments.js';
import { findOffer, type GrantRow } from './licensing.repo.js';

/**
 * The webhook of a licence fee locks the grant's work before the payment row, as the scheduled
 * lapse does (work → grant → payment): a payment and a lapse of one grant take turns.
 */
export async function lockLicensedWork(trx: Trx, grantId: string): Promise<void> {
  const g = await trx.selectFrom('licence_grants').select('asset_id').where('id', '=', grantId).executeTakeFirstOrThrow();
  await lockWork(trx, g.asset_id);
}

const lockGrant = (trx: Trx, id: string) =>
  trx.selectFrom('licence_grants').selectAll().where('id', '=', id).forNoKeyUpdate().executeTakeFirstOrThrow();

/** Why a paid pending grant cannot be made now, or null: checked before anything is written. */
async function activationRefusal(trx: Trx, grant: GrantRow, p: PaymentRow, now: Date): Promise<string | null> {
  // Judged by our clock at the first proof of payment, as a purchase's reservation is.
  if (grant.payment_due_at! <= now) return 'payment_window_lapsed';
  if (p.amount_received !== null && p.amount_received !== p.amount) return 'amount_mismatch';
  // Stripe is already giving (some of) the money back: no grant is made on a payment that is leaving.
  if (wantsReversal(p) || p.dispute_status !== null || p.amount_refunded > 0n) return 'payment_returned';
  const work = await trx.selectFrom('assets').select('status').where('id', '=', grant.asset_id).executeTakeFirstOrThrow();
  if (work.status !== 'registered') return 'work_not_registered';
  return workTradeRefusal(trx, grant.asset_id);
}

/**
 * A pending grant that will not be made: `lapsed`, its rights dropped altogether (they were never
 * in force), `licence.lapsed` with the reason. Anyone may take the same rights from now on.
 */
export async function lapseGrant(trx: Trx, grant: GrantRow, reason: string, paymentId: string, now: Date): Promise<void> {
  await trx.updateTable('licence_grants').set({ status: 'lapsed' }).where('id', '=', grant.id).execute();
  await trx
    .updateTable('licence_grant_rights')
    .set({ period: sql<string>`'empty'::tstzrange` })
    .where('grant_id', '=', grant.id)
    .execute();
  await recordEvent(trx, {
    type: 'licence.lapsed',
    at: now,
    assetId: grant.asset_id,
    platformId: grant.licensee_platform_id,
    facts: { grantId: grant.id, assetId: grant.asset_id, licenseeId: grant.licensee_id, paymentId, reason },
  });
}

/**
 * The card money arrives on the licensee's clearing balance (`payment`: external → licensee), and
 * the upfront fee is paid from it exactly as on the balance rail (`licence_fee`, by the sale split),
 * so the licensee ends where it started; then the grant is active and `licence.granted` recorded.
 */
async function activate(trx: Trx, grant: GrantRow, p: PaymentRow, now: Date): Promise<void> {
  const paymentJournalId = await postJournal(
    trx,
    {
      kind: 'payment',
      currency: p.currency,
      memo: `Stripe ${p.payment_intent_id} for licence grant ${grant.id}`,
      postings: [
        { holder: EXTERNAL, role: 'payment_source', amount: -p.amount },
        { holder: grant.licensee_id, role: 'payment', amount: p.amount },
      ],
    },
    now,
  );
  const paid = await payForLicence(
    trx,
    grant,
    {
      kind: 'licence_fee',
      amount: grant.upfront_fee,
      currency: grant.currency,
      memo: `Upfront fee of licence grant ${grant.id}`,
    },
    now,
  );
  const offer = await findOffer(trx, grant.offer_id);
  const holder = await trx
    .selectFrom('assets')
    .select('rights_holder_id')
    .where('id', '=', grant.asset_id)
    .executeTakeFirstOrThrow();
  const facts = grantedFacts(
    offer,
    { id: grant.id, licenseeId: grant.licensee_id, startsAt: grant.starts_at, endsAt: grant.ends_at, renewalOf: null },
    holder.rights_holder_id,
    paid,
  );
  const eventId = await recordEvent(trx, {
    type: 'licence.granted',
    at: now,
    assetId: grant.asset_id,
    platformId: grant.licensee_platform_id,
    facts: { ...facts, rail: 'stripe', paymentId: p.id, paymentJournalId },
  });
  await trx
    .updateTable('licence_grants')
    .set({ status: 'active', fee_journal_id: paid?.journalId ?? null, event_id: eventId })
    .where('id', '=', grant.id)
    .execute();
  await updatePayment(trx, p.id, { payment_journal_id: paymentJournalId }, now);
}

/**
 * Brings a card-accepted grant in line with what Stripe has said about its fee (the facts on the
 * payment row), in the webhook's transaction with the work and the payment row locked. The first
 * proof of payment (succeeded, or a refund or dispute, which only a paid charge can have) decides
 * once: the grant is made if its window still holds and the work may still be licensed, otherwise
 * it lapses. A payment for a grant that lapsed (here or on the schedule) goes back to the card
 * through the refund rail, once, unless Stripe is returning it already. So every order and
 * repetition of events ends with a grant and its payment, or no grant and the money refunded.
 * Returns the refund requests to send after commit.
 */
export async function reconcileLicencePayment(trx: Trx, p: PaymentRow, eventId: string, now: Date): Promise<string[]> {
  const grant = await lockGrant(trx, p.licence_grant_id!);
  let reason = 'grant_lapsed';
  if (grant.status === 'pending_payment') {
    if (!isPaid(p)) {
      // Canceled is final at Stripe: no payment can follow, the rights are free again. A failed
      // attempt changes nothing: the licensee may pay with another card within the window.
      if (p.canceled_at) await lapseGrant(trx, grant, 'payment_canceled', p.id, now);
      return [];
    }
    const refusal = await activationRefusal(trx, grant, p, now);
    if (!refusal) {
      await activate(trx, grant, p, now);
      return [];
    }
    await lapseGrant(trx, grant, refusal, p.id, now);
    reason = refusal;
  }
  // Made with this payment: later refunds and disputes of the fee are not modelled (README).
  if (p.payment_journal_id || !isPaid(p) || !refundNeeded(p)) return [];
  const id =
    (await requestRefund(trx, p, { eventId, reason }, now)) ??
    (p.dispute_status === 'won' ? await rearmDisputedRefund(trx, p.id, now) : null);
  return id ? [id] : [];
}

/**
 * Scheduled: grants accepted by card and not paid within the window lapse, freeing their rights.
 * A payment that arrives afterwards is refunded (above). Each in a transaction of its own, taking
 * the work's lock first, so a webhook for the same grant waits or finds it decided.
 */
export async function lapseUnpaidGrants(db: Db, now: Date): Promise<number> {
  const due = await db
    .selectFrom('licence_grants')
    .select(['id', 'asset_id'])
    .where('status', '=', 'pending_payment')
    .where('payment_due_at', '<=', now)
    .orderBy('payment_due_at')
    .limit(100)
    .execute();
  let lapsed = 0;
  for (const { id, asset_id } of due) {
    const done = await db.transaction().execute(async (trx) => {
      await lockWork(trx, asset_id);
      const grant = await trx
        .selectFrom('licence_grants')
        .selectAll()
        .where('id', '=', id)
        .where('status', '=', 'pending_payment')
        .where('payment_due_at', '<=', now)
        .forNoKeyUpdate()
        .executeTakeFirst();
      if (!grant) return false;
      const payment = await trx
        .selectFrom('stripe_payments')
        .select('id')
        .where('licence_grant_id', '=', id)
        .forUpdate()
        .executeTakeFirstOrThrow();
      await lapseGrant(trx, grant, 'payment_window_lapsed', payment.id, now);
      return true;
    });
    if (done) lapsed++;
  }
  return lapsed;
}
