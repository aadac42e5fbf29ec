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
 * Prices shown are those of the request's instant: the fixed price, the Dutch price at that
 * instant, an English auction's highest bid (else its start price). The cursor carries the
 * instant its walk began, `asOf`, only so that a walk expires (CURSOR_TTL_MS).
 *
 * Price sorts order by the stored sort key `listings.board_price` (schema/0026), which the
 * database keeps: the fixed price, the highest bid (else start price) as of the latest bid, and for
 * Dutch listings the price at the scheduler's last refresh, redone once it has fallen 0.5 % (not within a minute)
 * (features/market/dutch-board-keys.ts). So a page is an index seek at any depth; a Dutch listing
 * takes its place up to a refresh late, and a listing whose key changes while someone walks the
 * pages (a bid, a refresh) may be seen twice or not at all by that walk, as with any keyset over a
 * live order. Every other listing is seen exactly once.
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
  /** The price shown: at the request's instant. */
  cur_price: bigint | null;
  /** The price sort key (listings.board_price): what price pages are ordered and cursors seek by. */
  board_price: bigint | null;
  /** created_at and ends_at in microseconds since the epoch: cursors carry the exact sort key. */
  created_us: string;
  ends_us: string | null;
}

/** How long a walk through the pages may go on: a cursor older than this must start again. */
export const CURSOR_TTL_MS = 15 * 60 * 1000;

/** Where a page starts: when its walk began and, after the first page, the last row's sort key. */
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
 * or the price sort key. Sealed-bid listings have no price and sort after every priced listing both ways.
 */
function sortKeyOf(sort: BoardSort, row: BoardListingRow): string {
  switch (sort) {
    case 'newest':
      return row.created_us;
    case 'ending_soon':
      return row.ends_us ?? 'inf';
    case 'price_asc':
    case 'price_desc':
      return row.board_price === null ? 'inf' : String(row.board_price);
  }
}

/**
 * The price shown at `now`: the Dutch price at that instant (the migration's `dutch_price`, the same
 * integer formula as `dutchPrice`), else the sort key, which is exact for fixed prices and English
 * auctions (the bid trigger raises it in the bid's own transaction). Null for sealed-bid auctions.
 */
