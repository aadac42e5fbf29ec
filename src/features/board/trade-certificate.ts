/**
 * Trade certificates: the `trade.settled` event of a trade and its offline proof (C2SP
 * tlog-proof). Shared by the board (log indices of recent trades) and the market's
 * `GET /v1/trades/{id}`; it reads only events and the log, never market state.
 */
import { z } from '@hono/zod-openapi';
import { sql } from 'kysely';
import type { Queryable } from '../../db/database.js';
import { type EventProof, proofForEvent } from '../tlog/event-proofs.js';

export const tradeCertificateSchema = z
  .object({
    logIndex: z.number().int().openapi({ description: "Index of the trade's `trade.settled` event in the transparency log." }),
    leafHash: z.string().openapi({ description: 'RFC 6962 leaf hash of the event, base64.' }),
    tlogProof: z.string().openapi({
      description:
        'C2SP tlog-proof of the event against the latest signed checkpoint; the `extra` line carries the event itself. ' +
        'Check it with `npm run verify -- <file> --vkey <key from /log/vkey>`.',
    }),
  })
  .openapi('TradeCertificate');

/**
 * The `trade.settled` event of each settled trade and its log index (null while queued), keyed by
 * trade id. The event names its trade in its facts (`tradeId`), which is exact, unlike matching
 * the unit transfer by time; `events_unit_idx` keeps the search to the events of the trades' units.
 */
export async function settledEventsOfTrades(
  db: Queryable,
  trades: readonly { id: string; unit_id: string }[],
): Promise<Map<string, { eventId: string; logIndex: number | null }>> {
  const out = new Map<string, { eventId: string; logIndex: number | null }>();
  if (trades.length === 0) return out;
  const tradeIdOf = sql<string>`events.entry::jsonb ->> 'tradeId'`;
  const rows = await db
    .selectFrom('events')
    .leftJoin('log_leaves', 'log_leaves.event_seq', 'events.seq')
    .select(['events.id', tradeIdOf.as('trade_id'), 'log_leaves.index as log_index'])
    .where('events.unit_id', 'in', [...new Set(trades.map((t) => t.unit_id))])
    .where('events.type', '=', 'trade.settled')
    .where(
      tradeIdOf,
      'in',
      trades.map((t) => t.id),
    )
    .execute();
  for (const r of rows) {
    out.set(r.trade_id, { eventId: r.id, logIndex: r.log_index === null ? null : Number(r.log_index) });
  }
  return out;
}

/** A settled trade's certificate, or null while it is unsettled or its event awaits the integrator. */
export async function tradeCertificate(
  db: Queryable,
  trade: { id: string; unit_id: string; status: string },
): Promise<EventProof | null> {
  if (trade.status !== 'settled') return null;
  const event = (await settledEventsOfTrades(db, [trade])).get(trade.id);
  return event ? proofForEvent(db, event.eventId) : null;
}
