import type { Queryable } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import { notFound } from '../../http/problem.js';

export async function findOffer(db: Queryable, id: string): Promise<Row<'offers'>> {
  const offer = await db.selectFrom('offers').selectAll().where('id', '=', id).executeTakeFirst();
  if (!offer) throw notFound('offer', id);
  return offer;
}

/** An open offer past its expiry reads as expired even before the schedule marks it. */
export function offerStatus(o: Row<'offers'>, now: Date): Row<'offers'>['status'] {
  return o.status === 'open' && o.expires_at <= now ? 'expired' : o.status;
}

export function presentOffer(o: Row<'offers'>, now: Date) {
  return {
    id: o.id,
    unitId: o.unit_id,
    buyerId: o.buyer_id,
    platformId: o.platform_id,
    currency: o.currency,
    amount: Number(o.amount),
    expiresAt: o.expires_at.toISOString(),
    status: offerStatus(o, now),
    createdAt: o.created_at.toISOString(),
    updatedAt: o.updated_at.toISOString(),
  };
}
