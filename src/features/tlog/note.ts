/**
 * C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 keys (signature type 0x01),
 * and the key encodings of Go's golang.org/x/mod/sumdb/note:
 *
 *   verifier key  <name>+<8 hex digits key ID>+base64(0x01 ‖ 32-byte public key)
 *   signer key    PRIVATE+KEY+<name>+<8 hex digits key ID>+base64(0x01 ‖ 32-byte seed)
 *   key ID        first 4 bytes (big-endian uint32) of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)
 *
 * A note is its text (ending in a newline), a blank line, then lines
 * `— <name> base64(key ID ‖ signature)`, the signature being over the text's UTF-8 bytes.
 * `openNote` follows Go's `note.Open`: signatures by unknown keys are ignored, a bad signature
 * by a known key rejects the whole note, and at least one known key must have signed.
 */
import { bytesEqual, fromBase64Url, fromHex, randomBytes, sha256, toBase64 } from '../../crypto/bytes.js';
import { assertNoteText, decodeStrictBase64, decodeUtf8, hasControlCharacter, isKeyName, isWellFormed } from './note-text.js';
import { TlogError } from './tlog-error.js';

const ALG_ED25519 = 0x01;
const ED25519 = { name: 'Ed25519' } as const;
/** PKCS#8 wrapping of a bare 32-byte Ed25519 seed (RFC 8410 §7), the only way Web Crypto imports one. */
const PKCS8_ED25519_PREFIX = fromHex('302e020100300506032b657004220420');
const SIGNATURE_PREFIX = '\u2014 '; // em dash, space
/** Go's note.Open limit; the spec asks verifiers to accept at least 16. */
const MAX_SIGNATURES = 100;

