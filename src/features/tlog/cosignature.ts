/**
 * C2SP tlog-cosignature (https://c2sp.org/tlog-cosignature), the Ed25519 type: a witness's
 * statement that, as of a time, the checkpoint is the largest consistent tree it has seen for
 * that origin. A cosignature is a note signature line on the checkpoint:
 *
 *   key ID     SHA-256(name ‖ 0x0A ‖ 0x04 ‖ 32-byte public key)[:4]
 *   signature  u64 big-endian timestamp ‖ Ed25519 over the message below (72 bytes)
 *   message    "cosignature/v1\n" ‖ "time <decimal seconds>\n" ‖ the whole checkpoint note text
 *
 * Keys use the signed-note encodings with signature type 0x04:
 *   verifier   <name>+<8 hex key ID>+base64(0x04 ‖ public key)
 *   signer     PRIVATE+KEY+<name>+<8 hex key ID>+base64(0x04 ‖ 32-byte seed)
 */
import { randomBytes, toBase64 } from '../../crypto/bytes.js';
import {
  ed25519SignerFromSeed,
  ed25519Verifier,
  hex32,
  keyId,
  parseKeyIdHex,
  publicKeyFromSeed,
  signatureLine,
  splitKey,
  splitNote,
} from './note.js';
import { decodeStrictBase64, isKeyName } from './note-text.js';
import { TlogError } from './tlog-error.js';

export const COSIGNATURE_V1 = 0x04;
const HEADER = 'cosignature/v1\n';
/** tlog-cosignature: the timestamp "MUST NOT exceed 2^63 - 1". */
const MAX_TIMESTAMP = 2n ** 63n - 1n;

export interface Cosigner {
  readonly name: string;
  readonly keyId: number;
  readonly publicKey: Uint8Array;
  /** `<name>+<id>+base64(0x04 ‖ public key)`: what a log and its verifiers configure. */
  readonly verifierKey: string;
  /** The cosignature line (with its newline) on `checkpointText` at `timestamp` (POSIX seconds). */
  cosign(checkpointText: string, timestamp: number): Promise<string>;
}

export interface CosignatureVerifier {
  readonly name: string;
  readonly keyId: number;
  readonly publicKey: Uint8Array;
  readonly verifierKey: string;
  /** The timestamp of a valid cosignature by this key on `checkpointText`, or null. */
  verify(checkpointText: string, blob: Uint8Array): Promise<number | null>;
}

/** The signed message: header line, time line, then the checkpoint text (signature lines excluded). */
export function cosignatureMessage(checkpointText: string, timestamp: number): Uint8Array {
  return new TextEncoder().encode(`${HEADER}time ${timestamp}\n${checkpointText}`);
}

export async function generateCosignerKey(name: string): Promise<string> {
  if (!isKeyName(name)) throw new TlogError('malformed_key', 'a key name must be non-empty without spaces or "+"');
  const seed = randomBytes(32);
  const id = await keyId(name, await publicKeyFromSeed(seed), COSIGNATURE_V1);
  return `PRIVATE+KEY+${name}+${hex32(id)}+${toBase64(typed(seed))}`;
}

export async function parseCosignerKey(signerKey: string): Promise<Cosigner> {
  const [priv, key, name, idHex, material] = splitKey(signerKey, 5);
  const id = parseKeyIdHex(idHex);
  const seed = decodeStrictBase64(material);
  if (priv !== 'PRIVATE' || key !== 'KEY' || id === null || !isKeyName(name) || seed?.length !== 33) {
    throw new TlogError('malformed_key', 'cosigner key is not PRIVATE+KEY+<name>+<id>+<base64 key>');
  }
  if (seed[0] !== COSIGNATURE_V1) throw new TlogError('malformed_key', 'cosigner key is not of type 0x04 (cosignature/v1)');
  const publicKey = await publicKeyFromSeed(seed.subarray(1));
  if ((await keyId(name, publicKey, COSIGNATURE_V1)) !== id)
    throw new TlogError('malformed_key', 'cosigner key ID does not match its key');
  const sign = await ed25519SignerFromSeed(seed.subarray(1));
  return {
    name,
    keyId: id,
    publicKey,
    verifierKey: `${name}+${hex32(id)}+${toBase64(typed(publicKey))}`,
    async cosign(checkpointText, timestamp) {
      assertTimestamp(timestamp);
      const signature = await sign(cosignatureMessage(checkpointText, timestamp));
      const blob = new Uint8Array(4 + 8 + 64);
      const view = new DataView(blob.buffer);
      view.setUint32(0, id);
      view.setBigUint64(4, BigInt(timestamp));
      blob.set(signature, 12);
      return signatureLine(name, blob);
    },
  };
}

