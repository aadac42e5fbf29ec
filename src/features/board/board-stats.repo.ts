import { type RawBuilder, sql } from 'kysely';
import type { Queryable } from '../../db/database.js';
import type { Category } from '../../db/schema.js';
import { figures, PriceDistribution } from './price-distribution.js';

export interface StatsWindow {
  from: Date;
  to: Date;
  currency?: string;
  category?: Category;
}

const DAY_MS = 86_400_000;
const floorDay = (d: Date) => new Date(Math.floor(d.getTime() / DAY_MS) * DAY_MS);
const ceilDay = (d: Date) => new Date(Math.ceil(d.getTime() / DAY_MS) * DAY_MS);
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** A (currency, category) group of one day, keyed `currency category`. */
type DayGroups = Map<string, PriceDistribution>;
const groupKey = (currency: string, category: string) => `${currency} ${category}`;

/**
 * The window's whole UTC days [first, end) and the rest of it (at most part of a day at each
 * edge). Whole days come from the price histogram; the parts from the trades themselves, since
 * the histogram does not know the time of day.
 */
function split(w: StatsWindow) {
  const first = ceilDay(w.from);
  const end = floorDay(w.to);
  if (first >= end) return { first: w.from, end: w.from, parts: [[w.from, w.to]] as [Date, Date][] };
  const parts = (
    [
      [w.from, first],
      [end, w.to],
    ] as [Date, Date][]
  ).filter(([a, b]) => a < b);
  return { first, end, parts };
}

/**
 * Histograms of whole days read before, per database, with the day's version when read. A day's
 * counts change only in a fold, which raises its version, so an entry holds while the version
 * does. Memory only: public reads never write to the database.
 */
const DAYS_KEPT = 800;
const dayCache = new WeakMap<object, Map<string, { version: string; groups: DayGroups }>>();

/** Answers computed before, per database and window, with the mark (see markSql) of the trades they were computed from. */
const ANSWERS_KEPT = 64;
const answerCache = new WeakMap<object, Map<string, { mark: string; answer: BoardStats }>>();

function cacheOf<V>(caches: WeakMap<object, Map<string, V>>, db: Queryable) {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  return cache;
}
function remember<V>(cache: Map<string, V>, key: string, value: V, limit: number) {
  cache.delete(key);
  cache.set(key, value);
  if (cache.size > limit) cache.delete(cache.keys().next().value!);
}

type Change = [currency: string, category: string, day: string, price: string, trades: number];

/**
 * What the window's trades are as of now, in one statement: the sum of the versions of the days it
 * touches and how many changes are pending in them. Versions only rise, pending changes are only
 * added by purchases and only taken away by a fold (which raises a version), so the same mark
 * means the same trades in the window: a remembered answer still holds.
 */
function markSql(w: StatsWindow) {
  const touchedFrom = floorDay(w.from);
  const touchedTo = ceilDay(w.to);
  return sql<string>`(select coalesce(sum(version), 0) from board_price_days
                      where day >= ${isoDay(touchedFrom)}::date and day < ${isoDay(touchedTo)}::date)::text || '/' ||
                     (select count(*) from board_price_changes where settled_at >= ${touchedFrom} and settled_at < ${touchedTo})::text`;
}

async function mark(db: Queryable, w: StatsWindow) {
  const { rows } = await sql<{ mark: string }>`select ${markSql(w)} as mark`.execute(db);
  return rows[0]!.mark;
}

/**
 * In one statement, so one snapshot: the mark, the versions of the whole days and their pending
 * changes. Histograms read later are used only if their versions are these (windowDays).
 */
async function look(db: Queryable, w: StatsWindow, first: Date, end: Date) {
  const filters: RawBuilder<unknown>[] = [];
  if (w.currency) filters.push(sql`currency = ${w.currency}`);
  if (w.category) filters.push(sql`category = ${w.category}`);
  const { rows } = await sql<{ mark: string; versions: string; changes: string }>`
    select
      ${markSql(w)} as mark,
      coalesce((select json_agg(json_build_array(day::text, version::text)) from board_price_days
                where day >= ${isoDay(first)}::date and day < ${isoDay(end)}::date)::text, '[]') as versions,
      coalesce((select json_agg(json_build_array(currency, category, to_char(settled_at at time zone 'UTC', 'YYYY-MM-DD'), price::text, trades))
                from board_price_changes
                where ${sql.join([sql`settled_at >= ${first}`, sql`settled_at < ${end}`, ...filters], sql` and `)})::text, '[]') as changes`.execute(
    db,
  );
  const row = rows[0]!;
  return {
    mark: row.mark,
    versions: new Map(JSON.parse(row.versions) as [string, string][]),
    changes: JSON.parse(row.changes) as Change[],
  };
}

