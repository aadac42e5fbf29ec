import { sql } from 'kysely';
import type { Trx } from '../../db/database.js';
import type { Row } from '../../db/schema.js';
import { mintSerials } from '../editions/mint.js';

/*
 * A primary listing sells an edition's unsold units: units the rights holder still holds as
 * minted, free of reservations and of listings of their own, and then serials not yet minted.
 */

/** The rights holder's units of an edition that a primary sale may take, lowest serial first. */
function sellableUnits(trx: Trx, editionId: string, sellerId: string) {
  return trx
    .selectFrom('units')
    .select(['units.id'])
    .where('units.edition_id', '=', editionId)
    .where('units.owner_id', '=', sellerId)
    .where('units.acquired_via', '=', 'mint')
    .where('units.frozen', '=', false)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('trades')
            .select(sql`1`.as('one'))
            .whereRef('trades.unit_id', '=', 'units.id')
            .where('trades.status', '=', 'reserved'),
        ),
      ),
    )
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('listings')
            .select(sql`1`.as('one'))
            .whereRef('listings.unit_id', '=', 'units.id')
            .where('listings.status', '=', 'open'),
        ),
      ),
    );
}

/**
 * How many more units the seller can promise in primary listings of this edition: what it holds
 * unsold plus what is left to mint, less what its other open primary listings still offer. The
 * caller holds the edition's lock.
 */
export async function unsoldSupply(
  trx: Trx,
  edition: { id: string; size: number; minted: number },
  sellerId: string,
): Promise<number> {
  const held = await sellableUnits(trx, edition.id, sellerId)
    .clearSelect()
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  const promised = await trx
    .selectFrom('listings')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<string>(sql<number>`quantity - sold`), sql<string>`0`).as('n'))
    .where('edition_id', '=', edition.id)
    .where('unit_id', 'is', null)
    .where('status', '=', 'open')
    .executeTakeFirstOrThrow();
  return Number(held.n) + (edition.size - edition.minted) - Number(promised.n);
}

/**
 * A unit for one primary sale: the lowest unsold serial the seller holds, locked and checked
 * again under its lock (a concurrent gift or listing may have taken it), else the next serial,
 * minted to the seller now. Null when the edition has nothing left. The caller holds the
 * edition's lock, so primary sales of one edition take units one after another.
 */
export async function takeUnsoldUnit(
  trx: Trx,
  edition: { id: string; asset_id: string; size: number },
  seller: { id: string; platform_id: string },
  now: Date,
): Promise<Row<'units'> | null> {
  const tried: string[] = [];
  for (let attempt = 0; attempt < 5; attempt++) {
    let q = sellableUnits(trx, edition.id, seller.id);
    if (tried.length) q = q.where('units.id', 'not in', tried);
    const candidate = await q.orderBy('units.serial').limit(1).executeTakeFirst();
    if (!candidate) break;
    await trx.selectFrom('units').select('id').where('id', '=', candidate.id).forNoKeyUpdate().execute();
    const still = await sellableUnits(trx, edition.id, seller.id).where('units.id', '=', candidate.id).executeTakeFirst();
    if (still) return trx.selectFrom('units').selectAll().where('id', '=', candidate.id).executeTakeFirstOrThrow();
    tried.push(candidate.id);
  }
  const { minted } = await trx.selectFrom('editions').select('minted').where('id', '=', edition.id).executeTakeFirstOrThrow();
  if (minted >= edition.size) return null;
  const platform = await trx
    .selectFrom('assets')
    .select('platform_id')
    .where('id', '=', edition.asset_id)
    .executeTakeFirstOrThrow();
  const [unit] = await mintSerials(trx, { ...edition, minted }, seller.id, 1, platform.platform_id, now);
  return unit!;
}