export async function parseCosignatureVerifierKey(verifierKey: string): Promise<CosignatureVerifier> {
  const [name, idHex, material] = splitKey(verifierKey.trim(), 3);
  const id = parseKeyIdHex(idHex);
  const key = decodeStrictBase64(material);
  if (id === null || !isKeyName(name) || key?.length !== 33) {
    throw new TlogError('malformed_key', 'witness key is not <name>+<id>+<base64(0x04 ‖ Ed25519 public key)>');
  }
  if (key[0] !== COSIGNATURE_V1) throw new TlogError('malformed_key', 'witness key is not of type 0x04 (cosignature/v1)');
  const publicKey = key.slice(1);
  if ((await keyId(name, publicKey, COSIGNATURE_V1)) !== id)
    throw new TlogError('malformed_key', 'witness key ID does not match its key');
  const verify = await ed25519Verifier(publicKey);
  return {
    name,
    keyId: id,
    publicKey,
    verifierKey: `${name}+${hex32(id)}+${toBase64(key)}`,
    async verify(checkpointText, blob) {
      if (blob.length !== 4 + 8 + 64) return null;
      const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
      if (view.getUint32(0) !== id) return null;
      const timestamp = view.getBigUint64(4);
      if (timestamp > BigInt(Number.MAX_SAFE_INTEGER)) return null;
      const ok = await verify(cosignatureMessage(checkpointText, Number(timestamp)), blob.subarray(12));
      return ok ? Number(timestamp) : null;
    },
  };
}

export interface ValidCosignature {
  readonly verifierKey: string;
  readonly name: string;
  readonly timestamp: number;
  /** The signature line itself, with its newline. */
  readonly line: string;
}

/**
 * The valid cosignatures on a signed note by the given witnesses, one per witness at most. Lines
 * by other keys are ignored (tlog-witness: "MUST ignore any cosignatures from unknown keys"); a
 * line naming a known witness that does not verify is not counted. It does not check the log's
 * own signature: open the note with the log key for that.
 */
export async function validCosignatures(note: string, witnesses: readonly CosignatureVerifier[]): Promise<ValidCosignature[]> {
  const { text, signatures } = splitNote(note);
  const found = new Map<string, ValidCosignature>();
  for (const { name, keyId: id, blob } of signatures) {
    const witness = witnesses.find((w) => w.name === name && w.keyId === id);
    if (!witness || found.has(witness.verifierKey)) continue;
    const timestamp = await witness.verify(text, blob);
    if (timestamp !== null) {
      found.set(witness.verifierKey, { verifierKey: witness.verifierKey, name, timestamp, line: signatureLine(name, blob) });
    }
  }
  return [...found.values()];
}

/** A verifier's policy: these witnesses, of which at least `quorum` must have cosigned. */
export interface WitnessPolicy {
  readonly witnesses: readonly CosignatureVerifier[];
  readonly quorum: number;
}

/** Throws `witness_quorum_not_met` unless `quorum` distinct policy witnesses cosigned the note. */
export async function requireQuorum(note: string, policy: WitnessPolicy): Promise<ValidCosignature[]> {
  const valid = await validCosignatures(note, policy.witnesses);
  if (valid.length < policy.quorum) {
    const names = valid.map((v) => v.name).join(', ') || 'none';
    throw new TlogError(
      'witness_quorum_not_met',
      `the checkpoint has ${valid.length} valid cosignature(s) from the trusted witnesses (${names}); the policy needs ${policy.quorum}`,
    );
  }
  return valid;
}

function typed(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + key.length);
  out[0] = COSIGNATURE_V1;
  out.set(key, 1);
  return out;
}

function assertTimestamp(timestamp: number): void {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0 || BigInt(timestamp) > MAX_TIMESTAMP) {
    throw new RangeError('a cosignature timestamp is a non-negative integer number of seconds');
  }
}
