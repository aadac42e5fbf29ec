import { type RawBuilder, sql } from 'kysely';
import type { Queryable } from '../../db/database.js';
import type { Category } from '../../db/schema.js';

export interface StatsWindow {
  from: Date;
  to: Date;
  currency?: string;
  category?: Category;
}

interface StatsRow {
  /** grouping(category, day): 3 = per currency, 1 = per category, 2 = per day. */
  grouping: number;
  currency: string;
  category: Category | null;
  day: string | null;
  count: string;
  volume: string;
  mean: string;
  median: string;
  min: string;
  max: string;
}

const DAY_MS = 86_400_000;
const floorDay = (d: Date) => new Date(Math.floor(d.getTime() / DAY_MS) * DAY_MS);
const ceilDay = (d: Date) => new Date(Math.ceil(d.getTime() / DAY_MS) * DAY_MS);
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/**
 * The window's whole UTC days [first, end) and the rest of it (at most a part of a day at each
 * edge). Whole days are read from the price histogram; the parts from the trades themselves,
 * since the histogram does not know the time of day.
 */
function split(w: StatsWindow) {
  const first = ceilDay(w.from);
  const end = floorDay(w.to);
  if (first >= end) return { whole: null, parts: [[w.from, w.to]] as const };
  return { whole: [first, end] as const, parts: [[w.from, first] as const, [end, w.to] as const].filter(([a, b]) => a < b) };
}

/**
 * Volume, count, mean and median price of settled trades in [from, to), per currency, per
 * (currency, category) and per (currency, UTC day), computed exactly in SQL on integers
 * (numeric, never float — so not percentile_cont) from weighted prices: the histogram
 * board_price_counts of the whole days, the changes not folded into it yet, and the trades of
 * the partial days at the edges. With n trades in a group and cum the running count by price:
 *
 *   mean   = floor((2·volume + count) / (2·count))           volume / count, rounded half up
 *   median = the middle price; for an even count floor((lo + hi + 1) / 2), the mean of the two
 *            middle prices rounded half up. lo and hi are the prices ranked (n+1)/2 and n/2+1
 *            (integer division): the lowest prices whose cum reaches those ranks.
 *
 * Prices are positive, so "half up" is also "half away from zero". Days are UTC.
 */
async function computeStats(db: Queryable, w: StatsWindow): Promise<StatsRow[]> {
  const { whole, parts } = split(w);
  const filters = (currency: RawBuilder<unknown>, category: RawBuilder<unknown>) => [
    ...(w.currency ? [sql`${currency} = ${w.currency}`] : []),
    ...(w.category ? [sql`${category} = ${w.category}`] : []),
  ];
  const where = (conditions: RawBuilder<unknown>[]) => sql.join(conditions, sql` and `);
  const sources: RawBuilder<unknown>[] = [];
  if (whole) {
    const [first, end] = whole;
    sources.push(sql`
      select currency, category, day, price, trades as n from board_price_counts
      where ${where([sql`day >= ${isoDay(first)}::date`, sql`day < ${isoDay(end)}::date`, ...filters(sql.ref('currency'), sql.ref('category'))])}`);
    sources.push(sql`
      select currency, category, (settled_at at time zone 'UTC')::date, price, trades from board_price_changes
      where ${where([sql`settled_at >= ${first}`, sql`settled_at < ${end}`, ...filters(sql.ref('currency'), sql.ref('category'))])}`);
  }
  if (parts.length) {
    const inParts = sql.join(
      parts.map(([a, b]) => sql`(t.settled_at >= ${a} and t.settled_at < ${b})`),
      sql` or `,
    );
    sources.push(sql`
      select t.currency, a.category, (t.settled_at at time zone 'UTC')::date, t.price, 1
      from trades t
      join units u on u.id = t.unit_id
      join editions e on e.id = u.edition_id
      join assets a on a.id = e.asset_id
      where ${where([sql`t.status = 'settled'`, sql`(${inParts})`, ...filters(sql.ref('t.currency'), sql.ref('a.category'))])}`);
  }
  const { rows } = await sql<StatsRow>`
    with base (currency, category, day, price, n) as (
      ${sql.join(sources, sql` union all `)}
    ), weighted as (
      -- one row per price of each group; a price whose trades were all taken back weighs nothing
      select grouping(category, day) as grouping, currency, category, day, price, sum(n) as n
      from base
      group by grouping sets ((currency, price), (currency, category, price), (currency, day, price))
      having sum(n) > 0
    ), ranked as (
      select *,
             sum(n) over (partition by grouping, currency, category, day order by price) as cum,
             sum(n) over (partition by grouping, currency, category, day) as total
      from weighted
    )
    select grouping, currency, category, to_char(day, 'YYYY-MM-DD') as day,
           sum(n)::text as count,
           sum(price::numeric * n)::text as volume,
           div(2 * sum(price::numeric * n) + sum(n), 2 * sum(n))::text as mean,
           div(min(price) filter (where cum >= div(total + 1, 2))::numeric + min(price) filter (where cum >= div(total, 2) + 1) + 1, 2)::text as median,
           min(price)::text as min,
           max(price)::text as max
    from ranked
    group by grouping, currency, category, day
    order by grouping desc, currency, category, day`.execute(db);
  return rows;
}

