import { fromBase64, randomBytes, sha256, toBase64, toHex } from './bytes.js';

/**
 * AES-256-GCM sealing of secrets the application must keep in clear form for itself (webhook
 * signing secrets), through WebCrypto so it runs on Node and Workers alike. A sealed value is
 * `v1.<key id>.<base64 96-bit IV>.<base64 ciphertext+tag>`; the key id (first 8 bytes of the key's
 * SHA-256, hex) says which key sealed it, so a key ring can open values of earlier keys while a
 * rotation re-seals them. `context` is bound as additional data: a value sealed for one row does
 * not open for another.
 */
export interface Sealer {
  /** Id of the key new values are sealed with. */
  currentKeyId: string;
  seal(plain: string, context: string): Promise<string>;
  open(sealed: string, context: string): Promise<string>;
  /** The id of the key that sealed `sealed`. */
  keyIdOf(sealed: string): string;
}

const encoder = new TextEncoder();

async function importKey(base64Key: string) {
  const raw = fromBase64(base64Key);
  if (raw.length !== 32) throw new Error('a sealing key is 32 bytes, base64');
  const id = toHex((await sha256(raw)).subarray(0, 8));
  const key = await crypto.subtle.importKey('raw', raw as BufferSource, 'AES-GCM', false, ['encrypt', 'decrypt']);
  return { id, key };
}

/** A sealer over `current` (seals and opens) and `previous` keys (open only), all base64 of 32 bytes. */
export async function createSealer(current: string, previous: string[] = []): Promise<Sealer> {
  const now = await importKey(current);
  const ring = new Map([[now.id, now.key]]);
  for (const p of previous) {
    const k = await importKey(p);
    if (!ring.has(k.id)) ring.set(k.id, k.key);
  }
  const keyIdOf = (sealed: string) => {
    const [version, id] = sealed.split('.');
    if (version !== 'v1' || !id) throw new Error('not a sealed value');
    return id;
  };
  return {
    currentKeyId: now.id,
    keyIdOf,
    async seal(plain, context) {
      const iv = randomBytes(12);
      const ct = await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv: iv as BufferSource, additionalData: encoder.encode(context) },
        now.key,
        encoder.encode(plain),
      );
      return `v1.${now.id}.${toBase64(iv)}.${toBase64(new Uint8Array(ct))}`;
    },
    async open(sealed, context) {
      const id = keyIdOf(sealed);
      const key = ring.get(id);
      if (!key) throw new Error(`no key ${id} to open this sealed value (set it in the previous keys)`);
      const [, , iv, ct] = sealed.split('.');
      const plain = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: fromBase64(iv!) as BufferSource, additionalData: encoder.encode(context) },
        key,
        fromBase64(ct!) as BufferSource,
      );
      return new TextDecoder().decode(plain);
    },
  };
}

/** A fresh sealing key: base64 of 32 random bytes. */
export const generateSealingKey = () => toBase64(randomBytes(32));
