import { createHash, randomBytes } from 'node:crypto';
import { type HaipaiClient, idempotent, type RequestBody, type Schemas, unwrap } from '../../clients/typescript/src/index.js';
import type { Platform } from './registry.js';

/** Market calls as a platform makes them for its accounts; every POST carries a fresh idempotency key. */

export type Listing = Schemas['Listing'];
type ListingInput = RequestBody<'/v1/listings', 'post'>;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** An instant `ms` from now, as the API takes it. */
export function fromNow(ms: number): string {
  return new Date(Date.now() + ms).toISOString();
}
export { DAY, HOUR, MINUTE };

export async function topUp(operator: HaipaiClient, holderId: string, amount: number, currency = 'CNY') {
  unwrap(await operator.POST('/v1/balances/top-ups', { body: { holderId, currency, amount }, headers: idempotent() }));
}

export async function edition(
  p: Platform,
  assetId: string,
  body: RequestBody<'/v1/assets/{id}/editions', 'post'>,
): Promise<Schemas['Edition']> {
  return unwrap(await p.api.POST('/v1/assets/{id}/editions', { params: { path: { id: assetId } }, body, headers: idempotent() }));
}

/** Mints `count` units to `toAccountId` and returns their ids, serial 1 first. */
export async function mint(p: Platform, editionId: string, count: number, toAccountId: string): Promise<string[]> {
  const minted = unwrap(
    await p.api.POST('/v1/editions/{id}/mint', {
      params: { path: { id: editionId } },
      body: { count, toAccountId },
      headers: idempotent(),
    }),
  );
  return minted.units.map((u) => u.id);
}

export async function gift(p: Platform, unitId: string, fromAccountId: string, toAccountId: string) {
  unwrap(
    await p.api.POST('/v1/units/{id}/transfers', {
      params: { path: { id: unitId } },
      body: { fromAccountId, toAccountId },
      headers: idempotent(),
    }),
  );
}

export async function list(p: Platform, body: ListingInput): Promise<Listing> {
  return unwrap(await p.api.POST('/v1/listings', { body, headers: idempotent() }));
}

/** Buys at the listing's current price, settled at once from the buyer's clearing balance. */
export async function buy(p: Platform, listingId: string, buyerId: string): Promise<Schemas['Trade']> {
  return unwrap(
    await p.api.POST('/v1/listings/{id}/purchase', {
      params: { path: { id: listingId } },
      body: { buyerId },
      headers: idempotent(),
    }),
  );
}

export async function bid(p: Platform, listingId: string, bidderId: string, amount: number) {
  unwrap(
    await p.api.POST('/v1/listings/{id}/bids', {
      params: { path: { id: listingId } },
      body: { bidderId, amount },
      headers: idempotent(),
    }),
  );
}

/** A sealed bid: commits to `sha256hex("<amount>:<salt>")` now; the returned function reveals it later. */
export async function commit(p: Platform, listingId: string, bidderId: string, amount: number) {
  const salt = randomBytes(16).toString('hex');
  const commitment = createHash('sha256').update(`${amount}:${salt}`).digest('hex');
  const path = { params: { path: { id: listingId } } };
  unwrap(await p.api.POST('/v1/listings/{id}/commitments', { ...path, body: { bidderId, commitment }, headers: idempotent() }));
  return async () => {
    unwrap(await p.api.POST('/v1/listings/{id}/reveals', { ...path, body: { bidderId, amount, salt }, headers: idempotent() }));
  };
}

export async function offer(p: Platform, unitId: string, buyerId: string, amount: number, expiresInMs = 7 * DAY) {
  return unwrap(
    await p.api.POST('/v1/units/{id}/offers', {
      params: { path: { id: unitId } },
      body: { buyerId, amount, currency: 'CNY', expiresAt: fromNow(expiresInMs) },
      headers: idempotent(),
    }),
  );
}

export async function acceptOffer(p: Platform, offerId: string, sellerId: string) {
  return unwrap(
    await p.api.POST('/v1/offers/{id}/accept', { params: { path: { id: offerId } }, body: { sellerId }, headers: idempotent() }),
  );
}

/** The public view of an auction; reading one that has ended closes it. */
export async function auction(api: HaipaiClient, listingId: string) {
  return unwrap(await api.GET('/v1/listings/{id}/auction', { params: { path: { id: listingId } } }));
}

/** Sleeps until `iso` (plus a second, so the server's clock has passed it too). */
export async function until(iso: string | null | undefined): Promise<void> {
  const wait = iso ? new Date(iso).getTime() + 1000 - Date.now() : 0;
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}
