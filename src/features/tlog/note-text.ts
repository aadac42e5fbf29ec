/** The text rules of C2SP signed notes (https://c2sp.org/signed-note "Format"), shared by notes and checkpoints. */
import { toBase64 } from '../../crypto/bytes.js';
import { TlogError } from './tlog-error.js';

/**
 * Standard base64 (RFC 4648 §4) in its one canonical spelling, or null. `atob` alone would
 * accept missing padding and embedded whitespace, letting one signature have many encodings.
 */
export function decodeStrictBase64(text: string | undefined): Uint8Array | null {
  if (text === undefined || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return null;
  try {
    const s = atob(text);
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return toBase64(out) === text ? out : null;
  } catch {
    return null;
  }
}

/** signed-note "Format": non-empty, no Unicode white space, no `+` (and nothing a note would refuse). */
export function isKeyName(name: string | undefined): name is string {
  return (
    name !== undefined &&
    name !== '' &&
    !name.includes('+') &&
    !/\p{White_Space}/u.test(name) &&
    !hasControlCharacter(name) &&
    isWellFormed(name)
  );
}

/** Text a note can carry: ends in a newline, well-formed Unicode, no control characters but newline. */
export function assertNoteText(text: string): void {
  if (!text.endsWith('\n') || !isWellFormed(text) || hasControlCharacter(text)) {
    throw new TlogError('malformed_note', 'note text must end in a newline and hold no control characters other than newline');
  }
}

export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** ASCII control characters other than newline (signed-note "Format"). */
export function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) return true;
  }
  return false;
}

export function isWellFormed(s: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
}
