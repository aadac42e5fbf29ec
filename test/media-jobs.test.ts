import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { type KyselyPlugin, sql, TableNode } from 'kysely';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/database.js';
import { openPostgres } from '../src/db/postgres.js';
import { claimMediaJob, failJob, markJobDone } from '../src/features/media/jobs.repo.js';
import { loadMedia, presentFileMedia } from '../src/features/media/media.present.js';
import type { BlobStore } from '../src/ports/blob-store.js';
import { systemClock } from '../src/ports/clock.js';
import { MemoryLogger } from '../src/ports/logger.js';
import { parseMediaWorkerConfig } from '../workers/media/config.js';
import { type MediaWorkerDeps, processNextJob, startMediaWorker } from '../workers/media/worker.js';
import { sceneSvg } from './media-fixtures.js';
import { appRoleUrl, asTestAppRole } from './support/app-role.js';
import { OPERATOR_KEY, startTestApp, type TestApp } from './support/harness.js';
import { world } from './support/world.js';

// The job queue's lifecycle: retries with backoff, dead letters with their reason, leases that
// outlive a dead worker, and workers sharing one queue — on PGlite, and on PostgreSQL with
// DATABASE_URL (where the workers are separate connection pools, and one is a real process).
let t: TestApp;
let w: ReturnType<typeof world>;
let p: { key: string; account: string };

beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '0', MEDIA_SUBMIT_WAIT: '0' });
  w = world(t);
  const platform = await w.platform('Queue');
  p = { ...platform, account: await w.account(platform) };
});
afterAll(async () => t?.close());

const ROOT = new URL('..', import.meta.url).pathname;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function upload(bytes: Uint8Array, mediaType = 'image/png') {
  const created = w.ok(
    await t.call('POST', '/v1/uploads', {
      key: p.key,
      body: { accountId: p.account, mediaType, size: bytes.length, sha256: sha256(bytes) },
    }),
    201,
  );
  const put = await fetch(created.uploadUrl, { method: 'PUT', headers: created.headers, body: bytes as BodyInit });
  expect(put.status).toBe(200);
  w.ok(await t.call('POST', `/v1/uploads/${created.id}/complete`, { key: p.key }), 200);
  return { id: created.id as string, uploadUrl: created.uploadUrl as string };
}

const png = (seed: number, size = 64) =>
  sharp(sceneSvg(seed, size, size))
    .png()
    .toBuffer();
const job = (uploadId: string) =>
  t.deps.db.selectFrom('media_jobs').selectAll().where('upload_id', '=', uploadId).executeTakeFirstOrThrow();
const resultCount = async (uploadId: string) =>
  Number(
    (
      await t.deps.db
        .selectFrom('media_results')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('upload_id', '=', uploadId)
        .executeTakeFirstOrThrow()
    ).n,
  );

function deps(blobs: BlobStore = t.deps.blobs, log = new MemoryLogger()): MediaWorkerDeps {
  return { db: t.deps.db, blobs, clock: t.clock, log };
}

/** The real store, with reads of verified objects failing the first `failures` times (a storage outage). */
function storeWithOutage(failures: number): BlobStore & { reads: number } {
  const store = {
    ...t.deps.blobs,
    reads: 0,
    async read(key: string) {
      if (key.startsWith('blobs/') && store.reads++ < failures) throw new Error('storage unavailable: connection reset by peer');
      return t.deps.blobs.read(key);
    },
  };
  return store;
}

/** Run every due job with a healthy store, so each test starts with an empty queue. */
async function drain() {
  const cfg = parseMediaWorkerConfig({});
  while ((await processNextJob(deps(), cfg, 'drain')) !== 'empty') {}
}

