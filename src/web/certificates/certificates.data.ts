import type { AppConfig } from '../../config.js';
import type { Db } from '../../db/database.js';
import { presentBoardTrades, settledTradeRows } from '../../features/board/board-trades.repo.js';
import { settledEventsOfTrades } from '../../features/board/trade-certificate.js';
import { notFound } from '../../http/problem.js';
import { workRecord } from '../works/works.data.js';

/** What the browser checks a certificate against: the log entry and the facts it must hold. */
export interface VerifyTarget {
  logIndex: number | null;
  eventId: string;
  expect: Record<string, unknown>;
}

/**
 * A registered work's certificate: its record and its `asset.registered` event. A revoked work keeps
 * its certificate page, which says so (the page shows the revocation).
 */
export async function workCertificate(db: Db, config: AppConfig, id: string, now: Date) {
  const record = await workRecord(db, config, id, now);
  const event = record.registrationEvent;
  const shown = record.work.status === 'registered' || record.work.status === 'revoked';
  if (!shown || !event) throw notFound('registered asset', id);
  const target: VerifyTarget = {
    logIndex: event.logIndex,
    eventId: event.id,
    expect: { type: 'asset.registered', assetId: id, registrationNumber: record.work.registrationNumber },
  };
  return { record, target };
}

/**
 * A settled trade's certificate, public as the board's trades are: the trade as the board shows
 * it (parties as pseudonyms) and its `trade.settled` event.
 */
export async function tradeCertificatePage(db: Db, id: string) {
  const row = await settledTradeRows(db).where('trades.id', '=', id).executeTakeFirst();
  if (!row) throw notFound('settled trade', id);
  const event = (await settledEventsOfTrades(db, [row])).get(id);
  if (!event) throw notFound('settled trade', id);
  const [trade] = await presentBoardTrades([{ ...row, log_index: event.logIndex }]);
  if (!trade) throw notFound('settled trade', id);
  const target: VerifyTarget = {
    logIndex: event.logIndex,
    eventId: event.eventId,
    expect: { type: 'trade.settled', tradeId: id },
  };
  return { trade, unitId: row.unit_id, target };
}
