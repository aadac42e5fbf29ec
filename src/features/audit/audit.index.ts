import type { Queryable } from '../../db/database.js';
import { requirePrincipal } from '../../http/auth.js';
import { decodeCursor, toPage } from '../../http/pagination.js';
import { AppError, notFound } from '../../http/problem.js';
import { createRouter } from '../../http/router.js';
import { findAsset, presentAsset } from '../assets/assets.repo.js';
import type { Licence } from '../assets/licence.js';
import { findUnit } from '../editions/editions.repo.js';
import { proofsForEvents } from '../tlog/event-proofs.js';
import {
  ancestors,
  assetTransfers,
  objectionsOf,
  reviewsOf,
  type TransferRow,
  transferInForceAt,
  unitTransfers,
} from './audit.repo.js';
import * as routes from './audit.routes.js';

const SEQ_CURSOR = /^\d{1,19}$/;

function presentTransfer(t: TransferRow) {
  return {
    transferId: t.id,
    unitId: t.unit_id,
    serial: t.serial,
    fromId: t.from_id,
    toId: t.to_id,
    via: t.via,
    at: t.at.toISOString(),
    eventId: t.event_id,
  };
}

/** Ownership records with each one's log index and offline proof (one batch of queries per page). */
async function withProofs(db: Queryable, page: { data: ReturnType<typeof presentTransfer>[]; nextCursor: string | null }) {
  const proofs = await proofsForEvents(
    db,
    page.data.map((r) => r.eventId),
  );
  return {
    ...page,
    data: page.data.map((r) => ({
      ...r,
      logIndex: proofs.get(r.eventId)?.logIndex ?? null,
      tlogProof: proofs.get(r.eventId)?.tlogProof ?? null,
    })),
  };
}

export function auditRouter() {
  return createRouter()
    .openapi(routes.unitOwnership, async (c) => {
      requirePrincipal(c, 'official', 'operator');
      const { db } = c.get('deps');
      const { id } = c.req.valid('param');
      const { after, limit } = c.req.valid('query');
      await findUnit(db, id);
      const cursor = decodeCursor(after, SEQ_CURSOR);
      const rows = await unitTransfers(db, id, { afterSeq: cursor === undefined ? undefined : BigInt(cursor), limit });
      return c.json(
        await withProofs(
          db,
          toPage(rows, limit, (r) => String(r.seq), presentTransfer),
        ),
        200,
      );
    })
    .openapi(routes.unitOwnerAt, async (c) => {
      requirePrincipal(c, 'official', 'operator');
      const { db } = c.get('deps');
      const { id } = c.req.valid('param');
      const at = new Date(c.req.valid('query').at);
      await findUnit(db, id);
      const transfer = await transferInForceAt(db, id, at);
      if (!transfer) throw new AppError(404, 'no_owner_at_time', `Unit ${id} had not been minted at ${at.toISOString()}.`);
      const [since] = (await withProofs(db, { data: [presentTransfer(transfer)], nextCursor: null })).data;
      return c.json({ unitId: id, at: at.toISOString(), ownerId: transfer.to_id, since: since! }, 200);
    })
    .openapi(routes.assetOwnership, async (c) => {
      requirePrincipal(c, 'official', 'operator');
      const { db } = c.get('deps');
      const { id } = c.req.valid('param');
      const { after, limit } = c.req.valid('query');
      if (!(await findAsset(db, id))) throw notFound('asset', id);
      const cursor = decodeCursor(after, SEQ_CURSOR);
      const rows = await assetTransfers(db, id, { afterSeq: cursor === undefined ? undefined : BigInt(cursor), limit });
      return c.json(
        await withProofs(
          db,
          toPage(rows, limit, (r) => String(r.seq), presentTransfer),
        ),
        200,
      );
    })
    .openapi(routes.provenance, async (c) => {
      requirePrincipal(c, 'official', 'operator');
      const { db } = c.get('deps');
      const { id } = c.req.valid('param');
      const record = await findAsset(db, id);
      if (!record) throw notFound('asset', id);
      const [chain, reviews, objections] = await Promise.all([ancestors(db, id), reviewsOf(db, id), objectionsOf(db, id)]);
      return c.json(
        {
          asset: presentAsset(record),
          ancestors: chain.map((a) => ({
            assetId: a.id,
            parentOf: a.via,
            depth: a.depth,
            title: a.title,
            status: a.status,
            registrationNumber: a.registration_number,
            rightsHolderId: a.rights_holder_id,
            licence: a.licence as Licence,
          })),
          reviews: reviews.map((r) => ({
            id: r.id,
            officialId: r.official_id,
            action: r.action,
            reason: r.reason,
            at: r.created_at.toISOString(),
          })),
          objections: objections.map((o) => ({
            id: o.id,
            by: { kind: o.principal_kind, id: o.principal_id },
            reason: o.reason,
            at: o.created_at.toISOString(),
          })),
        },
        200,
      );
    })
    .openapi(routes.accessLog, async (c) => {
      requirePrincipal(c, 'operator');
      const { db } = c.get('deps');
      const { after, limit, officialId } = c.req.valid('query');
      const cursor = decodeCursor(after, SEQ_CURSOR);
      let q = db.selectFrom('official_reads').selectAll();
      if (officialId) q = q.where('official_id', '=', officialId);
      if (cursor !== undefined) q = q.where('id', '>', BigInt(cursor));
      const rows = await q
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return c.json(
        toPage(
          rows,
          limit,
          (r) => String(r.id),
          (r) => ({
            officialId: r.official_id,
            method: r.method,
            path: r.path,
            status: r.status,
            requestId: r.request_id,
            at: r.at.toISOString(),
          }),
        ),
        200,
      );
    });
}
