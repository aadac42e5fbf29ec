import { sql } from 'kysely';
import type { Queryable, Trx } from '../../db/database.js';
import type { JournalsTable, PostingsTable } from '../../db/schema.js';
import { conflict } from '../../http/problem.js';
import { newId } from '../../ids.js';

export const EXTERNAL = 'external';

/** What `holder` owes the exchange, as a holder of its own whose balance is zero or below. */
export const receivableOf = (holder: string) => `receivable:${holder}`;
/**
 * What a bidder has put up on an auction: the amount of its standing English bid, or its sealed
 * commitment's deposit. A won auction's trade draws the price from here first.
 */
export const bidHoldOf = (listingId: string, bidderId: string) => `hold:${listingId}:${bidderId}`;
/** Accounts and platforms can owe; the outside world, holds and debts themselves cannot. */
const canOwe = (holder: string) => holder.startsWith('acc_') || holder.startsWith('plt_');
/**
 * Journals whose credits are the holder's own to spend, so they pay a debt first (a `bid_hold`
 * credits a bidder only with its own money given back). Not `payment` or
 * `reversal`/`partial_reversal`: those credit the buyer with card money that leaves again in the
 * same transaction (to the trade, or back to the card).
 */
const PAYS_DEBTS: ReadonlySet<JournalsTable['kind']> = new Set([
  'trade',
  'topup',
  'hold_release',
  'bid_hold',
  'licence_fee',
  'licence_royalty',
]);

/** A new journal's id, for a caller that names the journal before posting it (`JournalInput.id`). */
export const newJournalId = () => newId('jnl');

export interface JournalInput {
  /** Given when the caller has already named the journal elsewhere (an event, a trade); else a new one. */
  id?: string;
  kind: JournalsTable['kind'];
  currency: string;
  tradeId?: string;
  reverses?: string;
  memo?: string;
  postings: { holder: string; role: PostingsTable['role']; amount: bigint }[];
  /**
   * What happens when a holder's balance is too low: `refuse` (409 insufficient_funds) for
   * everything a party asks for; `owe` only for reversals that cannot be refused because the money
   * has already gone back to the card (a refund, a lost dispute): the part that is missing is
   * booked as owed, on `receivable:<holder>`.
   */
  shortfall?: 'refuse' | 'owe';
}

type PostingInput = JournalInput['postings'][number];

/**
 * Writes one balanced journal. The balance rows it touches (and the debts of the accounts and
 * platforms it names) are locked first, in holder order, so concurrent journals never deadlock
 * (missing rows are created first: see `createMissingBalances`);
 * a holder (other than the outside world) that would go below zero refuses the whole journal with
 * 409 `insufficient_funds`, or owes the difference when `shortfall` is `owe`. A credit to a holder
 * who owes is used to pay the debt first, in the same transaction (a `recovery` journal), so owed
 * money is never spent or paid out. The database backs the rules: a CHECK on balances and a
 * deferred trigger that every journal sums to zero.
 */
export async function postJournal(trx: Trx, input: JournalInput, now: Date): Promise<string> {
  const total = input.postings.reduce((s, p) => s + p.amount, 0n);
  if (total !== 0n) throw new Error(`journal postings sum to ${total}, not zero`);
  const net = new Map<string, bigint>();
  // A zero posting is never written (a royalty of 0 bps): its holder's row is neither created nor locked.
  for (const p of input.postings) if (p.amount !== 0n) net.set(p.holder, (net.get(p.holder) ?? 0n) + p.amount);
  const holders = [...net.keys()].sort();
  const debts = holders.filter(canOwe).map(receivableOf);
  // The outside world has no balance row to lock or check: journals that pay in or out do not queue on it.
  const lockable = [...new Set([...holders, ...debts])].filter((h) => h !== EXTERNAL).sort();
  // The journal's own row goes first: it locks nothing anyone else needs, so the balance rows
  // below stay locked for as little as possible (from the FOR UPDATE to the caller's commit).
  const id = await insertJournalRow(trx, input, now);
  await createMissingBalances(
    trx,
    holders.filter((h) => h !== EXTERNAL),
    input.currency,
  );
  const locked = await trx
    .selectFrom('balances')
    .select(['holder', 'amount'])
    .where('currency', '=', input.currency)
    .where('holder', 'in', lockable)
    .orderBy('holder')
    .forUpdate()
    .execute();
  const current = new Map(locked.map((b) => [b.holder, b.amount]));
  const owed: PostingInput[] = [];
  const recoveries: { holder: string; amount: bigint }[] = [];
  for (const holder of holders) {
    const after = (current.get(holder) ?? 0n) + net.get(holder)!;
    if (holder !== EXTERNAL && after < 0n) {
      if (input.shortfall !== 'owe' || !canOwe(holder)) {
        throw conflict('insufficient_funds', `The ${input.currency} balance of ${holder} is too low for this.`, {
          holder,
          currency: input.currency,
          available: Number(current.get(holder) ?? 0n),
          required: Number(-net.get(holder)!),
        });
      }
      owed.push(
        { holder, role: 'receivable', amount: -after },
        { holder: receivableOf(holder), role: 'receivable', amount: after },
      );
    }
    const debt = canOwe(holder) ? -(current.get(receivableOf(holder)) ?? 0n) : 0n;
    if (PAYS_DEBTS.has(input.kind) && net.get(holder)! > 0n && debt > 0n)
      recoveries.push({ holder, amount: debt < after ? debt : after });
  }
  await insertPostings(trx, id, [...input.postings, ...owed]);
  for (const r of recoveries) {
    const recovery = await insertJournalRow(
      trx,
      { kind: 'recovery', currency: input.currency, tradeId: input.tradeId, memo: `Debt paid from the credit of journal ${id}` },
      now,
    );
    await insertPostings(trx, recovery, [
      { holder: r.holder, role: 'recovery', amount: -r.amount },
      { holder: receivableOf(r.holder), role: 'recovery', amount: r.amount },
    ]);
  }
  return id;
}

