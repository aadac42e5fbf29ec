/**
 * Which events make up the whole history of a set of subjects: a work's events (its units' too,
 * since every unit event names its work), a unit's events, the events naming a listing and those
 * of the trades made through it, and the events naming a trade. Listings and trades are found
 * through their work or unit first, so each lookup stays on the events indexes rather than
 * scanning the log.
 */
import { sql } from 'kysely';
import type { Queryable } from '../../db/database.js';

export interface Subjects {
  works: readonly string[];
  units: readonly string[];
  listings: readonly string[];
  trades: readonly string[];
}

export interface SubjectEvent {
  seq: bigint;
  id: string;
  type: string;
  entry: string;
  /** The event's leaf index; null while it waits for the integrator. */
  logIndex: number | null;
}

const rows = (db: Queryable) =>
  db
    .selectFrom('events')
    .leftJoin('log_leaves', 'log_leaves.event_seq', 'events.seq')
    .select(['events.seq', 'events.id', 'events.type', 'events.entry', 'log_leaves.index']);

/** The subjects' events, each once, in commit (seq) order. */
export async function subjectEvents(db: Queryable, s: Subjects): Promise<SubjectEvent[]> {
  const queries = [];
  if (s.works.length)
    queries.push(
      rows(db)
        .where('events.asset_id', 'in', [...s.works])
        .execute(),
    );
  if (s.units.length)
    queries.push(
      rows(db)
        .where('events.unit_id', 'in', [...s.units])
        .execute(),
    );
  if (s.listings.length) {
    const listingWorks = db
      .selectFrom('listings')
      .innerJoin('editions', 'editions.id', 'listings.edition_id')
      .select('editions.asset_id')
      .where('listings.id', 'in', [...s.listings]);
    queries.push(
      rows(db)
        .where('events.asset_id', 'in', listingWorks)
        .where(sql<string>`events.entry::jsonb ->> 'listingId'`, 'in', [...s.listings])
        .execute(),
    );
    // trade.settled and trade.released name the trade, not the listing it was made through.
    const listingTrades = db.selectFrom('trades').where('trades.listing_id', 'in', [...s.listings]);
    queries.push(
      rows(db)
        .where('events.unit_id', 'in', listingTrades.select('trades.unit_id'))
        .where(sql<string>`events.entry::jsonb ->> 'tradeId'`, 'in', listingTrades.select('trades.id'))
        .execute(),
    );
  }
  if (s.trades.length) {
    const tradeUnits = db
      .selectFrom('trades')
      .select('trades.unit_id')
      .where('trades.id', 'in', [...s.trades]);
    queries.push(
      rows(db)
        .where('events.unit_id', 'in', tradeUnits)
        .where(sql<string>`events.entry::jsonb ->> 'tradeId'`, 'in', [...s.trades])
        .execute(),
    );
  }
  const bySeq = new Map<bigint, SubjectEvent>();
  for (const result of await Promise.all(queries)) {
    for (const r of result) {
      const seq = BigInt(r.seq);
      bySeq.set(seq, {
        seq,
        id: r.id,
        type: r.type,
        entry: r.entry,
        logIndex: r.index === null ? null : Number(r.index),
      });
    }
  }
  return [...bySeq.values()].sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
}
