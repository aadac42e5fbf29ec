import { type RawBuilder, sql } from 'kysely';
import type { Queryable } from '../../db/database.js';
import type { Category } from '../../db/schema.js';
import { pageLimitLiteral } from '../../http/pagination.js';
import { badRequest } from '../../http/problem.js';
import type { BoardSort, PriceBasis } from './board.schemas.js';

/*
 * The open listings of the board, filtered, priced and sorted in one query.
 *
 * Open means taking buyers (or bids) now: status `open`, started, not past `ends_at` (for
 * auctions: not past the possibly extended end, or the commit deadline of a sealed-bid auction),
 * and not a frozen unit. A listing whose end has passed is left out even before the scheduler
 * or a lazy close has marked it expired or closed: the board reads, it never writes.
 *
 * Prices are those of one instant, `asOf`: the first page's time, carried in the cursor, so a
 * walk through the pages sorted by price sees one consistent order although Dutch prices fall
 * and English bids arrive meanwhile (an English price is the highest bid made at or before
 * `asOf`; bids are append-only, so that is well defined). Visibility uses the present time.
 */

export interface BoardListingFilter {
  assetKind?: string;
  category?: string;
  currency?: string;
  listingKind?: string;
  minPrice?: number;
  maxPrice?: number;
}

export interface BoardListingRow {
  id: string;
  kind: 'fixed' | 'english' | 'dutch' | 'sealed';
  currency: string;
  unit_id: string | null;
  quantity: number;
  sold: number;
  starts_at: Date;
  ends_at: Date | null;
  created_at: Date;
  edition_id: string;
  edition_size: number;
  serial: number | null;
  asset_id: string;
  title: string;
  asset_kind: 'garment' | 'virtual_human' | 'collectible';
  category: Category;
  registration_number: string | null;
  top_bid: bigint | null;
  cur_price: bigint | null;
  /** created_at and ends_at in microseconds since the epoch: cursors carry the exact sort key. */
  created_us: string;
  ends_us: string | null;
}

/** How long a walk through the pages may keep pricing at its first page's instant. */
export const CURSOR_TTL_MS = 15 * 60 * 1000;

/** Where a page starts: the walk's pricing instant and, after the first page, the last row's sort key. */
export interface BoardPosition {
  asOf: Date;
  after?: { key: string; id: string };
}

const LISTING_ID = 'lst_[0-9A-Z]{26}';
/** `<asOf ms>.<sort key>.<listing id>`; the sort key is a number, or `inf` for "no end". */
export const LISTING_CURSOR_SHAPE = new RegExp(`^\\d{1,15}\\.(?:-?\\d{1,19}|inf)\\.${LISTING_ID}$`);

export function listingCursorKey(sort: BoardSort, asOf: Date, row: BoardListingRow): string {
  return `${asOf.getTime()}.${sortKeyOf(sort, row)}.${row.id}`;
}

/** The position a cursor names; a walk older than CURSOR_TTL_MS must start again. */
export function positionFromCursor(key: string | undefined, now: Date): BoardPosition {
  if (key === undefined) return { asOf: now };
  const [asOfMs, sortKey, id] = key.split('.') as [string, string, string];
  const asOf = new Date(Number(asOfMs));
  const age = now.getTime() - asOf.getTime();
  if (age < 0 || age > CURSOR_TTL_MS) {
    throw badRequest('cursor_expired', 'Board cursors last 15 minutes: start again from the first page.');
  }
  return { asOf, after: { key: sortKey, id } };
}

/**
 * The sort key of a row under `sort`, as written into cursors: the creation or end time in µs,
 * or the price. Sealed-bid listings have no price and sort after every priced listing both ways.
 */
function sortKeyOf(sort: BoardSort, row: BoardListingRow): string {
  switch (sort) {
    case 'newest':
      return row.created_us;
    case 'ending_soon':
      return row.ends_us ?? 'inf';
    case 'price_asc':
    case 'price_desc':
      return row.cur_price === null ? 'inf' : String(row.cur_price);
  }
}

/**
 * The Dutch price at `asOfMs` in SQL, the same integer formula as `dutchPrice` (dutch-price.ts):
 * start − floor((start − floor) × elapsed ms / duration ms), clamped to the two ends. `div` on
 * numeric is exact integer division (truncation, which is floor for these non-negative values).
 */
