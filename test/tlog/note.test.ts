import { describe, expect, it } from 'vitest';
import { toBase64 } from '../../src/crypto/bytes.js';
import {
  generateSignerKey,
  keyId,
  openNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
  verifierKeyFromSigner,
} from '../../src/features/tlog/note.js';
import { TlogError, type TlogErrorCode } from '../../src/features/tlog/tlog-error.js';

// golang.org/x/mod/sumdb/note: the package documentation's example and note_test.go.
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG = '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const ENOCH_SIG = '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';
const PETER_NOTE = `${TEXT}\n${PETER_SIG}`;

// c2sp.org/signed-note@v1.1.0, "Example".
const FOO_VKEY = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const FOO_NOTE =
  'This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';

async function rejection(promise: Promise<unknown>): Promise<TlogErrorCode> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof TlogError) return e.code;
    throw e;
  }
  throw new Error('expected a TlogError, but it resolved');
}

describe('known answers from Go and the spec', () => {
  it('derives the published verifier key and key ID from the Go signer key', async () => {
    const signer = await parseSignerKey(PETER_SKEY);
    expect(signer.name).toBe('PeterNeumann');
    expect(signer.keyId).toBe(0xc74f20a3);
    expect(signer.verifierKey).toBe(PETER_VKEY);
    expect(await verifierKeyFromSigner(PETER_SKEY)).toBe(PETER_VKEY);
    expect(await keyId('PeterNeumann', signer.publicKey)).toBe(0xc74f20a3);
  });

  it('reproduces the Go signature byte for byte (Ed25519 is deterministic)', async () => {
    expect(await signNote(TEXT, await parseSignerKey(PETER_SKEY))).toBe(PETER_NOTE);
  });

  it('opens the Go note and the spec example', async () => {
    expect(await openNote(PETER_NOTE, PETER_VKEY)).toBe(TEXT);
    expect(await openNote(new TextEncoder().encode(PETER_NOTE), [PETER_VKEY])).toBe(TEXT);
    expect(await openNote(FOO_NOTE, FOO_VKEY)).toBe('This is an example message.\n');
    const foo = await parseVerifierKey(FOO_VKEY);
    expect(foo.keyId).toBe(0x530d903a);
  });

  it('ignores signatures by keys it was not given, but needs one it was', async () => {
    const both = `${TEXT}\n${PETER_SIG}${ENOCH_SIG}`;
    expect(await openNote(both, PETER_VKEY)).toBe(TEXT);
    expect(await openNote(both, ENOCH_VKEY)).toBe(TEXT);
    expect(await openNote(both, [ENOCH_VKEY, PETER_VKEY])).toBe(TEXT);
    expect(await rejection(openNote(PETER_NOTE, ENOCH_VKEY))).toBe('unverified_note');
    expect(await openNote(`${TEXT}\n${PETER_SIG}${PETER_SIG}`, PETER_VKEY)).toBe(TEXT);
  });
});