export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  readonly publicKey: Uint8Array;
  /** The key to publish so others can verify: `<name>+<id>+<base64(0x01 ‖ public key)>`. */
  readonly verifierKey: string;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  readonly publicKey: Uint8Array;
  verify(message: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

/** A fresh signer key in Go's `PRIVATE+KEY+…` encoding. Keep it secret; derive the verifier key from it. */
export async function generateSignerKey(name: string): Promise<string> {
  assertKeyName(name);
  const seed = randomBytes(32);
  const publicKey = await publicKeyFromSeed(seed);
  const id = await keyId(name, publicKey);
  return `PRIVATE+KEY+${name}+${hex32(id)}+${toBase64(prefixed(seed))}`;
}

/** Parses a `PRIVATE+KEY+…` signer key, checking that its key ID matches the derived public key. */
export async function parseSignerKey(signerKey: string): Promise<NoteSigner> {
  const [priv, key, name, idHex, material] = splitKey(signerKey, 5);
  const id = parseKeyIdHex(idHex);
  const seed = decodeStrictBase64(material);
  if (priv !== 'PRIVATE' || key !== 'KEY' || id === null || !isKeyName(name) || !seed || seed.length !== 33) {
    throw new TlogError('malformed_key', 'signer key is not PRIVATE+KEY+<name>+<id>+<base64 key>');
  }
  if (seed[0] !== ALG_ED25519) throw new TlogError('malformed_key', 'signer key is not an Ed25519 (type 0x01) key');
  const publicKey = await publicKeyFromSeed(seed.subarray(1));
  if ((await keyId(name, publicKey)) !== id) throw new TlogError('malformed_key', 'signer key ID does not match its key');
  return {
    name,
    keyId: id,
    publicKey,
    verifierKey: `${name}+${hex32(id)}+${toBase64(prefixed(publicKey))}`,
    sign: await ed25519SignerFromSeed(seed.subarray(1)),
  };
}

/** The verifier key to publish for a signer key. */
export async function verifierKeyFromSigner(signerKey: string): Promise<string> {
  return (await parseSignerKey(signerKey)).verifierKey;
}

/** Parses `<name>+<id>+<base64(0x01 ‖ public key)>`, checking the key ID. */
export async function parseVerifierKey(verifierKey: string): Promise<NoteVerifier> {
  const [name, idHex, material] = splitKey(verifierKey, 3);
  const id = parseKeyIdHex(idHex);
  const key = decodeStrictBase64(material);
  if (id === null || !isKeyName(name) || !key || key.length === 0) {
    throw new TlogError('malformed_key', 'verifier key is not <name>+<id>+<base64 key>');
  }
  if (key[0] !== ALG_ED25519 || key.length !== 33)
    throw new TlogError('malformed_key', 'verifier key is not an Ed25519 (type 0x01) key');
  const publicKey = key.slice(1);
  if ((await keyId(name, publicKey)) !== id) throw new TlogError('malformed_key', 'verifier key ID does not match its key');
  return { name, keyId: id, publicKey, verify: await ed25519Verifier(publicKey) };
}

/**
 * signed-note "Signatures": SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4] as a big-endian uint32.
 * Other signature types put their own byte in place of 0x01 (tlog-cosignature's Ed25519 uses 0x04).
 */
export async function keyId(name: string, publicKey: Uint8Array, signatureType = ALG_ED25519): Promise<number> {
  const nameBytes = new TextEncoder().encode(name);
  const input = new Uint8Array(nameBytes.length + 2 + publicKey.length);
  input.set(nameBytes);
  input[nameBytes.length] = 0x0a;
  input[nameBytes.length + 1] = signatureType;
  input.set(publicKey, nameBytes.length + 2);
  const digest = await sha256(input);
  return new DataView(digest.buffer, digest.byteOffset).getUint32(0);
}

/** Signs `text` (which must end in a newline) and returns the whole note. */
export async function signNote(text: string, signers: NoteSigner | readonly NoteSigner[]): Promise<string> {
  const list = Array.isArray(signers) ? (signers as readonly NoteSigner[]) : [signers as NoteSigner];
  if (list.length === 0) throw new TlogError('malformed_note', 'a note needs at least one signer');
  assertNoteText(text);
  const message = new TextEncoder().encode(text);
  let lines = '';
  for (const signer of list) {
    assertKeyName(signer.name);
    const signature = await signer.sign(message);
    const blob = new Uint8Array(4 + signature.length);
    new DataView(blob.buffer).setUint32(0, signer.keyId);
    blob.set(signature, 4);
    lines += signatureLine(signer.name, blob);
  }
  return `${text}\n${lines}`;
}

/**
 * Verifies a signed note against trusted keys and returns its text (with the final newline).
 * Throws TlogError: `malformed_note`, `invalid_signature` (a trusted key's signature is wrong —
 * the text or signature was altered) or `unverified_note` (no trusted key signed it).
 */
export async function openNote(
  note: string | Uint8Array,
  trusted: string | NoteVerifier | readonly (string | NoteVerifier)[],
): Promise<string> {
  const verifiers = await verifierMap(trusted);
  const { text, signatures } = splitNote(note);
  const message = new TextEncoder().encode(text);
  const seen = new Set<string>();
  for (const { name, keyId: id, blob } of signatures) {
    const verifier = verifiers.get(mapKey(name, id));
    if (!verifier || seen.has(mapKey(name, id))) continue; // unknown keys are ignored, repeats skipped
    seen.add(mapKey(name, id));
    if (!(await verifier.verify(message, blob.subarray(4)))) {
      throw new TlogError('invalid_signature', `the signature by ${name}+${hex32(id)} does not verify`);
    }
  }
  if (seen.size === 0) throw new TlogError('unverified_note', 'the note is not signed by any trusted key');
  return text;
}

/** Signs with a bare 32-byte Ed25519 seed through Web Crypto (the runtime-portable way). */
export async function ed25519SignerFromSeed(seed: Uint8Array): Promise<(message: Uint8Array) => Promise<Uint8Array>> {
  const privateKey = await crypto.subtle.importKey('pkcs8', pkcs8(seed) as BufferSource, ED25519, false, ['sign']);
  return async (message) => new Uint8Array(await crypto.subtle.sign(ED25519, privateKey, message as BufferSource));
}

/** Verifies with a 32-byte Ed25519 public key; false (never a throw) for anything that does not verify. */
export async function ed25519Verifier(
  publicKey: Uint8Array,
): Promise<(message: Uint8Array, signature: Uint8Array) => Promise<boolean>> {
  const cryptoKey = await crypto.subtle.importKey('raw', publicKey as BufferSource, ED25519, false, ['verify']);
  return async (message, signature) => {
    if (signature.length !== 64) return false;
    try {
      return await crypto.subtle.verify(ED25519, cryptoKey, signature as BufferSource, message as BufferSource);
    } catch {
      return false;
    }
  };
}

export interface NoteSignatureLine {
  readonly name: string;
  readonly keyId: number;
  /** key ID ‖ signature, as decoded from the line. */
  readonly blob: Uint8Array;
}

/**
 * A note's text (with its final newline) and its signature lines, parsed but not verified:
 * the shared first half of `openNote` and of cosignature checks (C2SP tlog-cosignature).
 */
export function splitNote(note: string | Uint8Array): { text: string; signatures: NoteSignatureLine[] } {
  const msg = typeof note === 'string' ? note : decodeUtf8(note);
  if (msg === null || !isWellFormed(msg) || hasControlCharacter(msg)) {
    throw new TlogError('malformed_note', 'a note must be UTF-8 without control characters other than newline');
  }
  const split = msg.lastIndexOf('\n\n');
  if (split < 0) throw new TlogError('malformed_note', 'a note needs a blank line before its signatures');
  const text = msg.slice(0, split + 1);
  const block = msg.slice(split + 2);
  if (block === '' || !block.endsWith('\n')) throw new TlogError('malformed_note', 'a note must end with signature lines');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES)
    throw new TlogError('malformed_note', `a note may carry at most ${MAX_SIGNATURES} signatures`);
  const signatures = lines.map((line) => {
    if (!line.startsWith(SIGNATURE_PREFIX))
      throw new TlogError('malformed_note', 'a signature line starts with an em dash and a space');
    const rest = line.slice(SIGNATURE_PREFIX.length);
    const space = rest.indexOf(' ');
    const name = space < 0 ? rest : rest.slice(0, space);
    const blob = space < 0 ? null : decodeStrictBase64(rest.slice(space + 1));
    if (!isKeyName(name) || !blob || blob.length < 5) throw new TlogError('malformed_note', 'malformed signature line');
    return { name, keyId: new DataView(blob.buffer, blob.byteOffset).getUint32(0), blob };
  });
  return { text, signatures };
}