function dutchPriceSql(asOfMs: number): RawBuilder<bigint> {
  const ms = (column: string) => sql`floor(extract(epoch from ${sql.ref(column)}) * 1000)`;
  const elapsed = sql`(${String(asOfMs)}::numeric - ${ms('l.starts_at')})`;
  const duration = sql`(${ms('l.ends_at')} - ${ms('l.starts_at')})`;
  return sql<bigint>`case
    when ${elapsed} >= ${duration} then l.floor_price
    when ${elapsed} <= 0 then l.start_price
    else l.start_price - div((l.start_price - l.floor_price)::numeric * ${elapsed}, ${duration})::bigint
  end`;
}

/** One page (limit + 1 rows, for `toPage`) of the board's open listings. */
export async function openListingsPage(
  db: Queryable,
  filter: BoardListingFilter,
  sort: BoardSort,
  position: BoardPosition,
  now: Date,
  limit: number,
): Promise<BoardListingRow[]> {
  // Everything the page is chosen by lives on the listing (the work's kind and category are copied
  // onto it), so the walk runs on the listings' own indexes; works, editions and units are joined
  // for the limit + 1 rows kept only. Frozen units are few: a hashed list of them filters.
  const inner: RawBuilder<unknown>[] = [
    sql`l.status = 'open'`,
    sql`l.starts_at <= ${planned(now)}`,
    sql`(l.ends_at is null or l.ends_at > ${planned(now)})`,
    sql`(l.unit_id is null or l.unit_id not in (select id from units where frozen))`,
    // Works an IP case hides (interim measure) or has revoked are off the board (features/cases).
    sql`l.edition_id not in (select e.id from editions e join cases c on c.asset_id = e.asset_id where c.hidden and c.status <> 'closed')`,
    sql`l.edition_id not in (select e.id from editions e join assets a on a.id = e.asset_id where a.status = 'revoked')`,
  ];
  if (filter.assetKind) inner.push(sql`l.asset_kind = ${filter.assetKind}`);
  if (filter.category) inner.push(sql`l.category = ${filter.category}`);
  if (filter.currency) inner.push(sql`l.currency = ${filter.currency}`);
  if (filter.listingKind) inner.push(sql`l.kind = ${filter.listingKind}`);

  // newest and ending_soon order by plain columns, which the partial indexes of open listings
  // (schema 0017) hold in that order, so a page at any depth is an index seek. Price sorts order
  // by the price at `asOf` (Dutch prices fall with time, English ones follow bids), computed.
  const priced = (b: string) => sql`(case when ${sql.ref(`${b}.cur_price`)} is null then 1 else 0 end)`;
  const order = (b: string): RawBuilder<unknown> => {
    const col = (c: string) => sql.ref(`${b}.${c}`);
    switch (sort) {
      case 'newest':
        return sql`${col('created_at')} desc, ${col('id')} desc`;
      case 'ending_soon':
        return sql`coalesce(${col('ends_at')}, 'infinity'::timestamptz), ${col('id')}`;
      case 'price_asc':
        return sql`${priced(b)}, coalesce(${col('cur_price')}, 0), ${col('id')}`;
      case 'price_desc':
        return sql`${priced(b)}, -coalesce(${col('cur_price')}, 0), ${col('id')}`;
    }
  };
  const outer: RawBuilder<unknown>[] = [];
  if (filter.minPrice !== undefined) outer.push(sql`b.cur_price >= ${String(filter.minPrice)}::bigint`);
  if (filter.maxPrice !== undefined) outer.push(sql`b.cur_price <= ${String(filter.maxPrice)}::bigint`);
  if (position.after) outer.push(afterCursor(sort, position.after));

  const { rows } = await sql<BoardListingRow>`
    select page.id, page.kind, page.currency, page.unit_id, page.quantity, page.sold, page.starts_at, page.ends_at,
           page.created_at, page.created_us, page.ends_us, page.top_bid, page.cur_price,
           w.edition_id, w.edition_size, w.serial, w.asset_id, w.title, w.asset_kind, w.category, w.registration_number
    from (
      select b.* from (
        select l.id, l.kind, l.currency, l.unit_id, l.quantity, l.sold, l.starts_at, l.ends_at, l.created_at, l.edition_id,
               (extract(epoch from l.created_at) * 1000000)::bigint::text as created_us,
               (extract(epoch from l.ends_at) * 1000000)::bigint::text as ends_us,
               tb.top_bid,
               case l.kind
                 when 'fixed' then l.price
                 when 'dutch' then ${dutchPriceSql(position.asOf.getTime())}
                 when 'english' then coalesce(tb.top_bid, l.start_price)
               end as cur_price
        from listings l
        left join lateral (
          select max(bids.amount) as top_bid from bids
          where l.kind = 'english' and bids.listing_id = l.id and bids.created_at <= ${position.asOf}
        ) tb on true
        where ${sql.join(inner, sql` and `)}
      ) b
      ${outer.length ? sql`where ${sql.join(outer, sql` and `)}` : sql``}
      order by ${order('b')}
      limit ${pageLimitLiteral(limit)}
    ) page
    cross join lateral (${pageRowWork}) w
    order by ${order('page')}`.execute(db);
  return rows;
}

