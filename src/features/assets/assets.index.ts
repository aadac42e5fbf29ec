import { requirePrincipal } from '../../http/auth.js';
import { decodeCursor, toPage } from '../../http/pagination.js';
import { conflict } from '../../http/problem.js';
import { commitRequestWrites } from '../../http/request-transaction.js';
import { createRouter } from '../../http/router.js';
import { pageOfEvents, presentEvent, selectEventRows } from '../events/events.repo.js';
import { proofForEvent } from '../tlog/event-proofs.js';
import { findAsset, findAssets, presentAsset, readableAsset } from './assets.repo.js';
import * as routes from './assets.routes.js';
import * as service from './assets.service.js';
import { registerDueNotices } from './registration.js';
import { objectToAsset, reviewAsset } from './review.service.js';

export function assetsRouter() {
  return createRouter()
    .openapi(routes.createAsset, async (c) => {
      const principal = requirePrincipal(c, 'platform', 'account');
      const { db, clock, config } = c.get('deps');
      const input = c.req.valid('json');
      // Parents whose notice has just ended register here, in the writing request, not on a read.
      for (const parentId of new Set(input.parents)) await registerDueNotices(db, config, clock.now(), parentId);
      const id = await service.createAsset(db, principal, input, clock.now());
      return c.json(presentAsset((await findAsset(db, id))!), 201);
    })
    .openapi(routes.listAssets, async (c) => {
      const principal = c.get('principal');
      const { db } = c.get('deps');
      const { after, limit, status, kind, category } = c.req.valid('query');
      const cursor = decodeCursor(after);
      let q = db.selectFrom('assets').select('id');
      if (!principal || principal.kind === 'account') q = q.where('status', 'in', ['public_notice', 'registered']);
      else if (principal.kind === 'platform') q = q.where('platform_id', '=', principal.id);
      if (status) q = q.where('status', '=', status);
      if (kind) q = q.where('kind', '=', kind);
      if (category) q = q.where('category', '=', category);
      if (cursor) q = q.where('id', '>', cursor);
      const ids = await q
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      const page = toPage(
        ids,
        limit,
        (r) => r.id,
        (r) => r.id,
      );
      const records = await findAssets(db, page.data);
      return c.json({ data: records.map(presentAsset), nextCursor: page.nextCursor }, 200);
    })
    .openapi(routes.getAsset, async (c) => {
      const { db } = c.get('deps');
      const { id } = c.req.valid('param');
      return c.json(presentAsset(await readableAsset(db, c.get('principal'), id)), 200);
    })
    .openapi(routes.submitAsset, async (c) => {
      const principal = requirePrincipal(c, 'platform', 'account');
      const deps = c.get('deps');
      const { db, clock, config } = deps;
      const { id } = c.req.valid('param');
      // The submission waits for the media worker, which must see (and, on PGlite, reach) the
      // database meanwhile: it runs outside an Idempotency-Key's transaction. A retry of a submission
      // that committed finds the work submitted (409 invalid_transition), so it still happens once.
      await commitRequestWrites(deps);
      await service.submitAsset(db, principal, id, clock.now(), config, deps.similarity);
      return c.json(presentAsset((await findAsset(db, id))!), 200);
    })
    .openapi(routes.reviewAsset, async (c) => {
      const official = requirePrincipal(c, 'official');
      const { db, clock, config } = c.get('deps');
      const { id } = c.req.valid('param');
      await reviewAsset(db, official, id, c.req.valid('json'), config, clock.now());
      return c.json(presentAsset((await findAsset(db, id))!), 200);
    })
    .openapi(routes.objectToAsset, async (c) => {
      const principal = requirePrincipal(c);
      const { db, clock, config } = c.get('deps');
      const { id } = c.req.valid('param');
      const reason = c.req.valid('json').reason;
      const objection = await objectToAsset(db, principal, id, reason, clock.now(), config.OBJECTIONS_PER_PLATFORM_PER_DAY);
      return c.json(objection, 201);
    })
    .openapi(routes.certificate, async (c) => {
      const { db } = c.get('deps');
      const { id } = c.req.valid('param');
      const record = await readableAsset(db, undefined, id);
      const { asset } = record;
      if (asset.status !== 'registered' || !asset.registration_number || !asset.registered_at) {
        throw conflict('not_registered', `Work ${id} is ${asset.status}; certificates exist for registered works only.`, {
          assetStatus: asset.status,
        });
      }
      const view = presentAsset(record);
      const [parents, registration] = await Promise.all([
        record.parents.length
          ? db
              .selectFrom('assets')
              .select(['id', 'registration_number'])
              .where('id', 'in', record.parents)
              .orderBy('id')
              .execute()
          : [],
        selectEventRows(db)
          .where('events.asset_id', '=', id)
          .where('events.type', '=', 'asset.registered')
          .executeTakeFirstOrThrow(),
      ]);
      return c.json(
        {
          registrationNumber: asset.registration_number,
          registeredAt: asset.registered_at.toISOString(),
          assetId: asset.id,
          kind: view.kind,
          title: view.title,
          category: view.category,
          rightsHolderId: view.rightsHolderId,
          creators: view.creators,
          identityCode: view.identityCode,
          claimedCreatedOn: view.claimedCreatedOn,
          licence: view.licence,
          files: view.files.map((f) => ({ purpose: f.purpose, sha256: f.sha256 })),
          parents: parents.map((p) => ({ assetId: p.id, registrationNumber: p.registration_number })),
          registrationEvent: {
            ...presentEvent(registration),
            tlogProof: (await proofForEvent(db, registration.id))?.tlogProof ?? null,
          },
        },
        200,
      );
    })
    .openapi(routes.assetHistory, async (c) => {
      const { db } = c.get('deps');
      const { id } = c.req.valid('param');
      await readableAsset(db, c.get('principal'), id);
      return c.json(await pageOfEvents(db, { assetId: id }, c.req.valid('query')), 200);
    });
}
