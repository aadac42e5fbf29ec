import { sql } from 'kysely';
import type { Queryable } from '../../db/database.js';

/**
 * Where a statement page starts: after the last folded line seen (its place in balance order) and
 * after the last pending line seen (its posting id). Both, because a walk that has reached the
 * pending lines must still see the credits folded behind it since; 0 is "none yet".
 */
export type StatementCursor = { appliedAfter: bigint; pendingAfter: bigint };

export const STATEMENT_START: StatementCursor = { appliedAfter: 0n, pendingAfter: 0n };

/**
 * A holder's postings in one currency, in the order they moved its balance, each with the balance
 * after it (stored on the posting); then its pending credits (not folded yet), oldest first, each
 * with the balance it will show once folded if nothing else comes first (the folded balance plus
 * the pending credits up to it), so the last line always matches balancesOf. One statement, so a
 * fold in between never shows a credit twice or not at all on one page.
 *
 * Across pages, a walk sees every line once. A credit folded after the walk passed its pending
 * line is skipped among the folded lines (deferred, posting id within the pending lines seen); one
 * folded before the walk reached it is shown among the folded lines, after those already seen,
 * as its fold gave it a later place in balance order. Each line carries the cursor of the page
 * that would end on it.
 */
export async function statementRows(
  db: Queryable,
  holder: string,
  currency: string,
  page: { after: StatementCursor; limit: number },
) {
  const { appliedAfter, pendingAfter } = page.after;
  const { rows } = await sql<{
    id: bigint;
    journal_id: string;
    kind: string;
    trade_id: string | null;
    role: string;
    amount: bigint;
    balance_after: bigint;
    applied_seq: bigint | null;
    created_at: Date;
  }>`
    (select p.id, p.journal_id, j.kind, j.trade_id, p.role, p.amount, j.created_at, p.balance_after, p.applied_seq
     from postings p join journals j on j.id = p.journal_id
     where p.holder = ${holder} and j.currency = ${currency} and p.applied_seq > ${appliedAfter}
       and not (p.deferred and p.id <= ${pendingAfter})
     order by p.applied_seq
     limit ${page.limit + 1})
    union all
    (select * from (
       select p.id, p.journal_id, j.kind, j.trade_id, p.role, p.amount, j.created_at,
              coalesce((select b.amount from balances b where b.holder = ${holder} and b.currency = ${currency}), 0)
                + sum(p.amount) over (order by p.id) as balance_after,
              null::bigint as applied_seq
       from postings p join journals j on j.id = p.journal_id
       where p.holder = ${holder} and j.currency = ${currency} and p.deferred and p.balance_after is null
     ) pending
     where pending.id > ${pendingAfter}
     order by pending.id
     limit ${page.limit + 1})`.execute(db);
  const lines = rows.map((r) => ({
    ...r,
    id: BigInt(r.id),
    amount: BigInt(r.amount),
    balance_after: BigInt(r.balance_after),
    applied_seq: r.applied_seq === null ? null : BigInt(r.applied_seq),
  }));
  // Folded lines first, in balance order; then pending ones by posting id.
  const key = (l: (typeof lines)[number]) =>
    l.applied_seq === null ? { pending: 1, at: l.id } : { pending: 0, at: l.applied_seq };
  lines.sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    return x.pending - y.pending || (x.at < y.at ? -1 : x.at > y.at ? 1 : 0);
  });
  let cursor = page.after;
  return lines.slice(0, page.limit + 1).map((line) => {
    cursor = line.applied_seq === null ? { ...cursor, pendingAfter: line.id } : { ...cursor, appliedAfter: line.applied_seq };
    return { ...line, cursor };
  });
}
