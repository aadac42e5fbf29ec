import { sql } from 'kysely';
import type { Queryable, Trx } from '../../db/database.js';
import type { JournalsTable, PostingsTable } from '../../db/schema.js';
import { conflict } from '../../http/problem.js';
import { newId } from '../../ids.js';

export const EXTERNAL = 'external';

export interface JournalInput {
  kind: JournalsTable['kind'];
  currency: string;
  tradeId?: string;
  reverses?: string;
  memo?: string;
  postings: { holder: string; role: PostingsTable['role']; amount: bigint }[];
}

/**
 * Writes one balanced journal. The balance rows it touches are locked first, in holder order,
 * so concurrent journals never deadlock; a holder (other than the outside world) that would go
 * below zero refuses the whole journal with 409 `insufficient_funds`. The database backs both
 * rules: a CHECK on balances and a deferred trigger that every journal sums to zero.
 */
export async function postJournal(trx: Trx, input: JournalInput, now: Date): Promise<string> {
  const total = input.postings.reduce((s, p) => s + p.amount, 0n);
  if (total !== 0n) throw new Error(`journal postings sum to ${total}, not zero`);
  const net = new Map<string, bigint>();
  for (const p of input.postings) net.set(p.holder, (net.get(p.holder) ?? 0n) + p.amount);
  const holders = [...net.keys()].sort();
  const locked = await trx
    .selectFrom('balances')
    .select(['holder', 'amount'])
    .where('currency', '=', input.currency)
    .where('holder', 'in', holders)
    .orderBy('holder')
    .forUpdate()
    .execute();
  const current = new Map(locked.map((b) => [b.holder, b.amount]));
  for (const holder of holders) {
    const after = (current.get(holder) ?? 0n) + net.get(holder)!;
    if (holder !== EXTERNAL && after < 0n) {
      throw conflict('insufficient_funds', `The ${input.currency} balance of ${holder} is too low for this.`, {
        holder,
        currency: input.currency,
        available: Number(current.get(holder) ?? 0n),
        required: Number(-net.get(holder)!),
      });
    }
  }
  const id = newId('jnl');
  await trx
    .insertInto('journals')
    .values({
      id,
      kind: input.kind,
      currency: input.currency,
      trade_id: input.tradeId ?? null,
      reverses: input.reverses ?? null,
      memo: input.memo ?? null,
      created_at: now,
    })
    .execute();
  // Sorted by holder: the balance-row locks the trigger takes follow the same order as above.
  const rows = [...input.postings]
    .filter((p) => p.amount !== 0n)
    .sort((a, b) => (a.holder < b.holder ? -1 : a.holder > b.holder ? 1 : 0))
    .map((p) => ({ journal_id: id, holder: p.holder, role: p.role, amount: p.amount }));
  await trx.insertInto('postings').values(rows).execute();
  return id;
}

export async function journalWithPostings(db: Queryable, id: string) {
  const journal = await db.selectFrom('journals').selectAll().where('id', '=', id).executeTakeFirst();
  if (!journal) return null;
  const postings = await db.selectFrom('postings').selectAll().where('journal_id', '=', id).orderBy('id').execute();
  return { journal, postings };
}

export function balancesOf(db: Queryable, holder: string) {
  return db.selectFrom('balances').selectAll().where('holder', '=', holder).orderBy('currency').execute();
}

/** A holder's postings in one currency, oldest first, each with the balance after it. */
export async function statementRows(db: Queryable, holder: string, currency: string, page: { afterId?: bigint; limit: number }) {
  const { rows } = await sql<{
    id: bigint;
    journal_id: string;
    kind: string;
    trade_id: string | null;
    role: string;
    amount: bigint;
    balance_after: bigint;
    created_at: Date;
  }>`
    select * from (
      select p.id, p.journal_id, j.kind, j.trade_id, p.role, p.amount, j.created_at,
             sum(p.amount) over (order by p.id) as balance_after
      from postings p join journals j on j.id = p.journal_id
      where p.holder = ${holder} and j.currency = ${currency}
    ) s
    where ${page.afterId ?? -1n} < s.id
    order by s.id
    limit ${page.limit + 1}`.execute(db);
  return rows.map((r) => ({ ...r, id: BigInt(r.id), amount: BigInt(r.amount), balance_after: BigInt(r.balance_after) }));
}
