import type { Trx } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import { liftFreezesOf, placeFreeze } from '../freezes/freezes.service.js';
import type { PaymentRow } from './payments.repo.js';

export async function tradeContext(trx: Trx, trade: Row<'trades'>) {
  return trx
    .selectFrom('units')
    .innerJoin('editions', 'editions.id', 'units.edition_id')
    .select(['editions.asset_id', 'units.frozen', 'units.owner_id'])
    .where('units.id', '=', trade.unit_id)
    .executeTakeFirstOrThrow();
}

/**
 * The freezes a payment decides: a dispute freezes the unit while it is open; a refund or a lost
 * dispute freezes it where it is, for an official to decide, and supersedes the dispute's freeze.
 * Each is a freeze of its own (src/features/freezes), so lifting one never lifts an official's.
 */
export async function freezeForPayment(
  trx: Trx,
  trade: Row<'trades'>,
  cause: 'payment_disputed' | 'refunded' | 'dispute_lost',
  now: Date,
) {
  await placeFreeze(trx, { unitId: trade.unit_id, cause, tradeId: trade.id, placedBy: 'stripe' }, now);
  if (cause !== 'payment_disputed') await liftDisputeFreeze(trx, trade, `superseded: ${cause}`, now);
}

/**
 * After a full refund or a lost dispute, the unit is frozen for each of those facts that is on
 * record, whichever arrived first: `refunded`, `dispute_lost`, or both. Each is placed once: one
 * that an official has since lifted is not placed again by a late or repeated event.
 */
export async function freezeForFacts(trx: Trx, trade: Row<'trades'>, p: PaymentRow, now: Date) {
  const causes = [
    ...(p.refunded_at ? (['refunded'] as const) : []),
    ...(p.dispute_status === 'lost' ? (['dispute_lost'] as const) : []),
  ];
  for (const cause of causes) {
    const ever = await trx
      .selectFrom('unit_freezes')
      .select('id')
      .where('unit_id', '=', trade.unit_id)
      .where('trade_id', '=', trade.id)
      .where('cause', '=', cause)
      .executeTakeFirst();
    if (!ever) await freezeForPayment(trx, trade, cause, now);
  }
}

/** A dispute closed: its freeze (only its own) is lifted. */
export async function liftDisputeFreeze(trx: Trx, trade: Row<'trades'>, reason: string, now: Date) {
  await liftFreezesOf(
    trx,
    { unitId: trade.unit_id, cause: 'payment_disputed', tradeId: trade.id },
    { liftedBy: 'stripe', reason },
    now,
  );
}