/**
 * What tells whether an answer still holds: the versions of the days the window touches (a fold
 * raises them) and the number of changes not folded yet in those days (only a purchase adds one;
 * only a fold, which raises a version, takes one away). Neither goes back, so an unchanged pair
 * means unchanged trades in the window.
 */
async function fingerprint(db: Queryable, w: StatsWindow): Promise<string> {
  const start = floorDay(w.from);
  const end = ceilDay(w.to);
  const { rows } = await sql<{ versions: string; pending: string }>`
    select (select coalesce(sum(version), 0) from board_price_days where day >= ${isoDay(start)}::date and day < ${isoDay(end)}::date)::text as versions,
           (select count(*) from board_price_changes where settled_at >= ${start} and settled_at < ${end})::text as pending`.execute(
    db,
  );
  return `${rows[0]!.versions}/${rows[0]!.pending}`;
}

function present(row: StatsRow) {
  return {
    currency: row.currency,
    count: Number(row.count),
    volume: Number(row.volume),
    mean: Number(row.mean),
    median: Number(row.median),
    min: Number(row.min),
    max: Number(row.max),
  };
}

type BoardStats = Awaited<ReturnType<typeof answer>>;

async function answer(db: Queryable, w: StatsWindow) {
  const rows = await computeStats(db, w);
  return {
    from: w.from.toISOString(),
    to: w.to.toISOString(),
    total: rows.filter((r) => r.grouping === 3).map(present),
    byCategory: rows.filter((r) => r.grouping === 1).map((r) => ({ ...present(r), category: r.category! })),
    byDay: rows.filter((r) => r.grouping === 2).map((r) => ({ ...present(r), day: r.day! })),
  };
}

/**
 * Answers computed before, per database and window, with the fingerprint they were computed at.
 * A public board asks for the same few windows again and again (the default one above all); a
 * request then costs one small read (the fingerprint) instead of a pass over the window's prices.
 * Memory only, never the database: public reads do not write.
 */
const MEMO_SIZE = 64;
const memos = new WeakMap<object, Map<string, { print: string; answer: Promise<BoardStats> }>>();

/** The board's price index: per currency in total, by category and by UTC day. */
export async function boardStats(db: Queryable, w: StatsWindow): Promise<BoardStats> {
  let memo = memos.get(db);
  if (!memo) memos.set(db, (memo = new Map()));
  const key = `${w.from.toISOString()}|${w.to.toISOString()}|${w.currency ?? ''}|${w.category ?? ''}`;
  // Read before the answer is computed, so an answer is never older than the fingerprint it is kept under.
  const print = await fingerprint(db, w);
  const known = memo.get(key);
  if (known?.print === print) return known.answer;
  const fresh = answer(db, w);
  memo.delete(key);
  memo.set(key, { print, answer: fresh });
  if (memo.size > MEMO_SIZE) memo.delete(memo.keys().next().value!);
  // A failed computation is not remembered: the next request tries again.
  fresh.catch(() => {
    if (memo.get(key)?.answer === fresh) memo.delete(key);
  });
  return fresh;
}
