import { requirePrincipal } from '../../http/auth.js';
import { decodeCursor, toPage } from '../../http/pagination.js';
import { notFound } from '../../http/problem.js';
import { createRouter } from '../../http/router.js';
import { visibleAccount } from '../parties/access.js';
import * as routes from './freezes.routes.js';
import { type Freeze, liftFreeze, placeFreeze } from './freezes.service.js';

function presentFreeze(f: Freeze) {
  return {
    id: f.id,
    unitId: f.unit_id,
    cause: f.cause,
    tradeId: f.trade_id,
    placedBy: f.placed_by,
    reason: f.reason,
    placedAt: f.placed_at.toISOString(),
    active: f.lifted_at === null,
    liftedAt: f.lifted_at?.toISOString() ?? null,
    liftedBy: f.lifted_by,
    liftReason: f.lift_reason,
  };
}

/** Officials freeze and lift units; officials, the operator and the owner's platform read why a unit is frozen. */
export function freezesRouter() {
  return createRouter()
    .openapi(routes.placeFreeze, async (c) => {
      const official = requirePrincipal(c, 'official');
      const { db, clock } = c.get('deps');
      const { id } = c.req.valid('param');
      const { reason } = c.req.valid('json');
      const freeze = await db
        .transaction()
        .execute((trx) => placeFreeze(trx, { unitId: id, cause: 'official', placedBy: official.id, reason }, clock.now()));
      return c.json(presentFreeze(freeze), 201);
    })
    .openapi(routes.liftFreeze, async (c) => {
      const official = requirePrincipal(c, 'official');
      const { db, clock } = c.get('deps');
      const { id, freezeId } = c.req.valid('param');
      const { reason } = c.req.valid('json');
      const freeze = await db.transaction().execute(async (trx) => {
        const target = await trx.selectFrom('unit_freezes').select('unit_id').where('id', '=', freezeId).executeTakeFirst();
        if (target?.unit_id !== id) throw notFound('freeze', freezeId);
        return liftFreeze(trx, freezeId, { liftedBy: official.id, reason }, clock.now());
      });
      return c.json(presentFreeze(freeze), 200);
    })
    .openapi(routes.listFreezes, async (c) => {
      const principal = requirePrincipal(c);
      const { db } = c.get('deps');
      const { id } = c.req.valid('param');
      const { after, limit } = c.req.valid('query');
      const unit = await db.selectFrom('units').select('owner_id').where('id', '=', id).executeTakeFirst();
      if (!unit) throw notFound('unit', id);
      // The same answer for a unit the caller may not see as for one that does not exist.
      await visibleAccount(db, principal, unit.owner_id).catch(() => {
        throw notFound('unit', id);
      });
      const cursor = decodeCursor(after);
      let q = db.selectFrom('unit_freezes').selectAll().where('unit_id', '=', id);
      if (cursor) q = q.where('id', '>', cursor);
      const rows = await q
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return c.json(
        toPage(rows, limit, (r) => r.id, presentFreeze),
        200,
      );
    });
}
