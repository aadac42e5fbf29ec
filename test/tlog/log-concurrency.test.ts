/**
 * On real PostgreSQL: many concurrent writers (through the API and in raw transactions, some of
 * which roll back and leave holes in events.seq) while several integrators run in parallel, each
 * on its own connection pool as separate processes would. The result must be one gapless log
 * holding every committed event exactly once, whose every checkpoint is consistent with the one
 * before it.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesEqual } from '../../src/crypto/bytes.js';
import type { DatabaseHandle } from '../../src/db/database.js';
import { openPostgres } from '../../src/db/postgres.js';
import { recordEvent } from '../../src/features/events/events.repo.js';
import { openCheckpoint } from '../../src/features/tlog/checkpoint.js';
import { integrateLog } from '../../src/features/tlog/integrate.js';
import { nodeReader } from '../../src/features/tlog/log.repo.js';
import { inThreadHasher, leafHash } from '../../src/features/tlog/merkle.js';
import { consistencyProof, treeRoot } from '../../src/features/tlog/proofs.js';
import { verifyConsistency } from '../../src/features/tlog/verify.js';
import { asTestAppRole } from '../support/app-role.js';
import { startTestApp, type TestApp } from '../support/harness.js';
import { world } from '../support/world.js';

const url = process.env.DATABASE_URL;

describe.runIf(url)('log under concurrency (PostgreSQL)', () => {
  let t: TestApp;
  const pools: DatabaseHandle[] = [];

  beforeAll(async () => {
    t = await startTestApp({ NOTICE_PERIOD: '0' });
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(t.deps.db);
    for (let i = 0; i < 3; i++) pools.push(await openPostgres({ url: asTestAppRole(url!), schema: rows[0]!.schema, max: 3 }));
  });
  afterAll(async () => {
    for (const pool of pools) await pool.close();
    await t?.close();
  });

  it('makes one gapless log of every committed event, each checkpoint consistent with the last', async () => {
    const w = world(t);
    const p = await w.platform();
    const off = await w.official();
    const accounts = await Promise.all(Array.from({ length: 4 }, () => w.account(p)));

    let writing = true;
    const integrators = [t.deps.db, ...pools.map((h) => h.db)].map(async (db, k) => {
      let runs = 0;
      // Small batches, so that integrators interleave many times with each other and with writers.
      while (writing || runs === 0) {
        await integrateLog({ ...t.deps, db }, { batchSize: 5 + k * 3, maxBatches: 3 });
        runs++;
      }
      return runs;
    });

    const apiWriters = accounts.flatMap((acc, i) =>
      Array.from({ length: 3 }, (_, j) => w.registeredAsset(p, off, acc, { title: `Work ${i}.${j}` })),
    );
    const rawWriters = Array.from({ length: 40 }, (_, i) =>
      t.deps.db
        .transaction()
        .execute(async (trx) => {
          for (let k = 0; k < 3; k++) await recordEvent(trx, { type: 'test.concurrent', at: new Date(), facts: { i, k } });
          if (i % 4 === 0) throw new Error('rolled back on purpose');
        })
        .catch((err: Error) => {
          if (err.message !== 'rolled back on purpose') throw err;
        }),
    );
    await Promise.all([...apiWriters, ...rawWriters]);
    writing = false;
    const runs = await Promise.all(integrators);
    expect(runs.every((r) => r > 0)).toBe(true);
    await integrateLog(t.deps);

    // Every committed event exactly once, indices 0..n-1, nothing left queued.
    const events = await t.deps.db.selectFrom('events').select(['seq', 'entry']).orderBy('seq').execute();
    const leaves = await t.deps.db.selectFrom('log_leaves').select(['index', 'event_seq']).orderBy('index').execute();
    expect(events.filter((e) => e.entry.includes('"type":"test.concurrent"'))).toHaveLength(30 * 3);
    expect(leaves.map((l) => Number(l.index))).toEqual(events.map((_, i) => i));
    expect(leaves.map((l) => l.event_seq).sort((a, b) => (a < b ? -1 : 1))).toEqual(events.map((e) => e.seq));
    expect(await t.deps.db.selectFrom('log_queue').select('event_seq').execute()).toEqual([]);

    // Each leaf hash is the hash of its event's entry.
    const read = nodeReader(t.deps.db);
    const bySeq = new Map(events.map((e) => [e.seq, e.entry]));
    const hashes = await read(leaves.map((l) => ({ level: 0, index: Number(l.index) })));
    for (const [i, l] of leaves.entries()) {
      expect(bytesEqual(hashes[i]!, await leafHash(new TextEncoder().encode(bySeq.get(l.event_seq)!)))).toBe(true);
    }

    // Every checkpoint verifies, matches the stored tree at its size, and extends the one before.
    const vkey = t.deps.tlogSigner!.verifierKey;
    const checkpoints = await t.deps.db.selectFrom('log_checkpoints').select(['size', 'note']).orderBy('size').execute();
    expect(checkpoints.length).toBeGreaterThan(5);
    expect(Number(checkpoints.at(-1)!.size)).toBe(events.length);
    let previous: { size: number; rootHash: Uint8Array } | undefined;
    for (const row of checkpoints) {
      const cp = await openCheckpoint(row.note, vkey, { origin: t.deps.tlogSigner!.name });
      expect(cp.size).toBe(Number(row.size));
      expect(bytesEqual(await treeRoot(read, cp.size, inThreadHasher), cp.rootHash)).toBe(true);
      if (previous && previous.size > 0) {
        const proof = await consistencyProof(read, previous.size, cp.size, inThreadHasher);
        expect(
          await verifyConsistency(previous.size, cp.size, proof, previous.rootHash, cp.rootHash),
          `${previous.size} → ${cp.size}`,
        ).toBe(true);
      }
      previous = cp;
    }
  });
});
