import type { Queryable } from '../../db/database.js';
import { notFound } from '../../http/problem.js';
import { findAsset, mayReadAsset } from '../assets/assets.repo.js';
import type { CREATOR_ROLES } from '../assets/assets.schemas.js';
import type { Licence } from '../assets/licence.js';
import { highestBid } from '../auctions/auctions.repo.js';
import { findEdition } from '../editions/editions.repo.js';
import type { PresetName, TransferPolicy } from '../editions/policy.js';
import { activeGrantsRegister } from '../licensing/licensing.repo.js';
import { currentPrice, effectiveStatus, findListing, type ListingRow } from '../market/listings.repo.js';
import { proofsForEvents } from '../tlog/event-proofs.js';
import { priceOf } from './board-listings.repo.js';

/**
 * The public spec sheet of a listing: what is sold (work, creators, rights, licence, edition and
 * serial), its history in brief (previous owners) and the log proofs that back it. It only reads:
 * an auction past its end shows its stored status until the scheduler has closed it.
 */
export async function specSheet(db: Queryable, listingId: string, now: Date) {
  const listing = await findListing(db, listingId);
  const record = await findAsset(db, listing.asset_id);
  if (!record || !mayReadAsset(undefined, record.asset)) throw notFound('listing', listingId);
  const { asset } = record;
  const edition = await findEdition(db, listing.edition_id);
  const unit = listing.unit_id
    ? await db.selectFrom('units').select(['id', 'serial', 'frozen']).where('id', '=', listing.unit_id).executeTakeFirstOrThrow()
    : null;

  const [owners, registration, ownership, price, licenceGrants] = await Promise.all([
    unit ? ownerCounts(db, unit.id) : { previousOwners: 0, ownerChanges: 0 },
    db
      .selectFrom('events')
      .select(['id', 'type'])
      .where('asset_id', '=', asset.id)
      .where('type', '=', 'asset.registered')
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst(),
    unit
      ? db
          .selectFrom('unit_transfers')
          .innerJoin('events', 'events.id', 'unit_transfers.event_id')
          .select(['events.id', 'events.type'])
          .where('unit_transfers.unit_id', '=', unit.id)
          .orderBy('events.seq', 'desc')
          .limit(1)
          .executeTakeFirst()
      : undefined,
    listingPrice(db, listing, now),
    // Rights already licensed out: which uses, where and until when the work is taken.
    activeGrantsRegister(db, { assetId: asset.id, limit: 100 }, now),
  ]);
  const proofs = await proofsForEvents(
    db,
    [registration?.id, ownership?.id].filter((id): id is string => Boolean(id)),
  );
  const withProof = (e: { id: string; type: string } | undefined) => {
    if (!e) return null;
    const p = proofs.get(e.id);
    return {
      eventId: e.id,
      type: e.type,
      logIndex: p?.logIndex ?? null,
      leafHash: p?.leafHash ?? null,
      tlogProof: p?.tlogProof ?? null,
    };
  };

  return {
    listing: {
      id: listing.id,
      kind: listing.kind,
      status: effectiveStatus(listing, now),
      currency: listing.currency,
      ...price,
      startsAt: listing.starts_at.toISOString(),
      endsAt: listing.ends_at ? listing.ends_at.toISOString() : null,
    },
    work: {
      id: asset.id,
      title: asset.title,
      kind: asset.kind,
      category: asset.category,
      registrationNumber: asset.registration_number,
      status: asset.status,
      registeredAt: asset.registered_at ? asset.registered_at.toISOString() : null,
      identityCode: asset.identity_code,
      parents: record.parents,
    },
    creators: record.creators.map((c) => ({
      accountId: c.account_id,
      role: c.role as (typeof CREATOR_ROLES)[number],
      shareBps: c.share_bps,
    })),
    rightsHolderId: asset.rights_holder_id,
    licence: asset.licence as Licence,
    licenceGrants,
    edition: {
      id: edition.id,
      size: edition.size,
      minted: edition.minted,
      royaltyBps: edition.royalty_bps,
      serial: unit?.serial ?? null,
      label: unit ? `${unit.serial}/${edition.size}` : `${listing.quantity - listing.sold} left`,
    },
    unit,
    ...owners,
    transferPolicy: { preset: edition.preset as PresetName, policy: edition.policy as TransferPolicy },
    logProof: { registration: withProof(registration), ownership: withProof(ownership) },
  };
}

/**
 * Previous owners: distinct accounts that passed the unit on by sale or gift (`from_id` of its
 * non-mint transfers). Owner changes: how many such transfers there were.
 */
async function ownerCounts(db: Queryable, unitId: string) {
  const row = await db
    .selectFrom('unit_transfers')
    .select((eb) => [eb.fn.count<string>('from_id').distinct().as('owners'), eb.fn.countAll<string>().as('changes')])
    .where('unit_id', '=', unitId)
    .where('via', '<>', 'mint')
    .executeTakeFirstOrThrow();
  return { previousOwners: Number(row.owners), ownerChanges: Number(row.changes) };
}

/** The listing's price now, as the board shows it (`priceOf`): market pricing, or the highest bid. */
async function listingPrice(db: Queryable, l: ListingRow, now: Date) {
  const topBid = l.kind === 'english' ? ((await highestBid(db, l.id))?.amount ?? null) : null;
  const cur = l.kind === 'english' ? (topBid ?? l.start_price) : currentPrice(l, now);
  return priceOf({ kind: l.kind, top_bid: topBid, cur_price: cur });
}
