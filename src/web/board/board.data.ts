import type { z } from '@hono/zod-openapi';
import type { Db } from '../../db/database.js';
import { CATEGORIES } from '../../features/assets/assets.schemas.js';
import type { listBoardListings } from '../../features/board/board.routes.js';
import {
  LISTING_CURSOR_SHAPE,
  listingCursorKey,
  openListingsPage,
  positionFromCursor,
  presentBoardListing,
} from '../../features/board/board-listings.repo.js';
import { boardStats } from '../../features/board/board-stats.repo.js';
import { presentBoardTrades, settledTradesPage } from '../../features/board/board-trades.repo.js';
import { decodeCursor, toPage } from '../../http/pagination.js';

export type BoardQuery = z.infer<NonNullable<(typeof listBoardListings)['request']>['query'] & z.ZodTypeAny>;

const DAY_MS = 86_400_000;
/** The chart's window: the last 30 UTC days, today included, as GET /v1/board/stats by default. */
const CHART_DAYS = 30;

/** The open listings page as GET /v1/board/listings answers it, through the same board repos. */
export async function boardListings(db: Db, q: BoardQuery, now: Date) {
  const position = positionFromCursor(decodeCursor(q.after, LISTING_CURSOR_SHAPE), now);
  const rows = await openListingsPage(
    db,
    {
      assetKind: q.kind,
      category: q.category,
      currency: q.currency,
      listingKind: q.listingKind,
      minPrice: q.minPrice,
      maxPrice: q.maxPrice,
    },
    q.sort,
    position,
    now,
    q.limit,
  );
  return toPage(rows, q.limit, (r) => listingCursorKey(q.sort, position.asOf, r), presentBoardListing);
}

/** The latest settled trades, parties as board pseudonyms (GET /v1/board/trades). */
export async function recentTrades(db: Db, limit: number, currency?: string) {
  const rows = await settledTradesPage(db, { currency }, undefined, limit);
  return presentBoardTrades(rows.slice(0, limit));
}

export interface PriceIndex {
  currency: string;
  /** UTC midnights, in seconds (uPlot's x axis). */
  days: number[];
  /** Median price per day per category with trades in the window; null on days without one. */
  series: { category: string; values: (number | null)[] }[];
}

/** The daily median price of each category over the last 30 days, from GET /v1/board/stats's figures. */
export async function priceIndex(db: Db, currency: string, now: Date): Promise<PriceIndex> {
  const to = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS + DAY_MS);
  const from = new Date(to.getTime() - CHART_DAYS * DAY_MS);
  const days = Array.from({ length: CHART_DAYS }, (_, i) => (from.getTime() + i * DAY_MS) / 1000);
  const perCategory = await Promise.all(
    CATEGORIES.map(async (category) => ({ category, stats: await boardStats(db, { from, to, currency, category }) })),
  );
  const series = perCategory
    .filter(({ stats }) => stats.byDay.length > 0)
    .map(({ category, stats }) => {
      const median = new Map(stats.byDay.map((d) => [Date.parse(`${d.day}T00:00:00Z`) / 1000, d.median]));
      return { category, values: days.map((d) => median.get(d) ?? null) };
    });
  return { currency, days, series };
}
