import { env, exports } from 'cloudflare:workers';
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresClient } from '../../src/db/postgres.js';
import { verifyArchive } from '../../src/features/archive/verify-archive.js';
import { call, newAccount, newPlatform, seedWorkWithClosedNotice } from './worker-client.js';

// The holdings export from inside workerd: the Worker integrates the log, reads one repeatable-read
// snapshot over Hyperdrive and answers a tar; the verifier, which needs no Node API, checks it there too.
let sql: postgres.Sql;
beforeAll(() => {
  sql = postgresClient({ url: env.HYPERDRIVE.connectionString, max: 1 });
});
afterAll(async () => {
  await sql?.end();
});

describe('verifiable exports on Workers', () => {
  it("exports a platform's holdings with proofs, and the archive verifies", async () => {
    const p = await newPlatform('Exporter');
    const holder = await newAccount(p.key, 'Atelier');
    const assetId = await seedWorkWithClosedNotice(sql, p.id, holder);
    const edition = await call('POST', `/v1/assets/${assetId}/editions`, {
      key: p.key,
      body: { size: 2, preset: 'open_market' },
    });
    expect(edition.status, edition.text).toBe(201);
    const minted = await call('POST', `/v1/editions/${edition.body.id}/mint`, {
      key: p.key,
      body: { count: 1, toAccountId: holder },
    });
    expect(minted.status, minted.text).toBe(201);

    const res = await exports.default.fetch('https://haipai.test/v1/holdings/export', {
      headers: { authorization: `Bearer ${p.key}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-tar');
    const bytes = new Uint8Array(await res.arrayBuffer());
    const vkey = (await call('GET', '/log/vkey')).text.trim();
    const verdict = await verifyArchive(bytes, { vkey });
    expect(verdict.failures).toEqual([]);
    expect(verdict.manifest?.holdings).toEqual([
      {
        accountId: holder,
        platformId: p.id,
        units: [{ unitId: minted.body.units[0].id, acquiredBy: expect.stringMatching(/^evt_/) }],
        works: [],
      },
    ]);
    const tampered = bytes.slice();
    tampered[1024 + 700] = tampered[1024 + 700]! ^ 1;
    expect((await verifyArchive(tampered, { vkey })).failures.length).toBeGreaterThan(0);
  });
});
