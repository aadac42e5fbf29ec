import type { Db } from '../../db/database.js';
import type { Principal } from '../../http/env.js';
import { conflict, notFound, unprocessable } from '../../http/problem.js';
import { newId } from '../../ids.js';
import { lockWork } from '../assets/assets.repo.js';
import { recordEvent } from '../events/events.repo.js';
import { actingAccount } from '../parties/access.js';
import { payForLicence, postingFacts } from './licence-payments.js';
import { requirePaid } from './licensing.repo.js';

/** Royalty on revenue, rounded half up to the minor unit. */
export function royaltyOn(revenue: bigint, bps: number): bigint {
  return (revenue * BigInt(bps) + 5000n) / 10000n;
}

export interface ReportInput {
  periodEnd: string;
  lines: { currency: string; revenue: number }[];
}

/**
 * `POST /v1/licence-grants/{id}/royalty-reports`: the licensee reports the revenue it earned
 * under the grant from `reported_until` to `periodEnd`, per currency. Each currency's royalty is
 * paid at once from the licensee's balance through the sale split. The report that reaches the
 * term end is the final one: it also pays what the royalties in the grant currency fell short of
 * the minimum guarantee (the true-up). Periods follow one another without gap or overlap, so a
 * repeated report is refused (409 period_already_reported) and nothing is paid twice; a refusal
 * (too small a balance included) leaves nothing written.
 */
export async function reportRoyalties(db: Db, principal: Principal, grantId: string, input: ReportInput, now: Date) {
  return db.transaction().execute(async (trx) => {
    const peek = await trx
      .selectFrom('licence_grants')
      .select(['asset_id', 'licensee_id'])
      .where('id', '=', grantId)
      .executeTakeFirst();
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
    if (grant.status === 'terminated') throw conflict('grant_terminated', `Licence grant ${grantId} was terminated.`);
    requirePaid(grant);
    const periodEnd = new Date(input.periodEnd);
    if (periodEnd <= grant.reported_until) {
      throw conflict(
        'period_already_reported',
        `Royalties of grant ${grantId} are reported up to ${grant.reported_until.toISOString()}.`,
        {
          reportedUntil: grant.reported_until.toISOString(),
        },
      );
    }
    if (periodEnd > grant.ends_at) {
      throw unprocessable('period_beyond_term', `The term of grant ${grantId} ends at ${grant.ends_at.toISOString()}.`);
    }
    if (periodEnd > now)
      throw unprocessable('period_not_over', `A period can be reported once it is over (it ends ${periodEnd.toISOString()}).`);

    const final = periodEnd.getTime() === grant.ends_at.getTime();
    const lines = input.lines.map((l) => ({
      currency: l.currency,
      revenue: BigInt(l.revenue),
      royalty: royaltyOn(BigInt(l.revenue), grant.royalty_bps),
      trueUp: 0n,
    }));
    let inGrantCurrency = lines.find((l) => l.currency === grant.currency);
    const royaltiesInCurrency = grant.royalties_in_currency + (inGrantCurrency?.royalty ?? 0n);
    const shortfall = final ? grant.minimum_guarantee - royaltiesInCurrency : 0n;
    if (shortfall > 0n) {
      if (!inGrantCurrency) {
        inGrantCurrency = { currency: grant.currency, revenue: 0n, royalty: 0n, trueUp: 0n };
        lines.push(inGrantCurrency);
      }
      inGrantCurrency.trueUp = shortfall;
    }

    const id = newId('lrr');
    const paid = [];
    for (const line of lines) {
      const payment = await payForLicence(
        trx,
        grant,
        {
          kind: 'licence_royalty',
          amount: line.royalty + line.trueUp,
          currency: line.currency,
          memo: `Royalty report ${id} of licence grant ${grantId}`,
        },
        now,
      );
      paid.push({ ...line, journalId: payment?.journalId ?? null, postings: payment?.postings });
    }
    const eventId = await recordEvent(trx, {
      type: 'licence.royalty_reported',
      at: now,
      assetId: grant.asset_id,
      platformId: grant.licensee_platform_id,
      facts: {
        grantId,
        reportId: id,
        periodStart: grant.reported_until.toISOString(),
        periodEnd: periodEnd.toISOString(),
        final,
        lines: paid.map((l) => ({
          currency: l.currency,
          revenue: Number(l.revenue),
          royalty: Number(l.royalty),
          trueUp: Number(l.trueUp),
          journalId: l.journalId,
          postings: postingFacts(l.postings),
        })),
      },
    });
    const report = await trx
      .insertInto('royalty_reports')
      .values({
        id,
        grant_id: grantId,
        period_start: grant.reported_until,
        period_end: periodEnd,
        event_id: eventId,
        created_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('royalty_report_lines')
      .values(
        paid.map((l) => ({
          report_id: id,
          currency: l.currency,
          revenue: l.revenue,
          royalty: l.royalty,
          true_up: l.trueUp,
          journal_id: l.journalId,
        })),
      )
      .execute();
    await trx
      .updateTable('licence_grants')
      .set({ reported_until: periodEnd, royalties_in_currency: royaltiesInCurrency, trued_up: final })
      .where('id', '=', grantId)
      .execute();
    return { report, lines: paid };
  });
}

export function presentReport(
  report: { id: string; grant_id: string; period_start: Date; period_end: Date; created_at: Date },
  lines: {
    currency: string;
    revenue: bigint;
    royalty: bigint;
    trueUp?: bigint;
    true_up?: bigint;
    journalId?: string | null;
    journal_id?: string | null;
  }[],
) {
  return {
    id: report.id,
    grantId: report.grant_id,
    periodStart: report.period_start.toISOString(),
    periodEnd: report.period_end.toISOString(),
    lines: lines.map((l) => ({
      currency: l.currency,
      revenue: Number(l.revenue),
      royalty: Number(l.royalty),
      trueUp: Number(l.trueUp ?? l.true_up ?? 0n),
      journalId: l.journalId ?? l.journal_id ?? null,
    })),
    createdAt: report.created_at.toISOString(),
  };
}
