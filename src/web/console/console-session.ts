/**
 * The console's session: the official's API key, sealed (AES-256-GCM) into an HttpOnly,
 * SameSite=Strict cookie scoped to /console, so no session table is needed and the key never
 * appears in a URL, a page or a log line. The sealing key is derived (HKDF-SHA-256) from the
 * deployment's OPERATOR_API_KEY secret with a label of its own: rotating that secret signs every
 * official out. Each session carries a random CSRF token that every form posts back.
 */
import { fromBase64Url, randomBytes, toBase64Url } from '../../crypto/bytes.js';

export const SESSION_COOKIE = 'haipai_console';
/** A desk shift: the official signs in again after eight hours. */
export const SESSION_SECONDS = 8 * 3600;

export interface ConsoleSession {
  /** The official's (or the operator's) API key. */
  key: string;
  kind: 'official' | 'operator';
  csrf: string;
  /** Unix seconds. */
  expires: number;
}

const sealingKeys = new Map<string, Promise<CryptoKey>>();

function sealingKey(secret: string): Promise<CryptoKey> {
  let key = sealingKeys.get(secret);
  if (!key) {
    key = (async () => {
      const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), 'HKDF', false, ['deriveKey']);
      return crypto.subtle.deriveKey(
        {
          name: 'HKDF',
          hash: 'SHA-256',
          salt: new TextEncoder().encode('haipai console'),
          info: new TextEncoder().encode('session cookie v1'),
        },
        material,
        { name: 'AES-GCM', length: 256 },
        false,
        ['encrypt', 'decrypt'],
      );
    })();
    sealingKeys.set(secret, key);
  }
  return key;
}

export function newSession(key: string, kind: ConsoleSession['kind'], now: Date): ConsoleSession {
  return { key, kind, csrf: toBase64Url(randomBytes(18)), expires: Math.floor(now.getTime() / 1000) + SESSION_SECONDS };
}

export async function sealSession(session: ConsoleSession, secret: string): Promise<string> {
  const iv = new Uint8Array(randomBytes(12));
  const plain = new TextEncoder().encode(JSON.stringify(session));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await sealingKey(secret), plain));
  const out = new Uint8Array(iv.length + sealed.length);
  out.set(iv);
  out.set(sealed, iv.length);
  return toBase64Url(out);
}

/** The session in a cookie value, or null when it is absent, tampered with, sealed by another secret or expired. */
export async function openSession(value: string | undefined, secret: string, now: Date): Promise<ConsoleSession | null> {
  if (!value || value.length > 4096) return null;
  try {
    const bytes = fromBase64Url(value);
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: bytes.slice(0, 12) },
      await sealingKey(secret),
      bytes.slice(12),
    );
    const session = JSON.parse(new TextDecoder().decode(plain)) as ConsoleSession;
    if (typeof session.key !== 'string' || typeof session.csrf !== 'string') return null;
    return session.expires > now.getTime() / 1000 ? session : null;
  } catch {
    return null;
  }
}

/** Constant-time comparison of the CSRF token a form posted with the session's. */
export function csrfMatches(session: ConsoleSession, posted: unknown): boolean {
  if (typeof posted !== 'string' || posted.length !== session.csrf.length) return false;
  let diff = 0;
  for (let i = 0; i < posted.length; i++) diff |= posted.charCodeAt(i) ^ session.csrf.charCodeAt(i);
  return diff === 0;
}
