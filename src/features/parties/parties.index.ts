import { requirePrincipal } from '../../http/auth.js';
import { decodeCursor, toPage } from '../../http/pagination.js';
import { notFound } from '../../http/problem.js';
import { createRouter } from '../../http/router.js';
import { visibleAccount } from './access.js';
import * as routes from './parties.routes.js';
import * as service from './parties.service.js';

export function partiesRouter() {
  return createRouter()
    .openapi(routes.createPlatform, async (c) => {
      requirePrincipal(c, 'operator');
      const { db, clock } = c.get('deps');
      const { platform, apiKey } = await service.createPlatform(db, c.req.valid('json'), clock.now());
      return c.json({ platform: service.presentPlatform(platform), apiKey }, 201);
    })
    .openapi(routes.listPlatforms, async (c) => {
      requirePrincipal(c, 'operator');
      const { after, limit } = c.req.valid('query');
      const cursor = decodeCursor(after);
      let q = c.get('deps').db.selectFrom('platforms').selectAll();
      if (cursor) q = q.where('id', '>', cursor);
      const rows = await q
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return c.json(
        toPage(rows, limit, (r) => r.id, service.presentPlatform),
        200,
      );
    })
    .openapi(routes.getPlatform, async (c) => {
      const principal = requirePrincipal(c, 'operator', 'platform');
      const { id } = c.req.valid('param');
      const row = await c.get('deps').db.selectFrom('platforms').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row || (principal.kind === 'platform' && principal.id !== id)) throw notFound('platform', id);
      return c.json(service.presentPlatform(row), 200);
    })
    .openapi(routes.createOfficial, async (c) => {
      requirePrincipal(c, 'operator');
      const { db, clock } = c.get('deps');
      const { official, apiKey } = await service.createOfficial(db, c.req.valid('json'), clock.now());
      return c.json({ official: service.presentOfficial(official), apiKey }, 201);
    })
    .openapi(routes.listOfficials, async (c) => {
      requirePrincipal(c, 'operator');
      const { after, limit } = c.req.valid('query');
      const cursor = decodeCursor(after);
      let q = c.get('deps').db.selectFrom('officials').selectAll();
      if (cursor) q = q.where('id', '>', cursor);
      const rows = await q
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return c.json(
        toPage(rows, limit, (r) => r.id, service.presentOfficial),
        200,
      );
    })
    .openapi(routes.createAccount, async (c) => {
      const principal = requirePrincipal(c, 'platform');
      const { db, clock } = c.get('deps');
      const account = await service.createAccount(db, principal.id, c.req.valid('json'), clock.now());
      return c.json(service.presentAccount(account), 201);
    })
    .openapi(routes.listAccounts, async (c) => {
      const principal = requirePrincipal(c, 'platform');
      const { after, limit } = c.req.valid('query');
      const cursor = decodeCursor(after);
      let q = c.get('deps').db.selectFrom('accounts').selectAll().where('platform_id', '=', principal.id);
      if (cursor) q = q.where('id', '>', cursor);
      const rows = await q
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return c.json(
        toPage(rows, limit, (r) => r.id, service.presentAccount),
        200,
      );
    })
    .openapi(routes.getAccount, async (c) => {
      const principal = requirePrincipal(c);
      const account = await visibleAccount(c.get('deps').db, principal, c.req.valid('param').id);
      return c.json(service.presentAccount(account), 200);
    })
    .openapi(routes.attestAccount, async (c) => {
      const principal = requirePrincipal(c, 'platform');
      const { db, clock } = c.get('deps');
      const account = await service.attestAccount(db, principal, c.req.valid('param').id, c.req.valid('json'), clock.now());
      return c.json(service.presentAccount(account), 201);
    })
    .openapi(routes.issueKey, async (c) => {
      const principal = requirePrincipal(c, 'operator', 'platform');
      const { db, clock } = c.get('deps');
      return c.json(await service.issueKeyFor(db, principal, c.req.valid('json'), clock.now()), 201);
    })
    .openapi(routes.revokeKey, async (c) => {
      const principal = requirePrincipal(c);
      const { db, clock } = c.get('deps');
      return c.json(await service.revokeKey(db, principal, c.req.valid('param').id, clock.now()), 200);
    });
}