describe('rejections', () => {
  it('a tampered text or signature', async () => {
    expect(await rejection(openNote(PETER_NOTE.replace('cryptography', 'cryptographY'), PETER_VKEY))).toBe('invalid_signature');
    expect(await rejection(openNote(PETER_NOTE.replace('x08go/', 'x08go+'), PETER_VKEY))).toBe('invalid_signature');
    // A bad signature by a trusted key poisons the note even when another trusted key signed it.
    const badEnoch = ENOCH_SIG.replace('rwz+eBzm', 'rwz+eBzn');
    expect(await rejection(openNote(`${TEXT}\n${PETER_SIG}${badEnoch}`, [PETER_VKEY, ENOCH_VKEY]))).toBe('invalid_signature');
  });

  it('a wrong key, even under the same name', async () => {
    const impostor = await parseSignerKey(await generateSignerKey('PeterNeumann'));
    const forged = await signNote(TEXT, impostor);
    expect(await rejection(openNote(forged, PETER_VKEY))).toBe('unverified_note');
    // Same name and ID as Peter's key but another key's signature: the trusted key says no.
    const spliced = forged.replace(/— PeterNeumann (\S+)/, (_, b64: string) => {
      const blob = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      blob.set([0xc7, 0x4f, 0x20, 0xa3]);
      return `— PeterNeumann ${toBase64(blob)}`;
    });
    expect(await rejection(openNote(spliced, PETER_VKEY))).toBe('invalid_signature');
  });

  it('malformed notes', async () => {
    for (const bad of [
      `${TEXT}${PETER_SIG}`, // no blank line
      `${TEXT}\n${PETER_SIG.trimEnd()}`, // no final newline
      `${TEXT}\n`,
      `${TEXT}\n${PETER_SIG.replace('—', '-')}`, // hyphen instead of em dash
      `${TEXT}\n${PETER_SIG.replace('—', '—\u00a0')}`,
      `${TEXT}\n${PETER_SIG.replace('=\n', '\n')}`, // base64 without padding
      `${TEXT}\n${PETER_SIG.replace('PeterNeumann', 'Peter+Neumann')}`,
      `${TEXT.replace('problem,', 'problem,\t')}\n${PETER_SIG}`, // control character
      `${TEXT}\n${PETER_SIG.replace(/ \S+\n$/, ' AAAA\n')}`, // shorter than key ID + 1 byte
      `${TEXT}\n${PETER_SIG.repeat(101)}`,
    ]) {
      expect(await rejection(openNote(bad, PETER_VKEY)), JSON.stringify(bad.slice(-40))).toBe('malformed_note');
    }
    const invalidUtf8 = new Uint8Array([...new TextEncoder().encode(`${TEXT}\n${PETER_SIG}`), 0xff]);
    expect(await rejection(openNote(invalidUtf8, PETER_VKEY))).toBe('malformed_note');
  });

  it('refuses to sign text a note cannot carry', async () => {
    const signer = await parseSignerKey(PETER_SKEY);
    expect(await rejection(signNote('no final newline', signer))).toBe('malformed_note');
    expect(await rejection(signNote('bell \u0007\n', signer))).toBe('malformed_note');
    expect(await rejection(signNote('lone \ud800 surrogate\n', signer))).toBe('malformed_note');
    expect(await rejection(signNote(TEXT, []))).toBe('malformed_note');
  });

  it('malformed or inconsistent keys', async () => {
    for (const bad of [
      'PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', // key ID off by one
      'PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
      'PeterNeumann+c74f20a3+Apc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', // not type 0x01
      'PeterNeumann+c74f20a3',
      'Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
      '+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
    ]) {
      expect(await rejection(parseVerifierKey(bad)), bad).toBe('malformed_key');
    }
    for (const bad of [
      'PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz',
      'PRIVATE+KEY+EnochRoot+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz',
      'PUBLIC+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz',
      'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKD',
      PETER_VKEY,
    ]) {
      expect(await rejection(parseSignerKey(bad)), bad).toBe('malformed_key');
    }
    expect(await rejection(generateSignerKey('has space'))).toBe('malformed_key');
    expect(await rejection(generateSignerKey('a+b'))).toBe('malformed_key');
    expect(await rejection(generateSignerKey(''))).toBe('malformed_key');
  });
});

describe('generated keys', () => {
  it('round-trip: generate, publish the verifier key, sign, open', async () => {
    const skey = await generateSignerKey('haipai.example/log');
    expect(skey).toMatch(/^PRIVATE\+KEY\+haipai\.example\/log\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
    const vkey = await verifierKeyFromSigner(skey);
    expect(vkey).toMatch(/^haipai\.example\/log\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
    expect(vkey.split('+')[1]).toBe(skey.split('+')[3]);
    const body = 'a body\n\nwith an empty line\n';
    const note = await signNote(body, await parseSignerKey(skey));
    expect(await openNote(note, vkey)).toBe(body);
    expect(await rejection(openNote(note, PETER_VKEY))).toBe('unverified_note');
    expect(await generateSignerKey('haipai.example/log')).not.toBe(skey);
  });

  it('signs with several keys at once', async () => {
    const a = await parseSignerKey(await generateSignerKey('a.example'));
    const peter = await parseSignerKey(PETER_SKEY);
    const note = await signNote(TEXT, [a, peter]);
    expect(note.endsWith(PETER_SIG)).toBe(true);
    expect(await openNote(note, a.verifierKey)).toBe(TEXT);
    expect(await openNote(note, PETER_VKEY)).toBe(TEXT);
  });
});
