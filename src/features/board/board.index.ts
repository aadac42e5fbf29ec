import { requirePrincipal } from '../../http/auth.js';
import { decodeCursor, toPage } from '../../http/pagination.js';
import { badRequest, conflict } from '../../http/problem.js';
import { createRouter } from '../../http/router.js';
import { visibleTrade } from '../market/trade-actions.service.js';
import * as routes from './board.routes.js';
import {
  LISTING_CURSOR_SHAPE,
  listingCursorKey,
  openListingsPage,
  positionFromCursor,
  presentBoardListing,
} from './board-listings.repo.js';
import { boardStats } from './board-stats.repo.js';
import { presentBoardTrades, settledTradesPage, TRADE_CURSOR_SHAPE, tradeCursorKey } from './board-trades.repo.js';
import { specSheet } from './spec-sheet.service.js';
import { tradeCertificate } from './trade-certificate.js';

const DAY_MS = 86_400_000;
const MAX_STATS_DAYS = 366;

/** A query's `from`/`to`: a bare UTC day means its midnight. */
const instant = (s: string) => new Date(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s);

/** The public board (no key needed): open listings, recent trades, statistics, spec sheets. */
export function boardRouter() {
  return createRouter()
    .openapi(routes.listBoardListings, async (c) => {
      const { db, clock } = c.get('deps');
      const { after, limit, sort, kind, category, currency, listingKind, minPrice, maxPrice } = c.req.valid('query');
      if (minPrice !== undefined && maxPrice !== undefined && minPrice > maxPrice) {
        throw badRequest('invalid_price_range', 'minPrice must not be above maxPrice.');
      }
      const now = clock.now();
      const position = positionFromCursor(decodeCursor(after, LISTING_CURSOR_SHAPE), now);
      const rows = await openListingsPage(
        db,
        { assetKind: kind, category, currency, listingKind, minPrice, maxPrice },
        sort,
        position,
        now,
        limit,
      );
      const page = toPage(rows, limit, (r) => listingCursorKey(sort, position.asOf, r), presentBoardListing);
      return c.json({ ...page, asOf: now.toISOString() }, 200);
    })
    .openapi(routes.listBoardTrades, async (c) => {
      const { db } = c.get('deps');
      const { after, limit, ...filter } = c.req.valid('query');
      const rows = await settledTradesPage(db, filter, decodeCursor(after, TRADE_CURSOR_SHAPE), limit);
      const page = toPage(rows, limit, tradeCursorKey, (r) => r);
      return c.json({ ...page, data: await presentBoardTrades(page.data) }, 200);
    })
    .openapi(routes.boardStats, async (c) => {
      const { db, clock } = c.get('deps');
      const q = c.req.valid('query');
      const today = Math.floor(clock.now().getTime() / DAY_MS) * DAY_MS;
      const to = q.to ? instant(q.to) : new Date(today + DAY_MS);
      const from = q.from ? instant(q.from) : new Date(to.getTime() - 30 * DAY_MS);
      if (from >= to) throw badRequest('invalid_range', '`from` must be before `to`.');
      if (to.getTime() - from.getTime() > MAX_STATS_DAYS * DAY_MS) {
        throw badRequest('range_too_long', `A statistics window spans at most ${MAX_STATS_DAYS} days.`);
      }
      return c.json(await boardStats(db, { from, to, currency: q.currency, category: q.category }), 200);
    })
    .openapi(routes.listingSpecSheet, async (c) => {
      const { db, clock } = c.get('deps');
      return c.json(await specSheet(db, c.req.valid('param').id, clock.now()), 200);
    })
    .openapi(routes.tradeCertificateProof, async (c) => {
      const principal = requirePrincipal(c);
      const { db } = c.get('deps');
      const { id } = c.req.valid('param');
      const trade = await visibleTrade(db, principal, id);
      if (trade.status !== 'settled') {
        throw conflict('trade_not_settled', `Trade ${id} is ${trade.status}; only a settled trade has a certificate.`);
      }
      const certificate = await tradeCertificate(db, trade);
      if (!certificate) {
        throw conflict('certificate_pending', `Trade ${id} is not in a signed checkpoint yet; try again in a moment.`);
      }
      return c.text(certificate.tlogProof, 200, {
        'content-disposition': `attachment; filename="${id}.tlog-proof"`,
      });
    });
}
