/**
 * Secrets this API hands out, which are shown once and never kept in clear: API keys (`hpk_`),
 * webhook signing secrets (Standard Webhooks `whsec_`) and Stripe PaymentIntent client secrets.
 * Anchored patterns, so only a whole value of one of these shapes is ever taken for a secret.
 */
const SECRET_VALUE_PATTERNS = [/^hpk_[A-Za-z0-9_-]{43}$/, /^whsec_[A-Za-z0-9+/]{43}=$/, /^pi_[A-Za-z0-9]+_secret_[A-Za-z0-9]+$/];

/**
 * What a replayed response (Idempotency-Key) carries where the first one carried a secret. The
 * OpenAPI descriptions of the secret-issuing routes name it; clients that lost the first response
 * issue a new secret (a new key, a rotation, a new top-up) instead.
 */
export const SECRET_WITHHELD = '[withheld: secrets are shown only in the first response]';

/** Words for the OpenAPI description of a route whose response carries a secret. */
export const SECRET_REPLAY_NOTE = `A retry with the same Idempotency-Key returns this response again, except that every secret in it is replaced by the string "${SECRET_WITHHELD}": secrets are never stored.`;

export const isSecretValue = (v: string) => SECRET_VALUE_PATTERNS.some((p) => p.test(v));

/** The body to store for replays: JSON with every secret value replaced by SECRET_WITHHELD. */
export function withholdSecrets(body: string, contentType: string | null): string {
  if (!contentType || !/json/i.test(contentType)) return body;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return body;
  }
  let found = false;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string' && isSecretValue(v)) {
      found = true;
      return SECRET_WITHHELD;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  const cleaned = walk(value);
  return found ? JSON.stringify(cleaned) : body;
}
