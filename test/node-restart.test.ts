/**
 * Issue 19, restart after a kill on the embedded default: work a killed process had leased (a
 * media job mid-analysis, a webhook endpoint mid-delivery) resumes at the next start without
 * waiting for its lease, since no other process can use the embedded database. The killed
 * process's state is written into the database between the two runs, as a SIGKILL leaves it:
 * job `running` under a lease an hour long, endpoint leased.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { openPglite } from '../src/db/pglite.js';
import { sceneSvg } from './media-fixtures.js';
import { OPERATOR_KEY } from './support/harness.js';
import { nodeInstances } from './support/node-instance.js';
import { httpCall, type ServerProcess, spawnServer } from './support/server-process.js';

const instances = nodeInstances();
const servers: ServerProcess[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop('SIGKILL');
  await instances.cleanup();
});

describe.skipIf(instances.onPostgres)('restart after a kill (embedded default)', { timeout: 300_000 }, () => {
  it('resumes the media job and webhook endpoint the killed process had leased, at once', async () => {
    // The first run analyses nothing (MEDIA_WORKER=off), so the job is still there to be "mid-way".
    const env = await instances.env({ OPERATOR_API_KEY: OPERATOR_KEY, WEBHOOK_ALLOW_HTTP_LOCAL: 'true' });
    const first = await spawnServer({ ...env, MEDIA_WORKER: 'off' });
    servers.push(first);
    const call = httpCall(first.baseUrl);
    const platform = (await call('POST', '/v1/platforms', { key: OPERATOR_KEY, body: { name: 'Restart' } })).body;
    const key = platform.apiKey.secret;
    const account = (await call('POST', '/v1/accounts', { key, body: { kind: 'person', displayName: 'Lin' } })).body;
    const endpoint = await call('POST', '/v1/webhook-endpoints', {
      key,
      body: { url: 'http://127.0.0.1:9/hook', eventTypes: ['*'] },
    });
    expect(endpoint.status).toBe(201);
    const bytes = await sharp(sceneSvg(7, 64, 64))
      .png()
      .toBuffer();
    const created = (
      await call('POST', '/v1/uploads', {
        key,
        body: {
          accountId: account.id,
          mediaType: 'image/png',
          size: bytes.length,
          sha256: createHash('sha256').update(bytes).digest('hex'),
        },
      })
    ).body;
    expect((await fetch(created.uploadUrl, { method: 'PUT', headers: created.headers, body: bytes })).status).toBe(200);
    expect((await call('POST', `/v1/uploads/${created.id}/complete`, { key, body: {} })).status).toBe(200);
    await first.stop('SIGTERM');

    // What a SIGKILL mid-way leaves behind: leases of an hour held by a process that is gone.
    const inAnHour = new Date(Date.now() + 3600_000);
    const db = await openPglite(join(env.DATA_DIR!, 'pglite'));
    await db.db
      .updateTable('media_jobs')
      .set({ status: 'running', attempts: 1, lease_token: 'killed', locked_by: 'host:1:dead', due_at: inAnHour })
      .where('upload_id', '=', created.id)
      .execute();
    await db.db
      .updateTable('webhook_endpoints')
      .set({ lease_token: 'killed', leased_until: inAnHour })
      .where('id', '=', endpoint.body.id)
      .execute();
    await db.close();

    const second = await spawnServer(env);
    servers.push(second);
    expect(second.output()).toContain('resumed work a killed process had leased: 1 media job(s), 1 webhook endpoint(s)');
    // The job is analysed now, not an hour from now.
    const call2 = httpCall(second.baseUrl);
    let media = await call2('GET', `/v1/uploads/${created.id}/media`, { key });
    while (media.body.status !== 'done') {
      expect(media.status).toBe(200);
      expect(media.body.status).toMatch(/^(queued|running)$/);
      await new Promise((r) => setTimeout(r, 100));
      media = await call2('GET', `/v1/uploads/${created.id}/media`, { key });
    }
    expect(media.body).toMatchObject({ status: 'done', verdict: 'accepted' });
    await second.stop('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  });
});
