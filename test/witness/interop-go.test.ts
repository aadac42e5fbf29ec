/**
 * Interop: a checkpoint this log signed and real witnesses cosigned verifies with an independent
 * implementation — Go's golang.org/x/mod/sumdb/note for the log's signature, and a cosignature/v1
 * check written from the C2SP tlog-cosignature text in Go (test/witness/interop/main.go) — and a
 * tampered one does not. Needs Debian's golang-go and golang-golang-x-mod-dev (no module
 * download): skipped on a machine without `go` unless CI is set, where a missing `go` fails.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvent } from '../../src/features/events/events.repo.js';
import { collectCosignatures } from '../../src/features/tlog/cosign.service.js';
import { integrateLog } from '../../src/features/tlog/integrate.js';
import { generateSignerKey, verifierKeyFromSigner } from '../../src/features/tlog/note.js';
import { parseTlogProof } from '../../src/features/tlog/tlog-proof.js';
import { startTestApp, TEST_LOG_ORIGIN, type TestApp } from '../support/harness.js';
import { startWitness, type TestWitness } from '../support/witness.js';

const ROOT = new URL('../..', import.meta.url).pathname;
/** Where Debian's golang-golang-x-mod-dev puts golang.org/x/mod: built in GOPATH mode, offline. */
const GO_ENV = {
  GO111MODULE: 'off',
  GOPATH: '/usr/share/gocode',
  GOPROXY: 'off',
  GOFLAGS: '',
  GOTOOLCHAIN: 'local',
  // A CI shell may have no HOME, where go keeps its build cache by default.
  GOCACHE: process.env.GOCACHE ?? join(tmpdir(), 'haipai-go-build-cache'),
};
const goAvailable = spawnSync('go', ['version']).status === 0;

let dir: string;
let binary: string;
let t: TestApp;
let vkey: string;
const witnesses: TestWitness[] = [];

/** Runs the Go checker on `note` (its stdin); exit code and output. */
function goCheck(note: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = execFile(binary, args, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}`.trim() });
    });
    child.stdin!.end(note);
  });
}

const witnessArgs = () => witnesses.flatMap((w) => ['-witness', w.cosigner.verifierKey]);

describe.skipIf(!goAvailable && !process.env.CI)('interop with Go (sumdb/note and a cosignature/v1 check from the spec)', () => {
  beforeAll(async () => {
    if (!goAvailable) return;
    dir = await mkdtemp(join(tmpdir(), 'haipai-interop-'));
    binary = join(dir, 'interop');
    const build = spawnSync('go', ['build', '-o', binary, './test/witness/interop/main.go'], {
      cwd: ROOT,
      env: { ...process.env, ...GO_ENV },
      encoding: 'utf8',
    });
    if (build.status !== 0) throw new Error(`go build failed:\n${build.stderr}`);

    const logKey = await generateSignerKey(TEST_LOG_ORIGIN);
    vkey = await verifierKeyFromSigner(logKey);
    const entries = [];
    for (const name of ['ipoffice.example/witness', 'court.example/witness']) {
      const w = await startWitness({ name, logKeys: [vkey] });
      witnesses.push(w);
      entries.push({ url: await w.listen(), key: w.cosigner.verifierKey });
    }
    t = await startTestApp({ TLOG_SIGNING_KEY: logKey, TLOG_WITNESSES: JSON.stringify(entries) });
  }, 240_000); // go build, an app and two witnesses
  afterAll(async () => {
    await t?.close();
    for (const w of witnesses) await w.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('go is installed (CI must not skip this file)', () => {
    expect(goAvailable, 'install golang-go and golang-golang-x-mod-dev (.ci/run does)').toBe(true);
  });

  it('a checkpoint cosigned by the real witnesses verifies: log signature with sumdb/note, each cosignature from the spec', async () => {
    for (const what of ['a', 'b', 'c']) {
      await t.deps.db
        .transaction()
        .execute((trx) => recordEvent(trx, { type: 'platform.created', at: new Date(), facts: { what } }));
    }
    const { size } = await integrateLog(t.deps);
    expect(await collectCosignatures(t.deps)).toMatchObject({ size, cosigned: 2, quorum: 2 });
    const note = (await t.call('GET', '/log/checkpoint')).text;

    const ok = await goCheck(note, ['-log', vkey, ...witnessArgs()]);
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out).toContain(`log signature ok: ${TEST_LOG_ORIGIN}`);
    for (const w of witnesses) {
      const id = w.cosigner.keyId.toString(16).padStart(8, '0');
      expect(ok.out).toMatch(new RegExp(`cosignature ok: ${w.cosigner.name} ${id} time \\d+`));
    }
    expect(ok.out).toContain('quorum met: 2 of 2 (need 2)');

    // The checkpoint inside an entry's tlog-proof (what certificates and `npm run verify` read)
    // is the same cosigned note, and verifies the same way.
    const proof = parseTlogProof((await t.call('GET', '/v1/log/entries/0/tlog-proof')).text);
    expect(proof.checkpoint).toBe(note);
    expect((await goCheck(proof.checkpoint, ['-log', vkey, ...witnessArgs()])).code).toBe(0);
  });

  it('refuses a tampered cosignature, a tampered checkpoint body and an unknown witness key', async () => {
    const note = (await t.call('GET', '/log/checkpoint')).text;
    const [body, sigs] = note.split('\n\n') as [string, string];
    const lines = sigs.trimEnd().split('\n');
    const cosignatureIndex = lines.findIndex((l) => l.startsWith(`— ${witnesses[0]!.cosigner.name} `));
    expect(cosignatureIndex).toBeGreaterThan(0);

    // Change the cosignature's timestamp (bytes 4..12 of the blob): the signed message no longer matches.
    const blob = Buffer.from(lines[cosignatureIndex]!.split(' ')[2]!, 'base64');
    blob.writeBigUInt64BE(blob.readBigUInt64BE(4) + 1n, 4);
    const forgedLines = [...lines];
    forgedLines[cosignatureIndex] = `— ${witnesses[0]!.cosigner.name} ${blob.toString('base64')}`;
    const forgedCosignature = `${body}\n\n${forgedLines.join('\n')}\n`;
    const bad = await goCheck(forgedCosignature, ['-log', vkey, ...witnessArgs()]);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain(`cosignature missing or invalid: ${witnesses[0]!.cosigner.name}`);
    expect(bad.out).toContain('FAIL: 1 valid cosignature(s), quorum 2');
    // With a 1-of-2 policy the other witness's untouched cosignature still carries it.
    expect((await goCheck(forgedCosignature, ['-log', vkey, ...witnessArgs(), '-quorum', '1'])).code).toBe(0);

    // Change the root hash: sumdb/note refuses the log's signature.
    const [origin, size, root] = body.split('\n') as [string, string, string];
    const otherRoot = Buffer.from(root, 'base64');
    otherRoot[0]! ^= 1;
    const forgedBody = `${origin}\n${size}\n${otherRoot.toString('base64')}\n\n${sigs}`;
    const refused = await goCheck(forgedBody, ['-log', vkey, ...witnessArgs()]);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/^FAIL: log signature: /);

    // A witness key this checkpoint was never cosigned with (same name, another key): not counted.
    const stranger = await startWitness({ name: witnesses[0]!.cosigner.name, logKeys: [vkey] });
    try {
      const unknown = await goCheck(note, ['-log', vkey, '-witness', stranger.cosigner.verifierKey]);
      expect(unknown.code).toBe(1);
      expect(unknown.out).toContain('FAIL: 0 valid cosignature(s), quorum 1');
    } finally {
      await stranger.close();
    }
  });
});
