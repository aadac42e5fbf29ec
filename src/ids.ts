import { ulid } from 'ulid';

/** Type prefixes of every identifier the registry hands out: a ULID after the prefix, e.g. `acc_01J…`. */
export const ID_PREFIXES = {
  platform: 'plt',
  official: 'off',
  account: 'acc',
  attestation: 'att',
  apiKey: 'key',
  upload: 'upl',
  asset: 'ast',
  review: 'rev',
  objection: 'obj',
  edition: 'edn',
  unit: 'unt',
  transfer: 'trf',
  event: 'evt',
  journal: 'jnl',
  listing: 'lst',
  bid: 'bid',
  offer: 'ofr',
  trade: 'trd',
  freeze: 'frz',
  webhookEndpoint: 'whe',
  stripeTopUp: 'stp',
  transferRequest: 'tfq',
  refundRequest: 'rfq',
  licenceOffer: 'lof',
  licenceGrant: 'lgr',
  royaltyReport: 'lrr',
  complaint: 'cmp',
  case: 'cas',
  caseResponse: 'rsp',
} as const;

export type IdPrefix = (typeof ID_PREFIXES)[keyof typeof ID_PREFIXES];

/**
 * The randomness of identifiers, drawn from the platform's CSPRNG a pool at a time. `ulid()` on
 * its own asks `crypto.getRandomValues` for one byte per character (16 calls per identifier),
 * nearly 8 % of the server's busy CPU under `bench:trade`; the bytes are the same, only fetched
 * in bulk. The pool is filled on first use, never at module load: Workers forbid randomness in
 * global scope.
 */
const RANDOM_POOL_BYTES = 4096;
const randomPool = new Uint8Array(RANDOM_POOL_BYTES);
let randomPoolNext = RANDOM_POOL_BYTES;

function pooledRandomFraction(): number {
  if (randomPoolNext === RANDOM_POOL_BYTES) {
    crypto.getRandomValues(randomPool);
    randomPoolNext = 0;
  }
  return randomPool[randomPoolNext++]! / 256;
}

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${ulid(undefined, pooledRandomFraction)}`;
}

export function idPattern(prefix: IdPrefix): RegExp {
  return new RegExp(`^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`);
}
