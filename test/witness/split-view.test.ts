/**
 * A split view: the operator forks the log (a second log with the same key and origin but a
 * different history) and shows the fork to someone. The witnesses that cosigned the real log
 * refuse the fork's checkpoint, so a verifier requiring 2 of 3 witnesses accepts the real proof
 * and refuses the fork's, even though both are validly signed by the log key.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvent } from '../../src/features/events/events.repo.js';
import { formatAddCheckpoint } from '../../src/features/tlog/add-checkpoint.js';
import { collectCosignatures } from '../../src/features/tlog/cosign.service.js';
import { parseCosignatureVerifierKey, type WitnessPolicy } from '../../src/features/tlog/cosignature.js';
import { integrateLog } from '../../src/features/tlog/integrate.js';
import { generateSignerKey, verifierKeyFromSigner } from '../../src/features/tlog/note.js';
import { TlogError } from '../../src/features/tlog/tlog-error.js';
import { parseTlogProof, verifyTlogProof } from '../../src/features/tlog/tlog-proof.js';
import type { MemoryLogger } from '../../src/ports/logger.js';
import { startTestApp, TEST_LOG_ORIGIN, type TestApp } from '../support/harness.js';
import { startWitness, type TestWitness } from '../support/witness.js';
import { independentCosignatureCheck, independentNoteSignatureCheck } from './cosignature-independent.js';

let logKey: string;
let vkey: string;
const witnesses: TestWitness[] = [];
const urls: string[] = [];
let real: TestApp;
let fork: TestApp;
let policy: WitnessPolicy;

async function verifyCli(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/verify.ts', ...args]);
    return { code: 0, out: stdout.trim() };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: `${e.stdout}${e.stderr}`.trim() };
  }
}

/** One log entry: an event as the registry writes them, inside a transaction. */
const logEvent = (t: TestApp, what: string) =>
  t.deps.db.transaction().execute((trx) => recordEvent(trx, { type: 'platform.created', at: new Date(), facts: { what } }));

const entry = (w: TestWitness, i: number) => ({ url: urls[i]!, key: w.cosigner.verifierKey });

async function proofOf(t: TestApp, index: number) {
  const res = await t.call('GET', `/v1/log/entries/${index}/tlog-proof`);
  expect(res.status).toBe(200);
  return res.text;
}

async function verifyWithPolicy(proof: string) {
  return verifyTlogProof(proof, vkey, { entry: parseTlogProof(proof).extra! }, { origin: TEST_LOG_ORIGIN, witnesses: policy });
}

beforeAll(async () => {
  logKey = await generateSignerKey(TEST_LOG_ORIGIN);
  vkey = await verifierKeyFromSigner(logKey);
  for (const name of ['ipoffice.example/witness', 'exchange.example/witness', 'court.example/witness']) {
    const w = await startWitness({ name, logKeys: [vkey] });
    witnesses.push(w);
    urls.push(await w.listen());
  }
  policy = { witnesses: await Promise.all(witnesses.map((w) => parseCosignatureVerifierKey(w.cosigner.verifierKey))), quorum: 2 };
  // The real log asks the IP office and the exchange; the court's witness never hears of it.
  real = await startTestApp({
    TLOG_SIGNING_KEY: logKey,
    TLOG_WITNESSES: JSON.stringify([entry(witnesses[0]!, 0), entry(witnesses[1]!, 1)]),
  });
  // The fork: same key, same origin, its own database; it asks all three.
  fork = await startTestApp({
    TLOG_SIGNING_KEY: logKey,
    TLOG_WITNESSES: JSON.stringify(witnesses.map(entry)),
    TLOG_WITNESS_QUORUM: '2',
  });
});
afterAll(async () => {
  await real?.close();
  await fork?.close();
  for (const w of witnesses) await w.close();
});