/**
 * Creates, in holder order, the balance rows (at 0) of the holders a journal is about to move that
 * have none yet, before any of them is locked. Without it a new seller's, creator's or platform's
 * first credit created its row inside the postings insert, after the `FOR UPDATE` that locks the
 * others: a row invisible to that lock (inserted and committed by a concurrent journal meanwhile)
 * was then locked out of holder order, and concurrent purchases deadlocked (PostgreSQL picked
 * victims: 503 `transaction_conflict`; `test/market-purchase-contention.test.ts`). Existing rows
 * are skipped by the `not exists` without a unique-index check, so this never waits on a row
 * someone else holds; it waits only on a concurrent creator of the same new row, in holder order.
 * Debts (`receivable:…`) are not created: they exist only once owed.
 */
async function createMissingBalances(trx: Trx, holders: string[], currency: string): Promise<void> {
  if (holders.length === 0) return;
  await sql`
    insert into balances (holder, currency, amount)
    select h, ${currency}, 0 from unnest(${holders}::text[]) as h
    where not exists (select 1 from balances b where b.holder = h and b.currency = ${currency})
    order by h
    on conflict do nothing`.execute(trx);
}

/** Inserts a journal's row; its postings follow once postJournal has locked and checked the balances. */
async function insertJournalRow(trx: Trx, input: Omit<JournalInput, 'postings'>, now: Date): Promise<string> {
  const id = input.id ?? newJournalId();
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
  return id;
}

/** Inserts a journal's postings, whose balances postJournal has already locked and checked. */
async function insertPostings(trx: Trx, journalId: string, postings: PostingInput[]): Promise<void> {
  // Sorted by holder: the balance-row locks the trigger takes follow the same order as above. A
  // holder's credits go before its debits, because the balance CHECK holds after every row.
  const rows = [...postings]
    .filter((p) => p.amount !== 0n)
    .sort((a, b) => (a.holder < b.holder ? -1 : a.holder > b.holder ? 1 : a.amount > b.amount ? -1 : a.amount < b.amount ? 1 : 0))
    .map((p) => ({ journal_id: journalId, holder: p.holder, role: p.role, amount: p.amount }));
  await trx.insertInto('postings').values(rows).execute();
}

/** What each holder came to owe in a journal posted with `shortfall: 'owe'`. */
export async function owedIn(db: Queryable, journalId: string): Promise<{ holder: string; amount: bigint }[]> {
  const rows = await db
    .selectFrom('postings')
    .select(['holder', 'amount'])
    .where('journal_id', '=', journalId)
    .where('role', '=', 'receivable')
    .where('amount', '<', 0n)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ holder: r.holder.slice('receivable:'.length), amount: -r.amount }));
}

export async function journalWithPostings(db: Queryable, id: string) {
  const journal = await db.selectFrom('journals').selectAll().where('id', '=', id).executeTakeFirst();
  if (!journal) return null;
  const postings = await db.selectFrom('postings').selectAll().where('journal_id', '=', id).orderBy('id').execute();
  return { journal, postings };
}

/** A holder's clearing balances, each with what the holder owes in that currency (0 if nothing). */
export async function balancesOf(db: Queryable, holder: string) {
  const rows = await db
    .selectFrom('balances')
    .selectAll()
    .where('holder', 'in', [holder, receivableOf(holder)])
    .orderBy('currency')
    .execute();
  const byCurrency = new Map<string, { currency: string; amount: bigint; owed: bigint }>();
  for (const r of rows) {
    const b = byCurrency.get(r.currency) ?? { currency: r.currency, amount: 0n, owed: 0n };
    if (r.holder === holder) b.amount = r.amount;
    else b.owed = -r.amount;
    byCurrency.set(r.currency, b);
  }
  return [...byCurrency.values()];
}

/** A holder's postings in one currency, oldest first, each with the balance after it (stored on the posting). */
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
    select p.id, p.journal_id, j.kind, j.trade_id, p.role, p.amount, j.created_at, p.balance_after
    from postings p join journals j on j.id = p.journal_id
    where p.holder = ${holder} and j.currency = ${currency} and p.id > ${page.afterId ?? -1n}
    order by p.id
    limit ${page.limit + 1}`.execute(db);
  return rows.map((r) => ({ ...r, id: BigInt(r.id), amount: BigInt(r.amount), balance_after: BigInt(r.balance_after) }));
}