describe('the media job queue', () => {
  it('writes the job in the same transaction as the completion', async () => {
    const { id } = await upload(await png(1));
    expect(await job(id)).toMatchObject({ status: 'queued', attempts: 0, lease_token: null, finished_at: null });
    await drain();
    expect(await job(id)).toMatchObject({ status: 'done', attempts: 1 });
  });

  it('a reader sees a job done only with its findings: the job is read, and only then its result', async () => {
    const { id } = await upload(await png(2));
    await drain();
    // The worker commits the job's status and its result together. A reader that read the result
    // before that commit and the job after it would show "done" with no findings (seen on
    // PostgreSQL under load), so the job's read must finish before the result's begins.
    const events: string[] = [];
    const tables = new Map<unknown, string>();
    const order: KyselyPlugin = {
      transformQuery({ node, queryId }) {
        const from = node.kind === 'SelectQueryNode' ? node.from?.froms[0] : undefined;
        const table = from && TableNode.is(from) ? from.table.identifier.name : node.kind;
        tables.set(queryId, table);
        events.push(`start ${table}`);
        return node;
      },
      async transformResult({ queryId, result }) {
        events.push(`end ${tables.get(queryId)}`);
        return result;
      },
    };
    const media = await loadMedia(t.deps.db.withPlugin(order), [id]);
    expect(events).toEqual(['start media_jobs', 'end media_jobs', 'start media_results', 'end media_results']);
    expect(presentFileMedia(id, media)).toMatchObject({ status: 'done', verdict: 'accepted', format: 'png' });
  });

  it('retries a failing job with exponential backoff, then dead-letters it with the reason; the operator can requeue it', async () => {
    const cfg = parseMediaWorkerConfig({ MEDIA_MAX_ATTEMPTS: '3', MEDIA_RETRY_BASE: '10', MEDIA_RETRY_MAX: '600' });
    const outage = storeWithOutage(Number.POSITIVE_INFINITY);
    const { id } = await upload(await png(2));

    expect(await processNextJob(deps(outage), cfg, 'w1')).toBe('retry');
    let row = await job(id);
    expect(row).toMatchObject({
      status: 'queued',
      attempts: 1,
      last_error: 'storage unavailable: connection reset by peer',
      dead_reason: null,
    });
    expect((row.due_at.getTime() - t.clock.now().getTime()) / 1000).toBeCloseTo(10, 0);
    expect(await processNextJob(deps(outage), cfg, 'w1')).toBe('empty'); // still backing off

    t.clock.advance(10);
    expect(await processNextJob(deps(outage), cfg, 'w1')).toBe('retry');
    row = await job(id);
    expect(row.attempts).toBe(2);
    expect((row.due_at.getTime() - t.clock.now().getTime()) / 1000).toBeCloseTo(20, 0); // doubled

    t.clock.advance(20);
    expect(await processNextJob(deps(outage), cfg, 'w1')).toBe('dead');
    row = await job(id);
    expect(row).toMatchObject({
      status: 'dead',
      attempts: 3,
      lease_token: null,
      dead_reason: 'gave up after 3 attempts: storage unavailable: connection reset by peer',
    });
    expect(row.finished_at).toBeInstanceOf(Date);
    t.clock.advance(3600);
    expect(await processNextJob(deps(), cfg, 'w1')).toBe('empty'); // dead letters are never picked up
    expect(await resultCount(id)).toBe(0);

    const dead = w.ok(await t.call('GET', '/v1/media/jobs?status=dead', { key: OPERATOR_KEY }), 200);
    expect(dead.data).toContainEqual(
      expect.objectContaining({ uploadId: id, status: 'dead', attempts: 3, deadReason: row.dead_reason }),
    );
    expect((await t.call('GET', '/v1/media/jobs', { key: p.key })).status).toBe(403);

    // A work with that file cannot be submitted until the analysis succeeds.
    const asset = w.ok(
      await t.call('POST', '/v1/assets', {
        key: p.key,
        body: w.assetBody(p.account, { files: [{ uploadId: id, purpose: 'preview' }] }),
      }),
      201,
    );
    expect(asset.media.files[0]).toMatchObject({ status: 'dead', verdict: null });
    const refused = await t.call('POST', `/v1/assets/${asset.id}/submit`, { key: p.key });
    expect(refused.body).toMatchObject({ status: 409, code: 'media_failed', uploadId: id });

    const requeued = w.ok(await t.call('POST', `/v1/media/jobs/${id}/retry`, { key: OPERATOR_KEY }), 200);
    expect(requeued).toMatchObject({ uploadId: id, status: 'queued', attempts: 0, deadReason: null });
    expect((await t.call('POST', `/v1/media/jobs/${id}/retry`, { key: OPERATOR_KEY })).body.code).toBe('job_not_dead');
    expect(await processNextJob(deps(), cfg, 'w1')).toBe('accepted');
    w.ok(await t.call('POST', `/v1/assets/${asset.id}/submit`, { key: p.key }), 200);
  });

  it('recovers from transient failures: the job succeeds on a later attempt and is written once', async () => {
    const cfg = parseMediaWorkerConfig({ MEDIA_MAX_ATTEMPTS: '5', MEDIA_RETRY_BASE: '1' });
    const outage = storeWithOutage(2);
    const { id } = await upload(await png(3));
    expect(await processNextJob(deps(outage), cfg, 'w1')).toBe('retry');
    t.clock.advance(1);
    expect(await processNextJob(deps(outage), cfg, 'w1')).toBe('retry');
    t.clock.advance(2);
    expect(await processNextJob(deps(outage), cfg, 'w1')).toBe('accepted');
    expect(await job(id)).toMatchObject({ status: 'done', attempts: 3 });
    expect(await resultCount(id)).toBe(1);
  });

  it('a worker that dies mid-job loses nothing: after its lease, another takes the job over and finishes it once', async () => {
    const cfg = parseMediaWorkerConfig({ MEDIA_JOB_LEASE: '60' });
    const { id } = await upload(await png(4));
    // The first worker claims the job and is never heard from again.
    const doomed = await claimMediaJob(t.deps.db, t.clock.now(), {
      workerId: 'doomed',
      leaseToken: 'doomed-lease',
      leaseSeconds: 60,
      maxAttempts: 5,
    });
    expect(doomed.kind).toBe('claimed');
    expect(await job(id)).toMatchObject({ status: 'running', attempts: 1, locked_by: 'doomed' });

    expect(await processNextJob(deps(), cfg, 'rescuer')).toBe('empty'); // the lease still holds
    t.clock.advance(61);
    expect(await processNextJob(deps(), cfg, 'rescuer')).toBe('accepted');
    const row = await job(id);
    expect(row).toMatchObject({ status: 'done', attempts: 2 });
    expect(row.last_error).toMatch(/attempt 1 did not finish within its lease/);

    // Should the first worker wake up after all, its lease token no longer lets it write.
    if (doomed.kind !== 'claimed') throw new Error('unreachable');
    expect(await t.deps.db.transaction().execute((trx) => markJobDone(trx, doomed.job, t.clock.now()))).toBe(false);
    expect(await failJob(t.deps.db, doomed.job, 'late', t.clock.now(), { maxAttempts: 5, retryBase: 1, retryMax: 1 })).toBeNull();
    expect(await resultCount(id)).toBe(1);
    expect(await job(id)).toMatchObject({ status: 'done', attempts: 2 });
  });

  it('a job whose last allowed attempt never finishes is dead-lettered, not run again', async () => {
    const cfg = parseMediaWorkerConfig({ MEDIA_MAX_ATTEMPTS: '1', MEDIA_JOB_LEASE: '30' });
    const { id } = await upload(await png(5));
    await claimMediaJob(t.deps.db, t.clock.now(), { workerId: 'doomed', leaseToken: 'x', leaseSeconds: 30, maxAttempts: 1 });
    t.clock.advance(31);
    expect(await processNextJob(deps(), cfg, 'rescuer')).toBe('dead');
    expect((await job(id)).dead_reason).toMatch(/gave up after 1 attempts: attempt 1 did not finish within its lease/);
    expect(await resultCount(id)).toBe(0);
    await t.deps.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('media_jobs')
        .set({ status: 'done', dead_reason: null, finished_at: t.clock.now() })
        .where('upload_id', '=', id)
        .execute();
    });
  });

  it('workers running in parallel never take the same job twice', async () => {
    await drain();
    const ids: string[] = [];
    for (let i = 0; i < 16; i++) ids.push((await upload(await png(100 + i, 96))).id);

    // On PostgreSQL the second worker has its own connection pool, like another process would.
    let other: { db: Db; close(): Promise<void> } | null = null;
    if (t.flavour === 'postgres') {
      const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(t.deps.db);
      other = await openPostgres({ url: asTestAppRole(process.env.DATABASE_URL!), schema: rows[0]!.schema, max: 4 });
    }
    const reads = new Map<string, number>();
    const counting: BlobStore = {
      ...t.deps.blobs,
      read: async (key) => {
        reads.set(key, (reads.get(key) ?? 0) + 1);
        return t.deps.blobs.read(key);
      },
    };
    const logs = [new MemoryLogger(), new MemoryLogger()];
    const cfg = parseMediaWorkerConfig({ MEDIA_CONCURRENCY: '3', MEDIA_POLL_INTERVAL: '0.02' });
    const workers = [
      startMediaWorker({ db: t.deps.db, blobs: counting, clock: t.clock, log: logs[0]! }, cfg, 'one'),
      startMediaWorker({ db: other?.db ?? t.deps.db, blobs: counting, clock: t.clock, log: logs[1]! }, cfg, 'two'),
    ];
    try {
      for (let i = 0; i < 600; i++) {
        const left = await t.deps.db
          .selectFrom('media_jobs')
          .select('upload_id')
          .where('upload_id', 'in', ids)
          .where('status', '<>', 'done')
          .execute();
        if (!left.length) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await Promise.all(workers.map((x) => x.stop()));
      await other?.close();
    }
    const done = logs.flatMap((l) =>
      l.lines.filter((line) => line.msg === 'media job done').map((line) => line.fields!.uploadId as string),
    );
    expect(done.sort()).toEqual([...ids].sort());
    expect(logs.every((l) => l.lines.some((line) => line.msg === 'media job done'))).toBe(true); // both took part
    for (const id of ids) {
      expect(await job(id)).toMatchObject({ status: 'done', attempts: 1 });
      expect(await resultCount(id)).toBe(1);
    }
    expect([...reads.values()].every((n) => n === 1)).toBe(true);
    expect(reads.size).toBe(ids.length);
  });

  it.runIf(process.env.DATABASE_URL)(
    'killing the media process mid-job loses nothing: the job is taken over after its lease and finishes once',
    async () => {
      await drain();
      const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(t.deps.db);
      // A 7000×5000 PNG: big enough that decoding it takes a while, within the 50 MP limit.
      const big = await sharp(sceneSvg(900, 7000, 5000))
        .png({ compressionLevel: 1 })
        .toBuffer();
      const { id, uploadUrl } = await upload(big);
      // The job is due by the test's clock, which earlier tests moved ahead; the child runs on real time.
      await t.deps.db.updateTable('media_jobs').set({ due_at: new Date() }).where('upload_id', '=', id).execute();
      const s3 = new URL(uploadUrl);
      // The media process connects as the application role, like the API's.
      const url = appRoleUrl(process.env.DATABASE_URL!, rows[0]!.schema);
      let out = '';
      const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'workers/media/main.ts'], {
        cwd: ROOT,
        env: {
          ...process.env,
          DATABASE_URL: url,
          S3_ENDPOINT: s3.origin,
          S3_BUCKET: s3.pathname.split('/')[1]!,
          S3_REGION: 'us-east-1',
          S3_ACCESS_KEY_ID: 'S3RVER',
          S3_SECRET_ACCESS_KEY: 'S3RVER',
          MEDIA_JOB_LEASE: '3',
          MEDIA_POLL_INTERVAL: '0.02',
          MEDIA_CONCURRENCY: '1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (c) => {
        out += c;
      });
      child.stderr!.on('data', (c) => {
        out += c;
      });
      const exited = new Promise((resolve) => child.on('exit', resolve));
      try {
        // Wait for the child to claim the job, then kill it without warning.
        for (let i = 0; i < 3000; i++) {
          const row = await job(id);
          if (row.status === 'running') break;
          if (row.status !== 'queued') throw new Error(`job ${row.status} before it could be killed:\n${out}`);
          await new Promise((r) => setTimeout(r, 10));
        }
        child.kill('SIGKILL');
        await exited;
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      const killed = await job(id);
      expect(killed, out).toMatchObject({ status: 'running', attempts: 1 });
      expect(killed.locked_by).toContain(`:${child.pid}:`);
      expect(await resultCount(id)).toBe(0);

      // Another worker (real time) takes the job over once the lease has run out, and finishes it.
      const rescuer = startMediaWorker(
        { db: t.deps.db, blobs: t.deps.blobs, clock: systemClock, log: new MemoryLogger() },
        parseMediaWorkerConfig({ MEDIA_POLL_INTERVAL: '0.1' }),
        'rescuer',
      );
      try {
        for (let i = 0; i < 300 && (await job(id)).status !== 'done'; i++) await new Promise((r) => setTimeout(r, 100));
      } finally {
        await rescuer.stop();
      }
      const row = await job(id);
      expect(row).toMatchObject({ status: 'done', attempts: 2, locked_by: null });
      expect(row.last_error).toMatch(/did not finish within its lease/);
      expect(await resultCount(id)).toBe(1);
      const media = w.ok(await t.call('GET', `/v1/uploads/${id}/media`, { key: p.key }), 200);
      expect(media).toMatchObject({ verdict: 'accepted', image: { width: 7000, height: 5000 } });
      expect(await t.deps.blobs.read(media.image.previews.large.key)).not.toBeNull();
    },
    120_000,
  );
});
