/**
 * The database as the log's last line of defence: append-only, gapless, checkpoints that cover
 * exactly the stored leaves; and an integrator that refuses to sign when storage disagrees with
 * what it signed before. Runs on PGlite and on PostgreSQL (DATABASE_URL).
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.js';
import { recordEvent } from '../../src/features/events/events.repo.js';
import { integrateLog, LogIntegrityError } from '../../src/features/tlog/integrate.js';
import { generateSignerKey, parseSignerKey } from '../../src/features/tlog/note.js';
import { MemoryLogger } from '../../src/ports/logger.js';
import { runAsOwner } from '../support/app-role.js';
import { startTestApp, TEST_LOG_ORIGIN, type TestApp } from '../support/harness.js';

let t: TestApp;
let db: Db;

async function addEvents(n: number) {
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < n; i++) await recordEvent(trx, { type: 'test.synthetic', at: new Date(), facts: { i } });
  });
}

// On PostgreSQL the application role's missing privileges refuse rewrites before the triggers do.
async function refused(statement: string) {
  await expect(sql.raw(statement).execute(db), statement).rejects.toThrow(/append-only|gap|checkpoint size|permission denied/);
}

async function checkpointSizes() {
  return (await db.selectFrom('log_checkpoints').select('size').orderBy('size').execute()).map((r) => Number(r.size));
}

beforeAll(async () => {
  t = await startTestApp();
  db = t.deps.db;
});
afterAll(async () => t?.close());

describe('log storage', () => {
  it('signs the empty tree first, so the log has a checkpoint before its first event', async () => {
    expect(await integrateLog(t.deps)).toEqual({ integrated: 0, size: 0, checkpoints: 1 });
    expect((await t.call('GET', '/log/checkpoint')).text).toMatch(
      new RegExp(`^${TEST_LOG_ORIGIN}\\n0\\n47DEQpj8HBSa\\+/TImW\\+5JCeuQeRkm5NMpJWZG3hSuFU=\\n\\n— `),
    );
    await addEvents(300);
    expect(await integrateLog(t.deps, { batchSize: 128 })).toEqual({ integrated: 300, size: 300, checkpoints: 3 });
    expect(await checkpointSizes()).toEqual([0, 128, 256, 300]);
  });

  it('refuses UPDATE, DELETE and TRUNCATE of leaves, nodes, checkpoints and events', async () => {
    for (const table of ['log_leaves', 'log_nodes', 'log_checkpoints', 'events']) {
      const col = table === 'log_nodes' ? 'level' : table === 'log_checkpoints' ? 'size' : table === 'events' ? 'seq' : 'index';
      await refused(`update ${table} set ${col} = ${col}`);
      await refused(`delete from ${table}`);
      await expect(sql.raw(`truncate ${table} cascade`).execute(db), `truncate ${table}`).rejects.toThrow(
        /append-only|permission denied/,
      );
    }
    expect(await checkpointSizes()).toEqual([0, 128, 256, 300]);
    expect(Number((await sql<{ n: number }>`select count(*)::int as n from log_leaves`.execute(db)).rows[0]!.n)).toBe(300);
  });

  it('refuses a gap in the indices and a checkpoint that does not cover exactly the leaves', async () => {
    await addEvents(1);
    const seq = (await db.selectFrom('log_queue').select('event_seq').executeTakeFirstOrThrow()).event_seq;
    await refused(`insert into log_leaves (index, event_seq) values (301, ${seq})`);
    const root = `'\\x${'00'.repeat(32)}'::bytea`;
    await refused(`insert into log_checkpoints (size, root_hash, note, created_at) values (299, ${root}, 'x', now())`);
    await refused(`insert into log_checkpoints (size, root_hash, note, created_at) values (301, ${root}, 'x', now())`);
    await refused(`insert into log_checkpoints (size, root_hash, note, created_at) values (300, ${root}, 'x', now())`);
    expect(await integrateLog(t.deps)).toMatchObject({ integrated: 1, size: 301 });
  });

  it('refuses loudly to sign when a stored hash no longer gives the signed root', async () => {
    const original = await db
      .selectFrom('log_nodes')
      .select('hash')
      .where('level', '=', 8)
      .where('index', '=', 0n)
      .executeTakeFirstOrThrow();
    // What an operator owning the tables (or a disk) could do behind the triggers' back.
    const setHash = async (hex: string) => {
      await runAsOwner(
        db,
        'alter table log_nodes disable trigger log_nodes_append_only',
        `update log_nodes set hash = '\\x${hex}' where level = 8 and index = 0`,
        'alter table log_nodes enable trigger log_nodes_append_only',
      );
    };
    await setHash('ab'.repeat(32));
    await addEvents(2);
    const logger = new MemoryLogger();
    await expect(integrateLog({ ...t.deps, log: logger })).rejects.toBeInstanceOf(LogIntegrityError);
    expect(logger.lines).toEqual([expect.objectContaining({ level: 'error', msg: 'transparency log: refusing to sign' })]);
    expect((await checkpointSizes()).at(-1)).toBe(301);
    expect(await db.selectFrom('log_queue').select('event_seq').execute()).toHaveLength(2); // nothing lost

    await setHash(Buffer.from(original.hash).toString('hex'));
    expect(await integrateLog(t.deps)).toMatchObject({ integrated: 2, size: 303 });
  });

  it('refuses to sign with a key other than the one that signed the log so far', async () => {
    await addEvents(1);
    const other = await parseSignerKey(await generateSignerKey(TEST_LOG_ORIGIN));
    await expect(integrateLog({ ...t.deps, tlogSigner: other, log: new MemoryLogger() })).rejects.toThrow(
      /not signed by the configured key/,
    );
    await expect(integrateLog({ ...t.deps, tlogSigner: undefined })).rejects.toThrow(/TLOG_SIGNING_KEY/);
    expect(await integrateLog(t.deps)).toMatchObject({ integrated: 1, size: 304 });
  });
});