/** One signature line, `— <name> base64(blob)` with its newline. */
export function signatureLine(name: string, blob: Uint8Array): string {
  return `${SIGNATURE_PREFIX}${name} ${toBase64(blob)}\n`;
}

async function verifierMap(
  trusted: string | NoteVerifier | readonly (string | NoteVerifier)[],
): Promise<Map<string, NoteVerifier>> {
  const list = Array.isArray(trusted) ? (trusted as readonly (string | NoteVerifier)[]) : [trusted as string | NoteVerifier];
  const map = new Map<string, NoteVerifier>();
  for (const item of list) {
    const v = typeof item === 'string' ? await parseVerifierKey(item) : item;
    const existing = map.get(mapKey(v.name, v.keyId));
    // Two different keys behind one name and ID would make the answer depend on list order.
    if (existing && !bytesEqual(existing.publicKey, v.publicKey)) {
      throw new TlogError('malformed_key', `two trusted keys share the name and ID ${v.name}+${hex32(v.keyId)}`);
    }
    map.set(mapKey(v.name, v.keyId), v);
  }
  return map;
}

/** The Ed25519 public key of a 32-byte seed (RFC 8032 §5.1.5). */
export async function publicKeyFromSeed(seed: Uint8Array): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('pkcs8', pkcs8(seed) as BufferSource, ED25519, true, ['sign']);
  const jwk = await crypto.subtle.exportKey('jwk', key);
  if (typeof jwk.x !== 'string') throw new Error('Web Crypto did not export the Ed25519 public key');
  return fromBase64Url(jwk.x);
}

function pkcs8(seed: Uint8Array): Uint8Array {
  const out = new Uint8Array(PKCS8_ED25519_PREFIX.length + 32);
  out.set(PKCS8_ED25519_PREFIX);
  out.set(seed, PKCS8_ED25519_PREFIX.length);
  return out;
}

function prefixed(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + key.length);
  out[0] = ALG_ED25519;
  out.set(key, 1);
  return out;
}

/** Splits at the first `parts − 1` plus signs; the base64 key at the end may itself contain `+`. */
export function splitKey(key: string, parts: number): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  let rest = key;
  for (let i = 0; i < parts - 1; i++) {
    const at = rest.indexOf('+');
    if (at < 0) return out;
    out.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  out.push(rest);
  return out;
}

export function parseKeyIdHex(text: string | undefined): number | null {
  return text !== undefined && /^[0-9a-fA-F]{8}$/.test(text) ? Number.parseInt(text, 16) : null;
}

function assertKeyName(name: string): void {
  if (!isKeyName(name)) throw new TlogError('malformed_key', 'a key name must be non-empty without spaces or "+"');
}

export function hex32(n: number): string {
  return n.toString(16).padStart(8, '0');
}

function mapKey(name: string, id: number): string {
  return `${name}+${id}`;
}
