import { requirePrincipal } from '../../http/auth.js';
import { decodeCursor, toPage } from '../../http/pagination.js';
import { notFound } from '../../http/problem.js';
import { createRouter } from '../../http/router.js';
import { registerDueNotices } from '../assets/registration.js';
import { pageOfEvents } from '../events/events.repo.js';
import { findEdition, findUnit, presentEdition, presentUnit, unitsQuery } from './editions.repo.js';
import * as routes from './editions.routes.js';
import { createEdition, mintUnits } from './editions.service.js';
import { giftUnit } from './gifts.service.js';

export function editionsRouter() {
  return createRouter()
    .openapi(routes.createEdition, async (c) => {
      const principal = requirePrincipal(c, 'platform', 'account');
      const { db, clock, config } = c.get('deps');
      const { id } = c.req.valid('param');
      // A notice that has just ended registers here, in the writing request, not on a read.
      await registerDueNotices(db, config, clock.now(), id);
      const edition = await createEdition(db, principal, id, c.req.valid('json'), clock.now());
      return c.json(presentEdition(edition), 201);
    })
    .openapi(routes.listEditions, async (c) => {
      const { db } = c.get('deps');
      const { id } = c.req.valid('param');
      const { after, limit } = c.req.valid('query');
      const asset = await db.selectFrom('assets').select('status').where('id', '=', id).executeTakeFirst();
      if (asset?.status !== 'registered') throw notFound('registered asset', id);
      const cursor = decodeCursor(after);
      let q = db.selectFrom('editions').selectAll().where('asset_id', '=', id);
      if (cursor) q = q.where('id', '>', cursor);
      const rows = await q
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return c.json(
        toPage(rows, limit, (r) => r.id, presentEdition),
        200,
      );
    })
    .openapi(routes.getEdition, async (c) => {
      const edition = await findEdition(c.get('deps').db, c.req.valid('param').id);
      return c.json(presentEdition(edition), 200);
    })
    .openapi(routes.mint, async (c) => {
      const principal = requirePrincipal(c, 'platform', 'account');
      const { db, clock } = c.get('deps');
      const result = await mintUnits(db, principal, c.req.valid('param').id, c.req.valid('json'), clock.now());
      return c.json({ edition: presentEdition(result.edition), units: result.units.map(presentUnit) }, 201);
    })
    .openapi(routes.listUnits, async (c) => {
      const { db } = c.get('deps');
      const { id } = c.req.valid('param');
      const { after, limit } = c.req.valid('query');
      await findEdition(db, id);
      const cursor = decodeCursor(after, /^\d{1,9}$/);
      let q = unitsQuery(db).where('units.edition_id', '=', id);
      if (cursor) q = q.where('units.serial', '>', Number(cursor));
      const rows = await q
        .orderBy('units.serial')
        .limit(limit + 1)
        .execute();
      return c.json(
        toPage(rows, limit, (r) => String(r.serial), presentUnit),
        200,
      );
    })
    .openapi(routes.getUnit, async (c) => {
      return c.json(presentUnit(await findUnit(c.get('deps').db, c.req.valid('param').id)), 200);
    })
    .openapi(routes.unitHistory, async (c) => {
      const { db } = c.get('deps');
      const { id } = c.req.valid('param');
      await findUnit(db, id);
      return c.json(await pageOfEvents(db, { unitId: id }, c.req.valid('query')), 200);
    })
    .openapi(routes.giftUnit, async (c) => {
      const principal = requirePrincipal(c, 'platform', 'account');
      const { db, clock } = c.get('deps');
      const { id } = c.req.valid('param');
      const transfer = await giftUnit(db, principal, id, c.req.valid('json'), clock.now());
      return c.json({ transfer, unit: presentUnit(await findUnit(db, id)) }, 201);
    });
}
