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

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${ulid()}`;
}

export function idPattern(prefix: IdPrefix): RegExp {
  return new RegExp(`^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`);
}
