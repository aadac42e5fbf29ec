import { sql } from 'kysely';
import type { Queryable } from '../../db/database.js';
import type { Category } from '../../db/schema.js';
import { pageLimitLiteral } from '../../http/pagination.js';
import { boardPseudonyms } from './pseudonym.js';

export interface BoardTradeFilter {
  currency?: string;
  category?: Category;
  assetId?: string;
}

/** `<settled_at ms>.<trade id>`: recent trades are sorted by (settled_at, id), newest first. */
export const TRADE_CURSOR_SHAPE = /^\d{1,15}\.trd_[0-9A-Z]{26}$/;

/**
 * Settled trades with what the board shows of each (work, serial, listing kind): one query shape for every reader.
 * Built once per database handle: Kysely's builders are immutable, and building this one (four
 * joins, fifteen columns) was a tenth of the trades page's CPU in the server's profile.
 */
export function settledTradeRows(db: Queryable) {
  // A transaction's builder would outlive it: only the pool's (or a plugin's copy of it) is kept.
  if (db.isTransaction) return buildSettledTradeRows(db);
  let rows = builtRows.get(db);
  if (!rows) {
    rows = buildSettledTradeRows(db);
    builtRows.set(db, rows);
  }
  return rows;
}

const builtRows = new WeakMap<Queryable, ReturnType<typeof buildSettledTradeRows>>();

function buildSettledTradeRows(db: Queryable) {
  return db
    .selectFrom('trades')
    .innerJoin('units', 'units.id', 'trades.unit_id')
    .innerJoin('editions', 'editions.id', 'units.edition_id')
    .innerJoin('assets', 'assets.id', 'editions.asset_id')
    .leftJoin('listings', 'listings.id', 'trades.listing_id')
    .select([
      'trades.id',
      'trades.unit_id',
      'trades.price',
      'trades.currency',
      'trades.settled_at',
      'trades.seller_id',
      'trades.buyer_id',
      'listings.kind as listing_kind',
      'units.serial',
      'editions.size',
      'assets.id as asset_id',
      'assets.title',
      'assets.kind as asset_kind',
      'assets.category',
      'assets.registration_number',
    ])
    .where('trades.status', '=', sql.lit('settled'));
}

/**
 * A page (limit + 1 rows, for `toPage`) of settled trades, newest first, after the cursor's
 * position, each with the log index of its `trade.settled` event: one statement per page.
 *
 * The lookup is in the select list: PostgreSQL evaluates it for the rows the limit keeps (after
 * the sort, if the plan sorts), so it never runs for trades outside the page. Status and limit are
 * literals so that the prepared statement keeps one plan (see `pageLimitLiteral`).
 */
export async function settledTradesPage(db: Queryable, filter: BoardTradeFilter, after: string | undefined, limit: number) {
  let q = settledTradeRows(db);
  if (filter.currency) q = q.where('trades.currency', '=', filter.currency);
  if (filter.category) q = q.where('assets.category', '=', filter.category);
  if (filter.assetId) q = q.where('assets.id', '=', filter.assetId);
  if (after) {
    const [ms, id] = after.split('.') as [string, string];
    const at = new Date(Number(ms));
    q = q.where((eb) =>
      eb.or([eb('trades.settled_at', '<', at), eb.and([eb('trades.settled_at', '=', at), eb('trades.id', '<', id)])]),
    );
  }
  return q
    .select(sql<bigint | null>`(${settledLogIndexSql})`.as('log_index'))
    .orderBy('trades.settled_at', 'desc')
    .orderBy('trades.id', 'desc')
    .limit(pageLimitLiteral(limit))
    .execute();
}

/**
 * The log index of a trade's `trade.settled` event (null while it awaits the integrator). The
 * event names its trade in its facts (`tradeId`), which is exact; `events_unit_idx` keeps the
 * search to the events of the trade's unit. The same match as `settledEventsOfTrades`.
 */
const settledLogIndexSql = sql`select ll.index from events ev join log_leaves ll on ll.event_seq = ev.seq
  where ev.unit_id = trades.unit_id and ev.type = 'trade.settled' and ev.entry::jsonb ->> 'tradeId' = trades.id
  order by ev.seq limit 1`;

export type BoardTradeRow = Awaited<ReturnType<typeof settledTradesPage>>[number];

export const tradeCursorKey = (row: Pick<BoardTradeRow, 'settled_at' | 'id'>) => `${row.settled_at!.getTime()}.${row.id}`;

/** What the board shows of a settled trade, from a row of `settledTradeRows` and its log index. */
type PresentableTrade = Omit<BoardTradeRow, 'log_index'> & { log_index: bigint | number | null };

/** Board items for a page of trades: pseudonymous parties and each trade's log index. */
export async function presentBoardTrades(rows: readonly PresentableTrade[]) {
  const names = await boardPseudonyms(rows.flatMap((r) => [r.seller_id, r.buyer_id]));
  return rows.map((r) => ({
    id: r.id,
    asset: {
      id: r.asset_id,
      title: r.title,
      kind: r.asset_kind,
      category: r.category,
      registrationNumber: r.registration_number,
    },
    editionSize: r.size,
    serial: r.serial,
    label: `${r.serial}/${r.size}`,
    market: r.listing_kind ?? ('offer' as const),
    price: Number(r.price),
    currency: r.currency,
    settledAt: r.settled_at!.toISOString(),
    seller: names.get(r.seller_id)!,
    buyer: names.get(r.buyer_id)!,
    logIndex: r.log_index === null ? null : Number(r.log_index),
  }));
}
