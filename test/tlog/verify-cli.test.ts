/**
 * `npm run verify` end to end: the real CLI as a child process against the app served over real
 * HTTP. It must accept the honest log and proofs, and reject each kind of tampering an operator
 * could try behind the database's triggers.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvent } from '../../src/features/events/events.repo.js';
import { signCheckpoint } from '../../src/features/tlog/checkpoint.js';
import { integrateLog } from '../../src/features/tlog/integrate.js';
import { generateSignerKey, verifierKeyFromSigner } from '../../src/features/tlog/note.js';
import { runAsOwner } from '../support/app-role.js';
import { startTestApp, type TestApp } from '../support/harness.js';
import { world } from '../support/world.js';

const run = promisify(execFile);
let t: TestApp;
let server: ReturnType<typeof serve>;
let base: string;
let dir: string;
let vkey: string;

async function verify(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/verify.ts', ...args], { cwd: process.cwd() });
    return { code: 0, out: stdout.trim() };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: `${e.stdout}${e.stderr}`.trim() };
  }
}

async function addEvents(n: number) {
  await t.deps.db.transaction().execute(async (trx) => {
    for (let i = 0; i < n; i++) await recordEvent(trx, { type: 'test.synthetic', at: new Date(), facts: { i } });
  });
  await integrateLog(t.deps);
}

/** Changes a stored row the way an operator owning the tables could, bypassing the trigger. */
async function behindTheTrigger<T>(table: string, trigger: string, statement: string, body: () => Promise<T>): Promise<T> {
  await runAsOwner(
    t.deps.db,
    `alter table ${table} disable trigger ${trigger}`,
    statement,
    `alter table ${table} enable trigger ${trigger}`,
  );
  return body();
}

beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '0' });
  const w = world(t);
  const p = await w.platform();
  const off = await w.official();
  const acc = await w.account(p);
  const asset = await w.registeredAsset(p, off, acc);
  await w.mint(p, (await w.edition(p, asset.id, 5)).id, 2);
  await addEvents(300); // past one full tile, so level 1 has a tile too
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve(info.port));
  });
  base = `http://127.0.0.1:${port}`;
  dir = await mkdtemp(join(tmpdir(), 'haipai-verify-'));
  vkey = (await (await fetch(`${base}/log/vkey`)).text()).trim();
}, 180_000);