function shownPriceSql(b: string, now: Date): RawBuilder<bigint | null> {
  const col = (c: string) => sql.ref(`${b}.${c}`);
  return sql<bigint | null>`case when ${col('kind')} = 'dutch'
    then dutch_price(${col('start_price')}, ${col('floor_price')}, ${col('starts_at')}, ${col('ends_at')}, ${now}::timestamptz)
    else ${col('board_price')} end`;
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
  const { after } = position;
  // Everything the page is chosen by lives on the listing (the work's kind and category are copied
  // onto it), so the walk runs on the listings' own indexes; works, editions and units are joined,
  // and prices computed, for the limit + 1 rows kept only. Frozen units are few: a hashed list of them filters.
  const where: RawBuilder<unknown>[] = [
    sql`l.status = 'open'`,
    sql`l.starts_at <= ${planned(now)}`,
    sql`(l.ends_at is null or l.ends_at > ${planned(now)})`,
    sql`(l.unit_id is null or l.unit_id not in (select id from units where frozen))`,
    // Works an IP case hides (interim measure) or has revoked are off the board (features/cases).
    sql`l.edition_id not in (select e.id from editions e join cases c on c.asset_id = e.asset_id where c.hidden and c.status <> 'closed')`,
    sql`l.edition_id not in (select e.id from editions e join assets a on a.id = e.asset_id where a.status = 'revoked')`,
  ];
  if (filter.assetKind) where.push(sql`l.asset_kind = ${filter.assetKind}`);
  if (filter.category) where.push(sql`l.category = ${filter.category}`);
  if (filter.currency) where.push(sql`l.currency = ${filter.currency}`);
  if (filter.listingKind) where.push(sql`l.kind = ${filter.listingKind}`);
  // Price bounds compare the price shown, row by row along the walk: a Dutch key may be 0.5 % or a
  // minute's fall above it, so bounding the key instead would show Dutch prices outside the bounds.
  // A lower bound also bounds the key, which the price indexes seek: no shown price is above its
  // key (fixed and English prices are their key; a Dutch key is the price at an earlier instant,
  // and Dutch prices only fall), so an ascending walk starts at the bound instead of reading and
  // dropping every cheaper listing. No such bound exists for an upper one.
  const shown = shownPriceSql('l', now);
  if (filter.minPrice !== undefined) {
    where.push(sql`l.board_price >= ${String(filter.minPrice)}::bigint`, sql`${shown} >= ${String(filter.minPrice)}::bigint`);
  }
  if (filter.maxPrice !== undefined) where.push(sql`${shown} <= ${String(filter.maxPrice)}::bigint`);

  const columns = sql`l.id, l.kind, l.currency, l.unit_id, l.quantity, l.sold, l.starts_at, l.ends_at, l.created_at,
    l.edition_id, l.start_price, l.floor_price, l.board_price`;
  const branch = (conditions: RawBuilder<unknown>[], order: RawBuilder<unknown>) =>
    sql`(select ${columns} from listings l where ${sql.join(conditions, sql` and `)} order by ${order} limit ${pageLimitLiteral(limit)})`;

  // Every order is one the partial indexes of open listings hold (newest and ending soonest:
  // schema 0017; price: the stored sort key `board_price`, 0026), and the cursor a row comparison
  // on it, so a page at any depth is an index seek. Price sorts read the priced listings by key,
  // then the sealed-bid ones (no public price, null key) by id: last both ways.
  let chosen: RawBuilder<unknown>;
  let pageOrder: RawBuilder<unknown>;
  switch (sort) {
    case 'newest': {
      if (after?.key === 'inf') throw invalidCursor();
      const seek = after ? [sql`(l.created_at, l.id) < (${fromMicros(after.key)}, ${after.id}::text)`] : [];
      pageOrder = sql`page.created_at desc, page.id desc`;
      chosen = branch([...where, ...seek], sql`l.created_at desc, l.id desc`);
      break;
    }
    case 'ending_soon': {
      const ends = (b: string) => sql`coalesce(${sql.ref(`${b}.ends_at`)}, 'infinity'::timestamptz)`;
      const key = after?.key === 'inf' ? sql`'infinity'::timestamptz` : after ? fromMicros(after.key) : null;
      const seek = after ? [sql`(${ends('l')}, l.id) > (${key}, ${after.id}::text)`] : [];
      pageOrder = sql`${ends('page')}, page.id`;
      chosen = branch([...where, ...seek], sql`${ends('l')}, l.id`);
      break;
    }
    case 'price_asc':
    case 'price_desc': {
      const asc = sort === 'price_asc';
      const sealed = branch(
        [...where, sql`l.board_price is null`, ...(after?.key === 'inf' ? [sql`l.id > ${after.id}::text`] : [])],
        sql`l.id`,
      );
      // Ties on the key go by id in the sort's direction, so one index serves both directions.
      const seek = after
        ? [sql`(l.board_price, l.id) ${sql.raw(asc ? '>' : '<')} (${after.key}::bigint, ${after.id}::text)`]
        : [];
      const priced = branch(
        [...where, sql`l.board_price is not null`, ...seek],
        asc ? sql`l.board_price, l.id` : sql`l.board_price desc, l.id desc`,
      );
      pageOrder = asc
        ? sql`page.board_price nulls last, page.id`
        : sql`page.board_price desc nulls last, (case when page.board_price is null then page.id end), page.id desc`;
      chosen = after?.key === 'inf' ? sealed : sql`${priced} union all ${sealed} limit ${pageLimitLiteral(limit)}`;
      break;
    }
  }

  const { rows } = await sql<BoardListingRow>`
    select page.id, page.kind, page.currency, page.unit_id, page.quantity, page.sold, page.starts_at, page.ends_at,
           page.created_at, page.board_price,
           (extract(epoch from page.created_at) * 1000000)::bigint::text as created_us,
           (extract(epoch from page.ends_at) * 1000000)::bigint::text as ends_us,
           tb.top_bid, ${shownPriceSql('page', now)} as cur_price,
           w.edition_id, w.edition_size, w.serial, w.asset_id, w.title, w.asset_kind, w.category, w.registration_number
    from (${chosen}) page
    -- An English auction's highest bid, if any, tells the price's basis (highest bid or start price).
    left join lateral (
      select max(bids.amount) as top_bid from bids where page.kind = 'english' and bids.listing_id = page.id
    ) tb on true
    cross join lateral (${pageRowWork}) w
    order by ${pageOrder}`.execute(db);
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

const invalidCursor = () => badRequest('invalid_cursor', 'The cursor is not one this API issued.');

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
