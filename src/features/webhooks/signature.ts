import { fromBase64, randomBytes, toBase64 } from '../../crypto/bytes.js';

/*
 * Standard Webhooks 1.0 symmetric signatures, with Web Crypto so they run on Workers too:
 * the secret is `whsec_` + base64 of the key (24 to 64 random bytes; we use 32); the signed
 * content is `<webhook-id>.<webhook-timestamp>.<body>`; a signature is `v1,` + base64 of its
 * HMAC-SHA256; `webhook-signature` lists one per secret, space-delimited, so that a receiver
 * holding either the old or the new secret verifies a delivery during a rotation.
 */

export const SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 32;

export function generateSecret(): string {
  return SECRET_PREFIX + toBase64(randomBytes(SECRET_BYTES));
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** The three Standard Webhooks headers for `body`, signed by every secret in `secrets`. */
export async function signWebhook(secrets: string[], msgId: string, at: Date, body: string): Promise<SignedHeaders> {
  if (secrets.length === 0) throw new Error('a webhook needs at least one signing secret');
  // Both are ours, never user input, and neither may contain a "." (it would shift the fields).
  if (msgId.includes('.')) throw new Error('webhook ids must not contain "."');
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const content = new TextEncoder().encode(`${msgId}.${timestamp}.${body}`);
  const signatures = await Promise.all(
    secrets.map(async (secret) => {
      const key = await crypto.subtle.importKey(
        'raw',
        secretKey(secret) as BufferSource,
        { name: 'HMAC', hash: 'SHA-256' },
        false,
        ['sign'],
      );
      return `v1,${toBase64(new Uint8Array(await crypto.subtle.sign('HMAC', key, content)))}`;
    }),
  );
  return { 'webhook-id': msgId, 'webhook-timestamp': timestamp, 'webhook-signature': signatures.join(' ') };
}

function secretKey(secret: string): Uint8Array {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error('webhook secrets start with whsec_');
  return fromBase64(secret.slice(SECRET_PREFIX.length));
}