afterAll(async () => {
  server?.close();
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('npm run verify', () => {
  it('audits the whole log over HTTP, then proves consistency with the saved checkpoint', async () => {
    const state = join(dir, 'state');
    const first = await verify('--log', base, '--vkey', vkey, '--state', state);
    expect(first, first.out).toMatchObject({ code: 0 });
    expect(first.out).toMatch(/^OK: log test\.haipai\.example\/log at size \d+, .* no saved checkpoint yet/);
    const saved = await readFile(state, 'utf8');

    await addEvents(20);
    const second = await verify('--log', `${base}/log/`, '--vkey', vkey, '--state', state);
    expect(second.code, second.out).toBe(0);
    const size = Number(saved.split('\n')[1]);
    expect(second.out).toContain(`consistent with the saved checkpoint of size ${size}`);
    expect(await readFile(state, 'utf8')).not.toBe(saved);
  });

  it('rejects a saved checkpoint the log is not consistent with (a fork), and a wrong key', async () => {
    const forked = join(dir, 'forked');
    const note = await signCheckpoint(
      { origin: t.deps.tlogSigner!.name, size: 100, rootHash: new Uint8Array(32).fill(7) },
      t.deps.tlogSigner!,
    );
    await writeFile(forked, note);
    const res = await verify('--log', base, '--vkey', vkey, '--state', forked);
    expect(res.code).toBe(1);
    expect(res.out).toMatch(/NOT VERIFIED: .*not consistent with the saved checkpoint of size 100/);

    const otherKey = await verifierKeyFromSigner(await generateSignerKey(t.deps.tlogSigner!.name));
    const wrong = await verify('--log', base, '--vkey', otherKey);
    expect(wrong.code).toBe(1);
    expect(wrong.out).toMatch(/NOT VERIFIED: the note is not signed by any trusted key/);
  });

  it('rejects the log when an entry or a hash was altered in storage', async () => {
    const leaf = await t.deps.db.selectFrom('log_leaves').select('event_seq').where('index', '=', 20n).executeTakeFirstOrThrow();
    const setType = (from: string, to: string) =>
      `update events set entry = replace(entry, '"type":"${from}"', '"type":"${to}"') where seq = ${leaf.event_seq}`;
    const entry = await behindTheTrigger('events', 'events_append_only', setType('test.synthetic', 'test.forged'), () =>
      verify('--log', base, '--vkey', vkey),
    );
    expect(entry.code).toBe(1);
    expect(entry.out).toBe("NOT VERIFIED: tile/0/000: hash 20 does not match what the log's entries give");
    await behindTheTrigger('events', 'events_append_only', setType('test.forged', 'test.synthetic'), async () => {});
    expect((await verify('--log', base, '--vkey', vkey)).code).toBe(0);

    const node = await t.deps.db
      .selectFrom('log_nodes')
      .select('hash')
      .where('level', '=', 8)
      .where('index', '=', 0n)
      .executeTakeFirstOrThrow();
    const tile = await behindTheTrigger(
      'log_nodes',
      'log_nodes_append_only',
      `update log_nodes set hash = '\\x${'cd'.repeat(32)}' where level = 8 and index = 0`,
      () => verify('--log', base, '--vkey', vkey),
    );
    expect(tile.code).toBe(1);
    expect(tile.out).toContain('NOT VERIFIED: tile/1/000.p/1: hash 0 does not match');
    await behindTheTrigger(
      'log_nodes',
      'log_nodes_append_only',
      `update log_nodes set hash = '\\x${Buffer.from(node.hash).toString('hex')}' where level = 8 and index = 0`,
      async () => {},
    );
  });

  it('verifies a downloaded .tlog-proof offline, with the entry inside or given as a file', async () => {
    const res = await fetch(`${base}/v1/log/entries/3/tlog-proof`);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="3.tlog-proof"');
    const proof = join(dir, '3.tlog-proof');
    await writeFile(proof, await res.text());
    const keyFile = join(dir, 'vkey');
    await writeFile(keyFile, `${vkey}\n`);
    const entry = (await (await fetch(`${base}/v1/log/entries/3`)).json()) as { entry: string; eventId: string };

    const ok = await verify(proof, '--vkey', keyFile);
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out).toMatch(
      new RegExp(
        `^OK: the entry in the proof is at index 3 of test\\.haipai\\.example/log, tree size \\d+, .*: event ${entry.eventId} \\(`,
      ),
    );

    const entryFile = join(dir, 'entry');
    await writeFile(entryFile, entry.entry);
    expect((await verify(proof, '--vkey', vkey, '--entry', entryFile)).code).toBe(0);

    await writeFile(entryFile, entry.entry.replace(entry.eventId, 'evt_01JABCDEFGHJKMNPQRSTVWXYZ1'));
    const wrongEntry = await verify(proof, '--vkey', vkey, '--entry', entryFile);
    expect(wrongEntry.code).toBe(1);
    expect(wrongEntry.out).toMatch(/NOT VERIFIED: the proof does not place this entry at index 3/);

    const text = await readFile(proof, 'utf8');
    const lines = text.split('\n');
    const hashLine = lines.findIndex((l) => l.startsWith('index ')) + 1;
    lines[hashLine] = lines[hashLine]!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    await writeFile(proof, lines.join('\n'));
    expect((await verify(proof, '--vkey', vkey)).code).toBe(1);
    await writeFile(
      proof,
      text.replace(/\n(\d+)\n/, (_, n) => `\n${Number(n) + 1}\n`),
    );
    const resized = await verify(proof, '--vkey', vkey);
    expect(resized.code).toBe(1);
    expect(resized.out).toMatch(/NOT VERIFIED: .*signature/);

    expect((await verify(proof)).code).toBe(2);
  });
});