describe('split view', () => {
  it('the real log collects cosignatures, resending from the size a witness reports in its 409', async () => {
    await logEvent(real, 'real 1');
    await integrateLog(real.deps);
    // Someone else (a monitor relaying the checkpoint) brought the IP office's witness up to date
    // first, so the log's first request, from old size 0, gets a 409 and must resend.
    const note = (await real.call('GET', '/log/checkpoint')).text;
    const relayed = await witnesses[0]!.add(formatAddCheckpoint({ oldSize: 0, proof: [], checkpoint: note }));
    expect(relayed.status).toBe(200);

    const result = await collectCosignatures(real.deps);
    expect(result).toMatchObject({ cosigned: 2, quorum: 2 });
    const res = await real.call('GET', '/log/checkpoint');
    expect(res.headers.get('haipai-witness-cosignatures')).toBe('2');
    expect(res.headers.get('haipai-witness-quorum-met')).toBe('true');
    const lines = res.text.split('\n\n')[1]!.trimEnd().split('\n');
    expect(lines).toHaveLength(3); // the log's signature and two cosignatures
    // The log's own signature still verifies with the cosignatures appended (signed-note readers skip them).
    expect(independentNoteSignatureCheck(vkey, res.text)).toBe(true);
    for (const w of witnesses.slice(0, 2)) {
      const checked = lines.slice(1).map((line) => independentCosignatureCheck(w.cosigner.verifierKey, res.text, line));
      expect(checked.filter((t) => t !== null)).toHaveLength(1);
    }
  });

  it('a new checkpoint is cosigned from the previous one by a consistency proof', async () => {
    await logEvent(real, 'real 2');
    const { size } = await integrateLog(real.deps);
    expect(await collectCosignatures(real.deps)).toMatchObject({ size, cosigned: 2 });
    const proof = await proofOf(real, 0);
    const verified = await verifyWithPolicy(proof);
    expect(verified.checkpoint.size).toBe(size);
    expect(verified.cosignatures!.map((c) => c.name).sort()).toEqual(['exchange.example/witness', 'ipoffice.example/witness']);
  });

  it("the witnesses that saw the real log refuse the fork's checkpoint; the verifier refuses the fork's proof", async () => {
    const before = await Promise.all(
      witnesses.map((w) => sql<{ size: bigint }>`select size from witness_checkpoints`.execute(w.db.db)),
    );
    // A longer, different history under the same key and origin.
    for (const what of ['forged 1', 'forged 2', 'forged 3']) await logEvent(fork, what);
    const { size } = await integrateLog(fork.deps);
    expect(size).toBeGreaterThanOrEqual(Number(before[0]!.rows[0]!.size));

    const result = await collectCosignatures(fork.deps);
    expect(result.cosigned).toBe(1); // only the court's witness, which never saw the real log
    const errors = (fork.deps.log as MemoryLogger).lines.filter((l) => l.msg === 'witness refused the checkpoint');
    expect(errors.map((e) => [e.fields?.witness, e.fields?.status]).sort()).toEqual([
      ['exchange.example/witness', 422],
      ['ipoffice.example/witness', 422],
    ]);
    // Their state still holds the real log's checkpoint, and the refusal is kept as evidence.
    for (const i of [0, 1]) {
      const now = await sql<{ size: bigint }>`select size from witness_checkpoints`.execute(witnesses[i]!.db.db);
      expect(now.rows[0]!.size).toBe(before[i]!.rows[0]!.size);
      const refusals = await sql<{ n: number }>`select count(*)::int as n from witness_refusals`.execute(witnesses[i]!.db.db);
      expect(refusals.rows[0]!.n).toBe(1);
    }

    const res = await fork.call('GET', '/log/checkpoint');
    expect(res.headers.get('haipai-witness-cosignatures')).toBe('1');
    expect(res.headers.get('haipai-witness-quorum-met')).toBe('false');

    const forged = await proofOf(fork, 0);
    const refusal = await verifyWithPolicy(forged).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(TlogError);
    expect((refusal as TlogError).code).toBe('witness_quorum_not_met');
    // Without a witness policy the forged proof would pass: the log key alone cannot tell.
    await expect(verifyTlogProof(forged, vkey, { entry: parseTlogProof(forged).extra! })).resolves.toBeTruthy();
    // The real log's proof still meets the policy.
    await expect(verifyWithPolicy(await proofOf(real, 0))).resolves.toBeTruthy();

    // The same verdicts from `npm run verify` with the policy on its command line.
    const dir = await mkdtemp(join(tmpdir(), 'haipai-split-'));
    try {
      await writeFile(join(dir, 'real.tlog-proof'), await proofOf(real, 0));
      await writeFile(join(dir, 'forged.tlog-proof'), forged);
      const policyArgs = [...witnesses.flatMap((w) => ['--witness', w.cosigner.verifierKey]), '--quorum', '2'];
      const ok = await verifyCli(join(dir, 'real.tlog-proof'), '--vkey', vkey, ...policyArgs);
      expect(ok.code, ok.out).toBe(0);
      expect(ok.out).toMatch(/cosigned by 2 of 3 witnesses/);
      const refused = await verifyCli(join(dir, 'forged.tlog-proof'), '--vkey', vkey, ...policyArgs);
      expect(refused.code).toBe(1);
      expect(refused.out).toMatch(/^NOT VERIFIED: the checkpoint has 1 valid cosignature/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
