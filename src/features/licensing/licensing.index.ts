import type { Queryable } from '../../db/database.js';
import { requirePrincipal } from '../../http/auth.js';
import type { Principal } from '../../http/env.js';
import { decodeCursor, toPage } from '../../http/pagination.js';
import { notFound } from '../../http/problem.js';
import { createRouter } from '../../http/router.js';
import { mayActFor, visibleAccount } from '../parties/access.js';
import { acceptOfferByCard } from './card-acceptance.service.js';
import { acceptOffer, renewGrantNow } from './grants.service.js';
import {
  activeGrantsRegister,
  findGrant,
  findOffer,
  type GrantRow,
  isLate,
  type OfferRow,
  presentGrants,
  presentOffer,
} from './licensing.repo.js';
import * as routes from './licensing.routes.js';
import { createOffer, withdrawOffer } from './offers.service.js';
import { presentReport, reportRoyalties } from './royalty-reports.service.js';
import { terminateForNonPayment } from './termination.service.js';

/** Whether `principal` acts for one of `accountIds` (officials and the operator see everything). */
async function actsForAny(db: Queryable, principal: Principal | undefined, accountIds: string[]): Promise<boolean> {
  if (!principal) return false;
  if (principal.kind === 'operator' || principal.kind === 'official') return true;
  if (accountIds.length === 0) return false;
  const accounts = await db.selectFrom('accounts').select(['id', 'platform_id']).where('id', 'in', accountIds).execute();
  return accounts.some((a) => mayActFor(principal, a));
}

async function rightsHolderOf(db: Queryable, assetId: string) {
  const a = await db.selectFrom('assets').select('rights_holder_id').where('id', '=', assetId).executeTakeFirstOrThrow();
  return a.rights_holder_id;
}

async function visibleOffer(db: Queryable, principal: Principal | undefined, offer: OfferRow) {
  if (offer.open_to === null) return offer;
  if (await actsForAny(db, principal, [...offer.open_to, await rightsHolderOf(db, offer.asset_id)])) return offer;
  throw notFound('licence offer', offer.id);
}

/** A grant is seen by its licensee, the work's rights holder, the operator and officials. */
async function visibleGrant(db: Queryable, principal: Principal, grant: GrantRow) {
  if (await actsForAny(db, principal, [grant.licensee_id, await rightsHolderOf(db, grant.asset_id)])) return grant;
  throw notFound('licence grant', grant.id);
}

