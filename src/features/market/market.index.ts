import { requirePrincipal } from '../../http/auth.js';
import { decodeCursor, toPage } from '../../http/pagination.js';
import { createRouter } from '../../http/router.js';
import { tradeCertificate } from '../board/trade-certificate.js';
import { findUnit } from '../editions/editions.repo.js';
import { purchaseOnStripe } from '../stripe/checkout.service.js';
import { findListing, presentListing } from './listings.repo.js';
import * as listingRoutes from './listings.routes.js';
import { cancelListing, createListing } from './listings.service.js';
import { findOffer, presentOffer } from './offers.repo.js';
import * as offerRoutes from './offers.routes.js';
import { acceptOffer, cancelOffer, createOffer } from './offers.service.js';
import { purchaseListing } from './purchase.service.js';
import { cancelReservation, presentTrade, settleReservation, visibleTrade } from './trade-actions.service.js';
import * as tradeRoutes from './trades.routes.js';

/** Listings, purchases, offers and trades (README, "The trade board"); auctions' bidding lives in features/auctions. */
export function marketRouter() {
  return createRouter()
    .openapi(listingRoutes.createListing, async (c) => {
      const principal = requirePrincipal(c, 'platform', 'account');
      const { db, clock } = c.get('deps');
      const now = clock.now();
      return c.json(presentListing(await createListing(db, principal, c.req.valid('json'), now), now), 201);
    })
    .openapi(listingRoutes.getListing, async (c) => {
      const { db, clock } = c.get('deps');
      return c.json(presentListing(await findListing(db, c.req.valid('param').id), clock.now()), 200);
    })
    .openapi(listingRoutes.cancelListing, async (c) => {
      const principal = requirePrincipal(c, 'platform', 'account');
      const { db, clock } = c.get('deps');
      const now = clock.now();
      return c.json(presentListing(await cancelListing(db, principal, c.req.valid('param').id, now), now), 200);
    })
    .openapi(listingRoutes.purchaseListing, async (c) => {
      const principal = requirePrincipal(c, 'platform', 'account');
      const { db, clock } = c.get('deps');
      const input = c.req.valid('json');
      if (input.rail === 'stripe') {
        const key = c.req.header('idempotency-key');
        const paid = await purchaseOnStripe(c.get('deps'), principal, c.req.valid('param').id, input, key);
        return c.json({ ...presentTrade(paid.trade), payment: paid.payment }, 201);
      }
      const trade = await purchaseListing(db, principal, c.req.valid('param').id, input, clock.now());
      return c.json(presentTrade(trade), 201);
    })
    .openapi(offerRoutes.createOffer, async (c) => {
      const principal = requirePrincipal(c, 'platform', 'account');
      const { db, clock } = c.get('deps');
      const now = clock.now();
      return c.json(presentOffer(await createOffer(db, principal, c.req.valid('param').id, c.req.valid('json'), now), now), 201);
    })
    .openapi(offerRoutes.listOffers, async (c) => {
      const { db, clock } = c.get('deps');
      const { id } = c.req.valid('param');
      const { after, limit, status } = c.req.valid('query');
      await findUnit(db, id);
      const now = clock.now();
      const cursor = decodeCursor(after);
      let q = db.selectFrom('offers').selectAll().where('unit_id', '=', id);
      // Status as readers see it: an open offer past its expiry is expired.
      if (status === 'open') q = q.where('status', '=', 'open').where('expires_at', '>', now);
      else if (status === 'expired')
        q = q.where((eb) =>
          eb.or([eb('status', '=', 'expired'), eb.and([eb('status', '=', 'open'), eb('expires_at', '<=', now)])]),
        );
      else if (status) q = q.where('status', '=', status);
      if (cursor) q = q.where('id', '>', cursor);
      const rows = await q
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return c.json(
        toPage(
          rows,
          limit,
          (r) => r.id,
          (r) => presentOffer(r, now),
        ),
        200,
      );
    })
    .openapi(offerRoutes.getOffer, async (c) => {
      const { db, clock } = c.get('deps');
      return c.json(presentOffer(await findOffer(db, c.req.valid('param').id), clock.now()), 200);
    })
    .openapi(offerRoutes.acceptOffer, async (c) => {
      const principal = requirePrincipal(c, 'platform', 'account');
      const { db, clock } = c.get('deps');
      const now = clock.now();
      const { offer, trade } = await acceptOffer(db, principal, c.req.valid('param').id, c.req.valid('json'), now);
      return c.json({ offer: presentOffer(offer, now), trade: presentTrade(trade) }, 201);
    })
    .openapi(offerRoutes.cancelOffer, async (c) => {
      const principal = requirePrincipal(c, 'platform', 'account');
      const { db, clock } = c.get('deps');
      const now = clock.now();
      return c.json(presentOffer(await cancelOffer(db, principal, c.req.valid('param').id, now), now), 200);
    })
    .openapi(tradeRoutes.getTrade, async (c) => {
      const principal = requirePrincipal(c);
      const { db } = c.get('deps');
      const trade = await visibleTrade(db, principal, c.req.valid('param').id);
      return c.json({ ...presentTrade(trade), certificate: await tradeCertificate(db, trade) }, 200);
    })
    .openapi(tradeRoutes.settleTrade, async (c) => {
      const principal = requirePrincipal(c, 'platform', 'account');
      const { db, clock } = c.get('deps');
      return c.json(presentTrade(await settleReservation(db, principal, c.req.valid('param').id, clock.now())), 200);
    })
    .openapi(tradeRoutes.cancelTrade, async (c) => {
      const principal = requirePrincipal(c, 'platform', 'account');
      const { db, clock } = c.get('deps');
      return c.json(presentTrade(await cancelReservation(db, principal, c.req.valid('param').id, clock.now())), 200);
    });
}
