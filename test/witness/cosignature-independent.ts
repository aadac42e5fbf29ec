/**
 * A cosignature check written from the C2SP tlog-cosignature text alone, with node:crypto, so
 * that tests do not grade the code under test with itself. It imports nothing from src/.
 *
 *   key ID     SHA-256(<name> || "\n" || 0x04 || 32-byte Ed25519 public key)[:4]
 *   blob       key ID || u64 big-endian timestamp || 64-byte Ed25519 signature
 *   message    "cosignature/v1\n" || "time " || decimal timestamp || "\n" || checkpoint note body
 */
import { createHash, createPublicKey, verify } from 'node:crypto';

export function independentKeyId(name: string, publicKey: Buffer): Buffer {
  return createHash('sha256')
    .update(Buffer.concat([Buffer.from(`${name}\n`, 'utf8'), Buffer.from([0x04]), publicKey]))
    .digest()
    .subarray(0, 4);
}

/** The timestamp of `line` if it is a valid cosignature by `vkey` on the signed note `note`, else null. */
export function independentCosignatureCheck(vkey: string, note: string, line: string): bigint | null {
  const [name, idHex, material] = [vkey.split('+')[0]!, vkey.split('+')[1]!, vkey.split('+').slice(2).join('+')];
  const key = Buffer.from(material, 'base64');
  if (key.length !== 33 || key[0] !== 0x04) throw new Error('not a cosignature/v1 verifier key');
  const publicKey = key.subarray(1);
  if (independentKeyId(name, publicKey).toString('hex') !== idHex) throw new Error('verifier key ID does not match');
  const match = /^\u2014 (\S+) (\S+)\n?$/.exec(line);
  if (!match || match[1] !== name) return null;
  const blob = Buffer.from(match[2]!, 'base64');
  if (blob.length !== 76 || blob.subarray(0, 4).toString('hex') !== idHex) return null;
  const timestamp = blob.readBigUInt64BE(4);
  const body = note.slice(0, note.indexOf('\n\n') + 1);
  const message = Buffer.from(`cosignature/v1\ntime ${timestamp}\n${body}`, 'utf8');
  const jwk = { kty: 'OKP', crv: 'Ed25519', x: publicKey.toString('base64url') };
  const ok = verify(null, message, createPublicKey({ key: jwk, format: 'jwk' }), blob.subarray(12));
  return ok ? timestamp : null;
}

/**
 * The log's own signature line on a note, checked from the C2SP signed-note text (Ed25519, type
 * 0x01: key ID SHA-256(name || "\n" || 0x01 || key)[:4], signature over the note body). Other
 * lines — cosignatures — are skipped, as signed-note verifiers skip unknown keys.
 */
export function independentNoteSignatureCheck(vkey: string, note: string): boolean {
  const parts = vkey.split('+');
  const [name, idHex, material] = [parts[0]!, parts[1]!, parts.slice(2).join('+')];
  const key = Buffer.from(material, 'base64');
  if (key.length !== 33 || key[0] !== 0x01) throw new Error('not an Ed25519 note verifier key');
  const id = createHash('sha256')
    .update(Buffer.concat([Buffer.from(`${name}\n`, 'utf8'), Buffer.from([0x01]), key.subarray(1)]))
    .digest()
    .subarray(0, 4);
  if (id.toString('hex') !== idHex) throw new Error('verifier key ID does not match');
  const split = note.indexOf('\n\n');
  const body = Buffer.from(note.slice(0, split + 1), 'utf8');
  const jwk = { kty: 'OKP', crv: 'Ed25519', x: key.subarray(1).toString('base64url') };
  const publicKey = createPublicKey({ key: jwk, format: 'jwk' });
  for (const line of note
    .slice(split + 2)
    .trimEnd()
    .split('\n')) {
    const match = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const blob = Buffer.from(match[2]!, 'base64');
    if (blob.subarray(0, 4).equals(id) && verify(null, body, publicKey, blob.subarray(4))) return true;
  }
  return false;
}