/** The histograms of `days` with their versions, read afresh. */
async function readDays(db: Queryable, days: string[]) {
  const { rows } = await sql<{ day: string; version: string; counts: string }>`
    select d.day::text as day, d.version::text as version,
           coalesce((select json_agg(json_build_array(c.currency, c.category, c.price::text, c.trades))
                     from board_price_counts c where c.day = d.day and c.trades > 0)::text, '[]') as counts
    from board_price_days d where d.day in (${sql.join(days.map((d) => sql`${d}::date`))})`.execute(db);
  return rows.map((r) => {
    const counts = new Map<string, Map<bigint, number>>();
    for (const [currency, category, price, n] of JSON.parse(r.counts) as [string, string, string, number][]) {
      add(counts, groupKey(currency, category), BigInt(price), n);
    }
    return { day: r.day, version: r.version, groups: distributions(counts) };
  });
}

function add(counts: Map<string, Map<bigint, number>>, key: string, price: bigint, n: number) {
  let group = counts.get(key);
  if (!group) {
    group = new Map();
    counts.set(key, group);
  }
  group.set(price, (group.get(price) ?? 0) + n);
}
function distributions(counts: Map<string, Map<bigint, number>>): DayGroups {
  return new Map([...counts].map(([key, group]) => [key, new PriceDistribution(group)]));
}

/** Settled trades of the partial days at the window's edges, per day and group, from the trades themselves. */
async function readParts(db: Queryable, w: StatsWindow, parts: [Date, Date][]) {
  const byDay = new Map<string, Map<string, Map<bigint, number>>>();
  if (!parts.length) return byDay;
  const conditions: RawBuilder<unknown>[] = [
    sql`t.status = 'settled'`,
    sql`(${sql.join(
      parts.map(([a, b]) => sql`(t.settled_at >= ${a} and t.settled_at < ${b})`),
      sql` or `,
    )})`,
  ];
  if (w.currency) conditions.push(sql`t.currency = ${w.currency}`);
  if (w.category) conditions.push(sql`a.category = ${w.category}`);
  const { rows } = await sql<{ currency: string; category: string; day: string; price: bigint }>`
    select t.currency, a.category, to_char(t.settled_at at time zone 'UTC', 'YYYY-MM-DD') as day, t.price
    from trades t
    join units u on u.id = t.unit_id
    join editions e on e.id = u.edition_id
    join assets a on a.id = e.asset_id
    where ${sql.join(conditions, sql` and `)}`.execute(db);
  for (const r of rows) {
    if (!byDay.has(r.day)) byDay.set(r.day, new Map());
    add(byDay.get(r.day)!, groupKey(r.currency, r.category), BigInt(r.price), 1);
  }
  return byDay;
}

/**
 * Every day of the window as groups of prices: whole days from their histograms (read again only
 * when their version moved) with their pending changes applied, partial days from the trades.
 * Returns null when a fold moved a day between the look and the read: the caller looks again.
 */
