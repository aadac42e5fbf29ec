/**
 * The witness against C2SP tlog-witness and tlog-cosignature: the spec's example request body
 * and cosignature, every status the spec prescribes, the 409 body, and cosignatures checked by
 * an implementation written separately from the spec (cosignature-independent.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBase64 } from '../../src/crypto/bytes.js';
import {
  formatAddCheckpoint,
  MalformedAddCheckpoint,
  parseAddCheckpoint,
  parseTlogSize,
} from '../../src/features/tlog/add-checkpoint.js';
import {
  generateCosignerKey,
  parseCosignatureVerifierKey,
  parseCosignerKey,
  validCosignatures,
} from '../../src/features/tlog/cosignature.js';
import { type MemoryLog, memoryLog } from '../support/memory-log.js';
import { startWitness, type TestWitness } from '../support/witness.js';
import { independentCosignatureCheck, independentKeyId } from './cosignature-independent.js';

const ORIGIN = 'example.com/behind-the-sofa';

// c2sp.org/tlog-witness, "add-checkpoint": the example request body, verbatim.
const SPEC_BODY = `old 20852014
PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=
jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=
5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=
/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=

example.com/behind-the-sofa
20852163
CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=

— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=
— example.com/behind-the-sofa opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=
`;
// c2sp.org/tlog-cosignature: the example cosignature line, and the time in its signed-message example.
const SPEC_COSIGNATURE =
  '— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==';

describe('wire formats, from the specifications', () => {
  it("parses the spec's example request body", () => {
    const request = parseAddCheckpoint(SPEC_BODY);
    expect(request.oldSize).toBe(20852014);
    expect(request.proof.map(toBase64)).toEqual([
      'PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=',
      'jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=',
      '5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=',
      '/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=',
    ]);
    expect(request.checkpoint.startsWith('example.com/behind-the-sofa\n20852163\n')).toBe(true);
    expect(formatAddCheckpoint(request)).toBe(SPEC_BODY);
  });

  it('refuses bodies the spec does not allow', () => {
    const cases = [
      'old 01\n\nx\n', // leading zero
      'old -1\n\nx\n',
      'new 1\n\nx\n',
      'old 1\nnot base64!\n\nx\n',
      'old 1\nAAAA\n\nx\n', // a hash is 32 bytes
      'old 1\n', // no blank line, no checkpoint
      'old 1\n\n', // no checkpoint
      `old 1\n${'PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n'.repeat(64)}\nx\n`, // 64 > 63 proof lines
    ];
    for (const body of cases) expect(() => parseAddCheckpoint(body), body).toThrow(MalformedAddCheckpoint);
  });

  it("decodes the spec's example cosignature: key ID, then the big-endian timestamp of its message example", () => {
    const blob = Buffer.from(SPEC_COSIGNATURE.split(' ')[2]!, 'base64');
    expect(blob.length).toBe(4 + 8 + 64);
    expect(blob.readBigUInt64BE(4)).toBe(1679315147n); // "time 1679315147" in the spec's signed message
  });

  it('computes the cosignature key ID with signature type 0x04, not the note type 0x01', async () => {
    const cosigner = await parseCosignerKey(await generateCosignerKey('witness.example.com/w1'));
    const id = independentKeyId(cosigner.name, Buffer.from(cosigner.publicKey)).readUInt32BE(0);
    expect(cosigner.keyId).toBe(id);
    const [name, idHex, ...material] = cosigner.verifierKey.split('+'); // base64 may hold '+'
    expect([name, idHex]).toEqual(['witness.example.com/w1', id.toString(16).padStart(8, '0')]);
    const key = Buffer.from(material.join('+'), 'base64');
    expect(key[0]).toBe(0x04);
    expect(key.subarray(1)).toEqual(Buffer.from(cosigner.publicKey));
  });

  it('parses a 409 body only as a decimal size and a newline', () => {
    expect(parseTlogSize('20852014\n')).toBe(20852014);
    expect(parseTlogSize('0\n')).toBe(0);
    for (const bad of ['20852014', '020\n', 'x\n', '1\n\n']) expect(parseTlogSize(bad)).toBeNull();
  });
});

describe('POST /add-checkpoint', () => {
  let log: MemoryLog;
  let w: TestWitness;
  let now = new Date('2026-12-05T12:00:00Z');
  const body = async (oldSize: number, size = log.size(), proof?: Uint8Array[]) =>
    formatAddCheckpoint({
      oldSize,
      proof: proof ?? (await log.consistency(oldSize, size)),
      checkpoint: await log.checkpoint(size),
    });

  beforeAll(async () => {
    log = await memoryLog(ORIGIN);
    w = await startWitness({ name: 'witness.example.com/w1', logKeys: [log.signer.verifierKey], now: () => now });
  });
  afterAll(async () => w?.close());

  it('cosigns the first checkpoint it sees from old size 0, with a line an independent check accepts', async () => {
    await log.append('a', 'b', 'c');
    const res = await w.add(await body(0));
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/^— witness\.example\.com\/w1 [A-Za-z0-9+/]+=*\n$/);
    const note = await log.checkpoint();
    expect(independentCosignatureCheck(w.cosigner.verifierKey, note, res.text)).toBe(BigInt(now.getTime() / 1000));
    // The spec's way for a client: concatenate the response to the checkpoint and verify as a note.
    const valid = await validCosignatures(note + res.text, [await parseCosignatureVerifierKey(w.cosigner.verifierKey)]);
    expect(valid.map((v) => v.timestamp)).toEqual([now.getTime() / 1000]);
    // Neither check accepts the line on another checkpoint, nor a changed timestamp.
    const other = note.replace(`\n${log.size()}\n`, '\n4\n');
    expect(independentCosignatureCheck(w.cosigner.verifierKey, other, res.text)).toBeNull();
    expect(await validCosignatures(other + res.text, [await parseCosignatureVerifierKey(w.cosigner.verifierKey)])).toEqual([]);
    const blob = Buffer.from(res.text.trim().split(' ')[2]!, 'base64');
    blob.writeBigUInt64BE(blob.readBigUInt64BE(4) + 1n, 4);
    const retimed = `— witness.example.com/w1 ${blob.toString('base64')}\n`;
    expect(independentCosignatureCheck(w.cosigner.verifierKey, note, retimed)).toBeNull();
    expect(await validCosignatures(note + retimed, [await parseCosignatureVerifierKey(w.cosigner.verifierKey)])).toEqual([]);
  });

  it('answers 409 with text/x.tlog.size and its latest size when the old size is not its latest', async () => {
    await log.append('d', 'e');
    const res = await w.add(await body(0));
    expect(res.status).toBe(409);
    expect(res.contentType).toBe('text/x.tlog.size');
    expect(res.text).toBe('3\n');
  });

  it('cosigns a checkpoint that extends its latest by a valid consistency proof', async () => {
    now = new Date(now.getTime() + 60_000);
    const res = await w.add(await body(3));
    expect(res.status).toBe(200);
    expect(independentCosignatureCheck(w.cosigner.verifierKey, await log.checkpoint(), res.text)).toBe(
      BigInt(now.getTime() / 1000),
    );
  });

  it('refuses a bad consistency proof with 422 and keeps its state', async () => {
    await log.append('f');
    const proof = await log.consistency(5, 6);
    proof[0] = new Uint8Array(32).fill(7);
    const res = await w.add(await body(5, 6, proof));
    expect(res.status).toBe(422);
    expect(JSON.parse(res.text).code).toBe('invalid_consistency_proof');
    expect((await w.add(await body(0))).text).toBe('5\n');
  });

  it('answers 404 for an unknown origin and 403 when no trusted key signed the checkpoint', async () => {
    const stranger = await memoryLog('stranger.example/log');
    await stranger.append('x');
    const unknown = await w.add(formatAddCheckpoint({ oldSize: 0, proof: [], checkpoint: await stranger.checkpoint() }));
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.text).code).toBe('unknown_log');

    const impostor = await memoryLog(ORIGIN); // same origin, another key
    await impostor.append('x');
    const forged = await w.add(formatAddCheckpoint({ oldSize: 0, proof: [], checkpoint: await impostor.checkpoint() }));
    expect(forged.status).toBe(403);

    const altered = (await log.checkpoint()).replace(`\n${log.size()}\n`, `\n${log.size() + 1}\n`);
    const tampered = await w.add(formatAddCheckpoint({ oldSize: 5, proof: [], checkpoint: altered }));
    expect(tampered.status).toBe(403);
  });

  it('answers 400 for an old size beyond the checkpoint and for a malformed body', async () => {
    const tooLarge = await w.add(formatAddCheckpoint({ oldSize: 99, proof: [], checkpoint: await log.checkpoint() }));
    expect(tooLarge.status).toBe(400);
    expect(JSON.parse(tooLarge.text).code).toBe('old_size_too_large');
    const malformed = await w.add('hello\n');
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.text).code).toBe('malformed_request');
  });

  it('at equal sizes cosigns the same root again but answers 409 for a different one', async () => {
    const same = await w.add(await body(5, 5));
    expect(same.status).toBe(200);
    const fork = await memoryLog(ORIGIN, log.signerKey);
    await fork.append('a', 'b', 'c', 'd', 'E');
    const different = await w.add(formatAddCheckpoint({ oldSize: 5, proof: [], checkpoint: await fork.checkpoint() }));
    expect(different.status).toBe(409);
    expect(JSON.parse(different.text).code).toBe('root_mismatch');
  });

  it('of concurrent requests from the same old size, advances for exactly one; the others get 409', async () => {
    await log.append('g');
    await log.append('h');
    await log.append('i');
    const bodies = await Promise.all([body(5, 6), body(5, 7), body(5, 8)]);
    const results = await Promise.all(bodies.map((b) => w.add(b)));
    const ok = results.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    const stale = results.filter((r) => r.status === 409);
    expect(stale).toHaveLength(2);
    const winner = results.findIndex((r) => r.status === 200) + 6;
    for (const r of stale) expect(r.text).toBe(`${winner}\n`);
    expect((await w.add(await body(0))).text).toBe(`${winner}\n`);
  });
});