/*
 * `now` as an init-plan the planner does not look into. The Node server prepares its statements,
 * and PostgreSQL keeps a prepared statement's generic plan only when it looks no costlier than one
 * made for the run's values (see `pageLimitLiteral`). Seen as a value, `now` let the planner count
 * every listing as started and not ended, which made each run's own plan look cheaper, so every
 * request was planned again: about 1 ms of planning for a page read in 0.3 ms. Hidden, both plans
 * are costed alike and the generic one (the same index walk) is kept.
 */
const planned = (at: Date) => sql`(select ${at}::timestamptz)`;

/**
 * The work, edition and serial of one row of the page, looked up by key for that row only
 * (`offset 0` keeps the planner from merging it into a join that reads every edition).
 */
const pageRowWork = sql`
  select e.id as edition_id, e.size as edition_size, (select u.serial from units u where u.id = page.unit_id) as serial,
         a.id as asset_id, a.title, a.kind as asset_kind, a.category, a.registration_number
  from editions e join assets a on a.id = e.asset_id
  where e.id = page.edition_id
  offset 0`;

/** Microseconds since the epoch (a cursor's time key) as an exact timestamptz. */
const fromMicros = (us: string) => sql`('epoch'::timestamptz + ${us}::bigint * interval '1 microsecond')`;

/** "After the cursor's row" in the page's order: row comparisons the indexes can seek to. */
function afterCursor(sort: BoardSort, after: { key: string; id: string }): RawBuilder<unknown> {
  const inf = after.key === 'inf';
  switch (sort) {
    case 'newest':
      if (inf) break;
      return sql`(b.created_at, b.id) < (${fromMicros(after.key)}, ${after.id}::text)`;
    case 'ending_soon':
      return sql`(coalesce(b.ends_at, 'infinity'::timestamptz), b.id) > (${inf ? sql`'infinity'::timestamptz` : fromMicros(after.key)}, ${after.id}::text)`;
    case 'price_asc':
    case 'price_desc': {
      const priced = sql`(case when b.cur_price is null then 1 else 0 end)`;
      const signed = sort === 'price_asc' ? sql`coalesce(b.cur_price, 0)` : sql`-coalesce(b.cur_price, 0)`;
      const n = inf ? '0' : sort === 'price_asc' ? after.key : `-${after.key}`;
      return sql`(${priced}, ${signed}, b.id) > (${inf ? 1 : 0}, ${n}::bigint, ${after.id}::text)`;
    }
  }
  throw badRequest('invalid_cursor', 'The cursor is not one this API issued.');
}

/** The price a board item shows and where it comes from. */
export function priceOf(row: Pick<BoardListingRow, 'kind' | 'top_bid' | 'cur_price'>): {
  price: number | null;
  priceBasis: PriceBasis | null;
} {
  const price = row.cur_price === null ? null : Number(row.cur_price);
  switch (row.kind) {
    case 'fixed':
      return { price, priceBasis: 'fixed' };
    case 'dutch':
      return { price, priceBasis: 'dutch' };
    case 'english':
      return { price, priceBasis: row.top_bid === null ? 'start_price' : 'highest_bid' };
    case 'sealed':
      return { price: null, priceBasis: null };
  }
}

export function presentBoardListing(row: BoardListingRow) {
  const remaining = row.unit_id ? null : row.quantity - row.sold;
  return {
    id: row.id,
    kind: row.kind,
    currency: row.currency,
    ...priceOf(row),
    asset: {
      id: row.asset_id,
      title: row.title,
      kind: row.asset_kind,
      category: row.category,
      registrationNumber: row.registration_number,
    },
    edition: {
      id: row.edition_id,
      size: row.edition_size,
      serial: row.serial,
      remaining,
      label: row.serial !== null ? `${row.serial}/${row.edition_size}` : `${remaining} left`,
    },
    unitId: row.unit_id,
    startsAt: row.starts_at.toISOString(),
    endsAt: row.ends_at ? row.ends_at.toISOString() : null,
    createdAt: row.created_at.toISOString(),
  };
}