async function windowDays(db: Queryable, w: StatsWindow, first: Date, end: Date, seen: Awaited<ReturnType<typeof look>>) {
  const cache = cacheOf(dayCache, db);
  const whole: string[] = [];
  for (let d = first.getTime(); d < end.getTime(); d += DAY_MS) whole.push(isoDay(new Date(d)));
  // Taken now: other requests may push entries out of the cache while this one reads.
  const histograms = new Map(whole.map((d) => [d, cache.get(d)]));
  const stale = whole.filter((d) => seen.versions.has(d) && histograms.get(d)?.version !== seen.versions.get(d));
  if (stale.length) {
    for (const read of await readDays(db, stale)) {
      if (read.version !== seen.versions.get(read.day)) return null;
      const entry = { version: read.version, groups: read.groups };
      histograms.set(read.day, entry);
      remember(cache, read.day, entry, DAYS_KEPT);
    }
  }
  const changed = new Map<string, Map<string, Map<bigint, number>>>();
  for (const [currency, category, day, price, n] of seen.changes) {
    if (!changed.has(day)) changed.set(day, new Map());
    add(changed.get(day)!, groupKey(currency, category), BigInt(price), n);
  }
  const days = new Map<string, DayGroups>();
  for (const day of whole) {
    const kept = (seen.versions.has(day) && histograms.get(day)?.groups) || new Map<string, PriceDistribution>();
    const pending = changed.get(day);
    if (!pending) {
      days.set(day, kept);
      continue;
    }
    const groups = new Map(kept);
    for (const [key, delta] of pending) {
      const counts = new Map(delta);
      const before = kept.get(key);
      before?.prices.forEach((p, i) => {
        counts.set(p, (counts.get(p) ?? 0) + before.running[i]! - (i ? before.running[i - 1]! : 0));
      });
      groups.set(key, new PriceDistribution(counts));
    }
    days.set(day, groups);
  }
  for (const [day, counts] of await readParts(db, w, split(w).parts)) {
    const groups = distributions(counts);
    const same = days.get(day);
    // A window shorter than a day across midnight has two parts, each of another day; a day is never both whole and partial.
    days.set(day, same ? new Map([...same, ...groups]) : groups);
  }
  return days;
}

function answer(w: StatsWindow, days: Map<string, DayGroups>) {
  const wanted = (key: string) => {
    const [currency, category] = key.split(' ') as [string, string];
    return (!w.currency || currency === w.currency) && (!w.category || category === w.category) ? { currency, category } : null;
  };
  const byCurrency = new Map<string, PriceDistribution[]>();
  const byCategory = new Map<string, PriceDistribution[]>();
  const byDay = new Map<string, PriceDistribution[]>();
  const push = (m: Map<string, PriceDistribution[]>, key: string, d: PriceDistribution) => {
    if (!m.has(key)) m.set(key, []);
    m.get(key)!.push(d);
  };
  for (const [day, groups] of days) {
    for (const [key, d] of groups) {
      const g = wanted(key);
      if (!g) continue;
      push(byCurrency, g.currency, d);
      push(byCategory, key, d);
      push(byDay, `${g.currency} ${day}`, d);
    }
  }
  const rows = <T>(m: Map<string, PriceDistribution[]>, extra: (key: string) => T) =>
    [...m.keys()].sort().flatMap((key) => {
      const f = figures(m.get(key)!);
      return f ? [{ currency: key.split(' ')[0]!, ...f, ...extra(key) }] : [];
    });
  return {
    from: w.from.toISOString(),
    to: w.to.toISOString(),
    total: rows(byCurrency, () => ({})),
    byCategory: rows(byCategory, (key) => ({ category: key.split(' ')[1] as Category })),
    byDay: rows(byDay, (key) => ({ day: key.split(' ')[1]! })),
  };
}

type BoardStats = ReturnType<typeof answer>;

/**
 * The board's price index: count, volume, mean, median, min and max of settled trades in
 * [from, to), per currency in total, by category and by UTC day (figures: price-distribution.ts).
 *
 * A request costs one small read (the mark) when its window's trades are as before: the answer
 * is remembered. Otherwise the window's days are combined in memory from their histograms (each
 * read once per fold that changed it), the changes not folded yet and, for partial days at the
 * edges, the trades themselves.
 */
export async function boardStats(db: Queryable, w: StatsWindow): Promise<BoardStats> {
  const answers = cacheOf(answerCache, db);
  const key = `${w.from.toISOString()}|${w.to.toISOString()}|${w.currency ?? ''}|${w.category ?? ''}`;
  const { first, end } = split(w);
  // The usual case, one small read: nothing changed in the window since its answer was computed.
  const known = answers.get(key);
  if (known && known.mark === (await mark(db, w))) return known.answer;
  for (let attempt = 0; attempt < 10; attempt++) {
    const seen = await look(db, w, first, end);
    const days = await windowDays(db, w, first, end, seen);
    if (!days) continue;
    const fresh = answer(w, days);
    remember(answers, key, { mark: seen.mark, answer: fresh }, ANSWERS_KEPT);
    return fresh;
  }
  throw new Error('board statistics: the histogram kept moving while it was read');
}
