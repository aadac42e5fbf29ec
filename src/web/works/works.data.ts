import type { AppConfig } from '../../config.js';
import type { Db } from '../../db/database.js';
import { findAsset, mayReadAsset, presentAsset } from '../../features/assets/assets.repo.js';
import { registerDueNotices } from '../../features/assets/registration.js';
import { boardPseudonym } from '../../features/board/pseudonym.js';
import { findUnit, presentEdition, presentUnit } from '../../features/editions/editions.repo.js';
import { pageOfEvents } from '../../features/events/events.repo.js';
import { activeGrantsRegister } from '../../features/licensing/licensing.repo.js';
import { notFound } from '../../http/problem.js';

/** Events that tell a work's way through the registration gate. */
const REVIEW_EVENTS = new Set([
  'asset.created',
  'asset.submitted',
  'asset.review_started',
  'asset.approved',
  'asset.objection_filed',
  'asset.rejected',
  'asset.registered',
  // IP case determinations that change the registration (features/cases).
  'asset.revoked',
  'asset.rights_transferred',
]);

/** A public work's record, read as GET /v1/assets/{id} and its neighbours read it (public: under notice or registered). */
export async function workRecord(db: Db, config: AppConfig, id: string, now: Date) {
  // As GET /v1/assets/{id}: a notice window that has run out is closed first.
  await registerDueNotices(db, config, now, id);
  const record = await findAsset(db, id);
  if (!record || !mayReadAsset(undefined, record.asset)) throw notFound('asset', id);
  const view = presentAsset(record);
  const [related, children, editions, history, licences, pendingCase] = await Promise.all([
    record.parents.length
      ? db
          .selectFrom('assets')
          .select(['id', 'title', 'status', 'registration_number'])
          .where('id', 'in', record.parents)
          .execute()
      : [],
    db
      .selectFrom('asset_parents')
      .innerJoin('assets', 'assets.id', 'asset_parents.asset_id')
      .select(['assets.id', 'assets.title', 'assets.status', 'assets.registration_number'])
      .where('asset_parents.parent_id', '=', id)
      .where('assets.status', 'in', ['public_notice', 'registered'])
      .orderBy('assets.id')
      .limit(50)
      .execute(),
    db.selectFrom('editions').selectAll().where('asset_id', '=', id).orderBy('id').limit(50).execute(),
    pageOfEvents(db, { assetId: id }, { limit: 100 }),
    activeGrantsRegister(db, { assetId: id, limit: 100 }, now),
    // A live case whose interim measures hide the work from the board: its pages say a case is pending.
    db
      .selectFrom('cases')
      .select(['id', 'created_at'])
      .where('asset_id', '=', id)
      .where('status', '<>', 'closed')
      .where('hidden', '=', true)
      .executeTakeFirst(),
  ]);
  const publicParent = (p: (typeof related)[number]) => p.status === 'public_notice' || p.status === 'registered';
  return {
    work: view,
    // A parent not yet public is named by id only.
    parents: record.parents.map((pid) => {
      const p = related.find((r) => r.id === pid);
      return p && publicParent(p)
        ? { id: pid, title: p.title, registrationNumber: p.registration_number }
        : { id: pid, title: null, registrationNumber: null };
    }),
    children: children.map((c) => ({ id: c.id, title: c.title, registrationNumber: c.registration_number })),
    editions: editions.map(presentEdition),
    licences,
    timeline: history.data.filter((e) => REVIEW_EVENTS.has(e.type)),
    registrationEvent: history.data.find((e) => e.type === 'asset.registered') ?? null,
    pendingCase: pendingCase ? { id: pendingCase.id, openedAt: pendingCase.created_at.toISOString() } : null,
    revocationEvent: history.data.find((e) => e.type === 'asset.revoked') ?? null,
  };
}

export type WorkRecord = Awaited<ReturnType<typeof workRecord>>;

/** A unit of a public work and its chain of owners, parties as board pseudonyms. */
export async function unitRecord(db: Db, id: string) {
  const unit = await findUnit(db, id);
  const asset = await db
    .selectFrom('assets')
    .select(['id', 'title', 'status', 'kind'])
    .where('id', '=', unit.asset_id)
    .executeTakeFirst();
  if (!asset || !['registered', 'public_notice', 'revoked'].includes(asset.status)) throw notFound('unit', id);
  const transfers = await db
    .selectFrom('unit_transfers')
    .leftJoin('events', 'events.id', 'unit_transfers.event_id')
    .leftJoin('log_leaves', 'log_leaves.event_seq', 'events.seq')
    .select([
      'unit_transfers.from_id',
      'unit_transfers.to_id',
      'unit_transfers.via',
      'unit_transfers.at',
      'events.type',
      'log_leaves.index as log_index',
    ])
    .where('unit_transfers.unit_id', '=', id)
    .orderBy('unit_transfers.at')
    .orderBy('unit_transfers.id')
    .execute();
  const names = new Map<string, string>();
  const parties = new Set(transfers.flatMap((t) => [t.from_id, t.to_id]).filter((p): p is string => p !== null));
  parties.add(unit.owner_id);
  await Promise.all([...parties].map(async (p) => names.set(p, await boardPseudonym(p))));
  const view = presentUnit(unit);
  return {
    unit: { ...view, owner: names.get(unit.owner_id)! },
    work: { id: asset.id, title: asset.title, kind: asset.kind },
    owners: transfers.map((t) => ({
      from: t.from_id ? names.get(t.from_id)! : null,
      to: names.get(t.to_id)!,
      via: t.via,
      at: t.at.toISOString(),
      eventType: t.type,
      logIndex: t.log_index === null ? null : Number(t.log_index),
    })),
  };
}

export type UnitRecord = Awaited<ReturnType<typeof unitRecord>>;