/** Licence offers, grants, royalty reports and the public register (README, "Licensing"). */
export function licensingRouter() {
  return createRouter()
    .openapi(routes.createOffer, async (c) => {
      const principal = requirePrincipal(c, 'platform', 'account');
      const { db, clock } = c.get('deps');
      const offer = await createOffer(db, principal, c.req.valid('param').id, c.req.valid('json'), clock.now());
      return c.json(presentOffer(offer), 201);
    })
    .openapi(routes.listOffers, async (c) => {
      const { db, clock } = c.get('deps');
      const { id } = c.req.valid('param');
      const { after, limit } = c.req.valid('query');
      const asset = await db.selectFrom('assets').select('id').where('id', '=', id).executeTakeFirst();
      if (!asset) throw notFound('asset', id);
      const cursor = decodeCursor(after);
      let q = db
        .selectFrom('licence_offers')
        .selectAll()
        .where('asset_id', '=', id)
        .where('status', '=', 'open')
        .where('open_to', 'is', null)
        .where('ends_at', '>', clock.now());
      if (cursor) q = q.where('id', '<', cursor);
      const rows = await q
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      return c.json(
        toPage(rows, limit, (r) => r.id, presentOffer),
        200,
      );
    })
    .openapi(routes.getOffer, async (c) => {
      const { db } = c.get('deps');
      const offer = await visibleOffer(db, c.get('principal'), await findOffer(db, c.req.valid('param').id));
      return c.json(presentOffer(offer), 200);
    })
    .openapi(routes.withdrawOffer, async (c) => {
      const principal = requirePrincipal(c, 'platform', 'account');
      const { db, clock } = c.get('deps');
      return c.json(presentOffer(await withdrawOffer(db, principal, c.req.valid('param').id, clock.now())), 200);
    })
    .openapi(routes.acceptOffer, async (c) => {
      const principal = requirePrincipal(c, 'platform', 'account');
      const { db, clock } = c.get('deps');
      const now = clock.now();
      const id = c.req.valid('param').id;
      const input = c.req.valid('json');
      if (input.rail === 'stripe') {
        const card = await acceptOfferByCard(c.get('deps'), principal, id, input, c.req.header('idempotency-key'));
        const [pending] = await presentGrants(c.get('deps').db, [card.grant], clock.now());
        return c.json({ ...pending!, payment: card.payment }, 202);
      }
      const grant = await acceptOffer(db, principal, id, input, now);
      const [view] = await presentGrants(db, [grant], now);
      return c.json(view!, 201);
    })
    .openapi(routes.getGrant, async (c) => {
      const principal = requirePrincipal(c);
      const { db, clock } = c.get('deps');
      const grant = await visibleGrant(db, principal, await findGrant(db, c.req.valid('param').id));
      const [view] = await presentGrants(db, [grant], clock.now());
      return c.json(view!, 200);
    })
    .openapi(routes.listAccountGrants, async (c) => {
      const principal = requirePrincipal(c);
      const { db, clock } = c.get('deps');
      const now = clock.now();
      const { id } = c.req.valid('param');
      const { after, limit, role, late } = c.req.valid('query');
      await visibleAccount(db, principal, id);
      const cursor = decodeCursor(after);
      let q = db.selectFrom('licence_grants').selectAll('licence_grants');
      q =
        role === 'licensee'
          ? q.where('licence_grants.licensee_id', '=', id)
          : q.innerJoin('assets', 'assets.id', 'licence_grants.asset_id').where('assets.rights_holder_id', '=', id);
      if (cursor) q = q.where('licence_grants.id', '<', cursor);
      // Lateness depends on the clock, so it is filtered here, on a page read with room to spare.
      let rows = await q
        .orderBy('licence_grants.id', 'desc')
        .limit(late ? 500 : limit + 1)
        .execute();
      if (late) rows = rows.filter((g) => isLate(g, now) === (late === 'true')).slice(0, limit + 1);
      const page = toPage(
        rows,
        limit,
        (r) => r.id,
        (r) => r,
      );
      return c.json({ data: await presentGrants(db, page.data, now), nextCursor: page.nextCursor }, 200);
    })
    .openapi(routes.reportRoyalties, async (c) => {
      const principal = requirePrincipal(c, 'platform', 'account');
      const { db, clock } = c.get('deps');
      const { report, lines } = await reportRoyalties(db, principal, c.req.valid('param').id, c.req.valid('json'), clock.now());
      return c.json(presentReport(report, lines), 201);
    })
    .openapi(routes.listReports, async (c) => {
      const principal = requirePrincipal(c);
      const { db } = c.get('deps');
      const { id } = c.req.valid('param');
      const { after, limit } = c.req.valid('query');
      await visibleGrant(db, principal, await findGrant(db, id));
      const cursor = decodeCursor(after);
      let q = db.selectFrom('royalty_reports').selectAll().where('grant_id', '=', id);
      if (cursor) q = q.where('id', '>', cursor);
      const reports = await q
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      const lines = reports.length
        ? await db
            .selectFrom('royalty_report_lines')
            .selectAll()
            .where(
              'report_id',
              'in',
              reports.map((r) => r.id),
            )
            .orderBy('currency')
            .execute()
        : [];
      return c.json(
        toPage(
          reports,
          limit,
          (r) => r.id,
          (r) =>
            presentReport(
              r,
              lines.filter((l) => l.report_id === r.id),
            ),
        ),
        200,
      );
    })
    .openapi(routes.terminateGrant, async (c) => {
      const principal = requirePrincipal(c, 'platform', 'account');
      const { db, clock } = c.get('deps');
      const now = clock.now();
      const grant = await terminateForNonPayment(db, principal, c.req.valid('param').id, c.req.valid('json').reason, now);
      const [view] = await presentGrants(db, [grant], now);
      return c.json(view!, 200);
    })
    .openapi(routes.renewGrant, async (c) => {
      const principal = requirePrincipal(c, 'platform', 'account');
      const { db, clock } = c.get('deps');
      const now = clock.now();
      const grant = await renewGrantNow(db, principal, c.req.valid('param').id, now);
      const [view] = await presentGrants(db, [grant], now);
      return c.json(view!, 201);
    })
    .openapi(routes.licenceRegister, async (c) => {
      const { db, clock } = c.get('deps');
      const { after, limit, assetId } = c.req.valid('query');
      const entries = await activeGrantsRegister(db, { assetId, afterId: decodeCursor(after), limit: limit + 1 }, clock.now());
      return c.json(
        toPage(
          entries,
          limit,
          (e) => e.grantId,
          (e) => e,
        ),
        200,
      );
    });
}
