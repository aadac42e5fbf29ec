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
 * Roles of a sale's credits that nothing needs to check: the platform's fee and the creators'
 * royalties (of a trade, or of a licence fee or royalty split the same way). Every sale of a
 * platform (and of a creator's works) credits the same balance row, so moving it at commit made
 * concurrent purchases queue on it. These credits are written deferred
 * (schema/0027_pending_credits.sql): the journal is whole, but the row moves later, when the
 * credit is folded. The seller's proceeds are not deferred: a seller's row is not shared by
 * concurrent sales of other sellers, and a seller often spends or pays out proceeds at once, so
 * the statement shows them with their running balance from the start.
 */
const DEFERRED_ROLES: ReadonlySet<PostingsTable['role']> = new Set(['platform_fee', 'royalty', 'parent_royalty']);

/** Journals split by the sale split (`splitSale`): a trade, and a licence's fee or royalty paid the same way. */
const SPLIT_JOURNAL_KINDS: ReadonlySet<JournalInput['kind']> = new Set(['trade', 'licence_fee', 'licence_royalty']);

/** The holders whose postings in this journal are all deferrable credits: their rows are not touched now. */
function deferredHolders(input: JournalInput): Set<string> {
  if (!SPLIT_JOURNAL_KINDS.has(input.kind)) return new Set();
  const deferrable = new Map<string, boolean>();
  for (const p of input.postings) {
    if (p.amount === 0n) continue;
    const ok = canOwe(p.holder) && p.amount > 0n && DEFERRED_ROLES.has(p.role);
    deferrable.set(p.holder, (deferrable.get(p.holder) ?? true) && ok);
  }
  return new Set([...deferrable].filter(([, ok]) => ok).map(([h]) => h));
}

/**
 * Writes one balanced journal. The balance rows it touches (and the debts of the accounts and
 * platforms it names) are locked first, in holder order, so concurrent journals never deadlock
 * (missing rows are created first: see `openJournal`); a holder the journal debits has
 * its pending credits folded into its row first, under that lock, so its funds check counts every
 * committed credit. A holder (other than the outside world) that would go below zero refuses the
 * whole journal with 409 `insufficient_funds`, or owes the difference when `shortfall` is `owe`. A
 * credit to a holder who owes is used to pay the debt first, in the same transaction (a `recovery`
 * journal), so owed money is never spent or paid out. A trade's credits to the platform and the
 * creators lock nothing: they are deferred (`DEFERRED_ROLES`) and pay debts when folded. The
 * database backs the rules: a CHECK on balances and a deferred trigger that every journal sums to zero.
 */
export async function postJournal(trx: Trx, input: JournalInput, now: Date): Promise<string> {
  const total = input.postings.reduce((s, p) => s + p.amount, 0n);
  if (total !== 0n) throw new Error(`journal postings sum to ${total}, not zero`);
  const net = new Map<string, bigint>();
  // A zero posting is never written (a royalty of 0 bps): its holder's row is neither created nor locked.
  for (const p of input.postings) if (p.amount !== 0n) net.set(p.holder, (net.get(p.holder) ?? 0n) + p.amount);
  const deferred = deferredHolders(input);
  // The outside world has no balance row to lock or check: journals that pay in or out do not queue
  // on it. Deferred credits do not queue on their holders' rows either.
  const holders = [...net.keys()].filter((h) => h !== EXTERNAL && !deferred.has(h)).sort();
  const id = input.id ?? newJournalId();
  const current = await openJournal(
    trx,
    { ...input, id },
    holders,
    holders.filter((h) => net.get(h)! < 0n),
    now,
  );
  const owed: PostingInput[] = [];
  const recoveries: { holder: string; amount: bigint }[] = [];
  for (const holder of holders) {
    const after = (current.get(holder) ?? 0n) + net.get(holder)!;
    if (after < 0n) {
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
  await insertPostings(trx, id, [...input.postings, ...owed], deferred);
  for (const r of recoveries)
    await postRecovery(trx, r, input.currency, input.tradeId, `Debt paid from the credit of journal ${id}`, now);
  return id;
}

/**
 * Locks the balance rows of `holders` and of the debts of those that can owe, in holder order,
 * then folds the pending credits of the holders in `fold` into their rows (oldest first, each
 * posting getting its running balance), and pays a folded holder's debt from what was folded (a
 * `recovery` journal), as if those credits had been posted now. Answers every locked row's amount
 * afterwards. One statement for the lock and the fold (`lock_and_fold`, schema/0027). Used by the
 * scheduler's fold and by callers that decide an amount from a balance before debiting it
 * (payouts, dispute holds); postJournal does the same inside `open_journal`.
 */
export async function lockAndFold(
  trx: Trx,
  holders: string[],
  currency: string,
  fold: string[],
  now: Date,
): Promise<Map<string, bigint>> {
  const lockable = lockableOf(holders);
  if (lockable.length === 0) return new Map();
  const { rows } = await sql<LockedRow>`
    select * from lock_and_fold(${lockable}::text[], ${fold}::text[], ${currency})`.execute(trx);
  return payDebtsFromFolds(trx, rows, currency, now);
}

/**
 * Opens a journal in one round trip (`open_journal`, schema/0028), as the transaction holds locks:
 * inserts its row (first: it locks nothing others need, so the balance rows stay locked briefly),
 * creates the missing balance rows of `holders` at 0, then locks and folds as lockAndFold does.
 * The row is inserted even when nothing is lockable. The missing rows are created in holder order
 * before anything is locked, skipping existing rows by `not exists`: a row created later (in the
 * postings insert) was invisible to the `FOR UPDATE`, got locked out of order, and concurrent
 * purchases deadlocked (`test/market-purchase-contention.test.ts`; the why in schema/0028). Debts
 * (`receivable:…`) are not created: they exist only once owed.
 */
async function openJournal(
  trx: Trx,
  input: Omit<JournalInput, 'postings'> & { id: string },
  holders: string[],
  fold: string[],
  now: Date,
): Promise<Map<string, bigint>> {
  const { rows } = await sql<LockedRow>`
    select * from open_journal(${input.id}::text, ${input.kind}::text, ${input.currency}::text,
      ${input.tradeId ?? null}::text, ${input.reverses ?? null}::text, ${input.memo ?? null}::text, ${now}::timestamptz,
      ${holders}::text[], ${lockableOf(holders)}::text[], ${fold}::text[])`.execute(trx);
  return payDebtsFromFolds(trx, rows, input.currency, now);
}

type LockedRow = { locked_holder: string; locked_amount: string | bigint; folded: string | bigint };

/** The rows a journal of `holders` locks: theirs and the debts of those that can owe, sorted, once each. */
const lockableOf = (holders: string[]) => [...new Set([...holders, ...holders.filter(canOwe).map(receivableOf)])].sort();

/**
 * Each locked row's amount, once folded credits have paid what they can of their holder's debt (a
 * `recovery` journal each), as if those credits had been posted now.
 */
async function payDebtsFromFolds(trx: Trx, rows: LockedRow[], currency: string, now: Date): Promise<Map<string, bigint>> {
  const current = new Map(rows.map((r) => [r.locked_holder, BigInt(r.locked_amount)]));
  for (const r of rows) {
    const folded = BigInt(r.folded);
    const debt = canOwe(r.locked_holder) ? -(current.get(receivableOf(r.locked_holder)) ?? 0n) : 0n;
    if (folded <= 0n || debt <= 0n) continue;
    // Deferred credits are a trade's, which pay debts first (PAYS_DEBTS); the rest of the balance
    // was already what was left after earlier credits paid what they could.
    const amount = debt < folded ? debt : folded;
    await postRecovery(trx, { holder: r.locked_holder, amount }, currency, undefined, 'Debt paid from folded credits', now);
    current.set(r.locked_holder, current.get(r.locked_holder)! - amount);
    current.set(receivableOf(r.locked_holder), current.get(receivableOf(r.locked_holder))! + amount);
  }
  return current;
}

/** A `recovery` journal: part of a holder's debt paid from its balance (rows already locked). */
async function postRecovery(
  trx: Trx,
  r: { holder: string; amount: bigint },
  currency: string,
  tradeId: string | undefined,
  memo: string,
  now: Date,
): Promise<void> {
  // Its own row, outside open_journal: the rows it moves are already locked.
  const recovery = newJournalId();
  await trx
    .insertInto('journals')
    .values({ id: recovery, kind: 'recovery', currency, trade_id: tradeId ?? null, memo, created_at: now })
    .execute();
  await insertPostings(
    trx,
    recovery,
    [
      { holder: r.holder, role: 'recovery', amount: -r.amount },
      { holder: receivableOf(r.holder), role: 'recovery', amount: r.amount },
    ],
    new Set(),
  );
}

/** Inserts a journal's postings, whose balances postJournal has already locked and checked. */
async function insertPostings(trx: Trx, journalId: string, postings: PostingInput[], deferred: Set<string>): Promise<void> {
  // Sorted by holder: the balance-row locks the trigger takes follow the same order as above. A
  // holder's credits go before its debits, because the balance CHECK holds after every row.
  const rows = [...postings]
    .filter((p) => p.amount !== 0n)
    .sort((a, b) => (a.holder < b.holder ? -1 : a.holder > b.holder ? 1 : a.amount > b.amount ? -1 : a.amount < b.amount ? 1 : 0))
    .map((p) => ({ journal_id: journalId, holder: p.holder, role: p.role, amount: p.amount, deferred: deferred.has(p.holder) }));
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

/**
 * A holder's clearing balances, each with what the holder owes in that currency (0 if nothing),
 * as they stand once its pending credits are folded: the folded balance plus pending credits, less
 * what those credits will pay of a debt. This is what a debit of the holder can spend (postJournal
 * folds before its check), so nobody sees money vanish between a sale and its fold. Reads only.
 */
export async function balancesOf(db: Queryable, holder: string) {
  const { rows } = await sql<{ currency: string; folded: string | bigint; debt: string | bigint; pending: string | bigint }>`
    select currency, sum(folded) as folded, sum(debt) as debt, sum(pending) as pending from (
      select currency, case when holder = ${holder} then amount else 0 end as folded,
             case when holder = ${holder} then 0 else -amount end as debt, 0 as pending
      from balances where holder in (${holder}, ${receivableOf(holder)})
      union all
      select j.currency, 0, 0, p.amount
      from postings p join journals j on j.id = p.journal_id
      where p.holder = ${holder} and p.deferred and p.balance_after is null
    ) x group by currency order by currency`.execute(db);
  return rows.map((r) => {
    const pending = BigInt(r.pending);
    const debt = BigInt(r.debt);
    const recovered = debt < pending ? debt : pending;
    return { currency: r.currency, amount: BigInt(r.folded) + pending - recovered, owed: debt - recovered };
  });
}

/** What a holder can spend in one currency now (see balancesOf), without locking or writing anything. */
export async function spendableOf(db: Queryable, holder: string, currency: string): Promise<bigint> {
  return (await balancesOf(db, holder)).find((b) => b.currency === currency)?.amount ?? 0n;
}
