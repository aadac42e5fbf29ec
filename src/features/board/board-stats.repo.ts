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
  currency: string;
  category?: Category;
  day?: string;
  count: string;
  volume: string;
  mean: string;
  median: string;
  min: string;
  max: string;
}

/**
 * Volume, count, mean and median price of settled trades in [from, to), grouped by `keys`,
 * computed exactly in SQL on integers (numeric, never float — so not percentile_cont):
 *
 *   mean   = floor((2·volume + count) / (2·count))           volume / count, rounded half up
 *   median = the middle price; for an even count floor((lo + hi + 1) / 2), the mean of the two
 *            middle prices rounded half up. lo and hi are the prices ranked (n+1)/2 and n/2+1
 *            (integer division), the same row when n is odd.
 *
 * Prices are positive, so "half up" is also "half away from zero". Days are UTC.
 */
async function statsBy(db: Queryable, w: StatsWindow, keys: readonly ('currency' | 'category' | 'day')[]): Promise<StatsRow[]> {
  const conditions: RawBuilder<unknown>[] = [
    sql`t.status = 'settled'`,
    sql`t.settled_at >= ${w.from}`,
    sql`t.settled_at < ${w.to}`,
  ];
  if (w.currency) conditions.push(sql`t.currency = ${w.currency}`);
  if (w.category) conditions.push(sql`a.category = ${w.category}`);
  const cols = sql.join(keys.map((k) => sql.ref(k)));
  const { rows } = await sql<StatsRow>`
    with base as (
      select t.currency, a.category, to_char(t.settled_at at time zone 'UTC', 'YYYY-MM-DD') as day, t.price
      from trades t
      join units u on u.id = t.unit_id
      join editions e on e.id = u.edition_id
      join assets a on a.id = e.asset_id
      where ${sql.join(conditions, sql` and `)}
    ), ranked as (
      select ${cols}, price,
             row_number() over (partition by ${cols} order by price) as rn,
             count(*) over (partition by ${cols}) as n
      from base
    )
    select ${cols},
           count(*)::text as count,
           sum(price)::text as volume,
           div(2 * sum(price) + count(*), 2 * count(*))::text as mean,
           div(min(price) filter (where rn = (n + 1) / 2)::numeric + min(price) filter (where rn = n / 2 + 1) + 1, 2)::text as median,
           min(price)::text as min,
           max(price)::text as max
    from ranked
    group by ${cols}
    order by ${cols}`.execute(db);
  return rows;
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

/** The board's price index: per currency in total, by category and by UTC day. */
export async function boardStats(db: Queryable, w: StatsWindow) {
  const [total, byCategory, byDay] = await Promise.all([
    statsBy(db, w, ['currency']),
    statsBy(db, w, ['currency', 'category']),
    statsBy(db, w, ['currency', 'day']),
  ]);
  return {
    from: w.from.toISOString(),
    to: w.to.toISOString(),
    total: total.map(present),
    byCategory: byCategory.map((r) => ({ ...present(r), category: r.category! })),
    byDay: byDay.map((r) => ({ ...present(r), day: r.day! })),
  };
}
