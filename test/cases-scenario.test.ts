import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyDueDeterminations } from '../src/features/cases/determination.service.js';
import { MemoryLogger } from '../src/ports/logger.js';
import { parseMediaWorkerConfig } from '../workers/media/config.js';
import { type MediaWorker, startMediaWorker } from '../workers/media/worker.js';
import { sceneSvg } from './media-fixtures.js';
import { startTestApp, type TestApp } from './support/harness.js';
import { marketWorld } from './support/market.js';

// The whole story of an infringement case: a copy of a registered work is registered too (the
// screening flags it, the official approves it anyway), sold once; the original's rights holder
// complains, the screening between the two works is attached, the copy is frozen, the parties are
// heard, a court-ordered rights transfer takes effect after the appeal window, and the next sale
// pays the royalty to the new holder while the earlier sale's journal stays as it was.
// With DATABASE_URL on real PostgreSQL.
let t: TestApp;
let m: ReturnType<typeof marketWorld>;
let worker: MediaWorker;
beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '0', MEDIA_SUBMIT_WAIT: '30', CASE_APPEAL_DAYS: '10' });
  m = marketWorld(t);
  worker = startMediaWorker(
    { db: t.deps.db, blobs: t.deps.blobs, clock: t.clock, log: new MemoryLogger(), sharp },
    parseMediaWorkerConfig({ MEDIA_POLL_INTERVAL: '0.05' }),
  );
});
afterAll(async () => {
  await worker?.stop();
  await t?.close();
});

const DAY = 86400;
const sha256 = (b: string | Uint8Array) => createHash('sha256').update(b).digest('hex');

async function upload(key: string, accountId: string, bytes: Uint8Array, mediaType: string) {
  const created = m.ok(
    await t.call('POST', '/v1/uploads', { key, body: { accountId, mediaType, size: bytes.length, sha256: sha256(bytes) } }),
    201,
  );
  const put = await fetch(created.uploadUrl, { method: 'PUT', headers: created.headers, body: bytes as BodyInit });
  expect(put.status).toBe(200);
  m.ok(await t.call('POST', `/v1/uploads/${created.id}/complete`, { key }), 200);
  return created.id as string;
}

describe('a copy, complained about, frozen, decided rights_transferred', () => {
  it('the next sale pays the royalty to the new holder; the earlier journal is untouched; money is conserved', async () => {
    const off = await m.official('Officer Zhou');
    const originals = await m.platform('Originals');
    const holder = await m.account(originals);
    const copies = await m.platform('Copies');
    const copier = await m.account(copies);

    const original = await sharp(sceneSvg(11, 800, 600))
      .png()
      .toBuffer();
    const copy = await sharp(original).resize(640).jpeg({ quality: 70 }).toBuffer();
    const originalUpload = await upload(originals.key, holder, original, 'image/png');
    const earlier = await m.registeredAsset(originals, off, holder, {
      title: 'Cloud Brocade',
      claimedCreatedOn: '2025-10-01',
      files: [{ uploadId: originalUpload, purpose: 'preview' }],
    });
    const copyUpload = await upload(copies.key, copier, copy, 'image/jpeg');
    const copied = await m.registeredAsset(copies, off, copier, {
      title: 'Brocade of Clouds',
      claimedCreatedOn: '2026-02-01',
      files: [{ uploadId: copyUpload, purpose: 'preview' }],
    });
    expect(copied.status).toBe('registered');

    // The copy is issued and sold before anyone complains: the royalty then goes to the copier.
    const edition = m.ok(
      await t.call('POST', `/v1/assets/${copied.id}/editions`, {
        key: copies.key,
        body: { size: 5, preset: 'open_market', royaltyBps: 1000 },
      }),
      201,
    );
    const [first, second] = (await m.accounts(copies, 2)) as [string, string];
    const [unit] = (await m.mint(copies, edition.id, 1, first)).units;
    await m.topUp(second, 50_000);
    const resale = await m.list(copies, { kind: 'fixed', sellerId: first, unitId: unit.id, price: 10_000 });
    const before = m.ok(await m.buy(copies, resale.id, second), 201);
    expect(before.status).toBe('settled');
    const journalBefore = m.ok(await t.call('GET', `/v1/journals/${before.journalId}`, { key: off.key }), 200);
    expect(await m.balance(copier)).toBe(1000);

    // The complaint: the screening between the two works is attached automatically.
    const complaint = m.ok(
      await t.call('POST', '/v1/complaints', {
        key: originals.key,
        body: {
          assetId: copied.id,
          complainantId: holder,
          earlierAssetId: earlier.id,
          statement: 'The brocade pattern is mine, resized and recompressed.',
          claimedCreatedOn: '2025-10-01',
          copiedElements: ['cloud brocade pattern'],
        },
      }),
      201,
    );
    const perceptual = complaint.screening.matches.filter((x: { algorithm: string }) => x.algorithm !== 'sha256');
    expect(perceptual.length).toBeGreaterThan(0);
    expect(complaint.screening.closestDistance).toBeLessThanOrEqual(10);
    expect(perceptual[0]).toMatchObject({ uploadId: copyUpload, matchedUploadId: originalUpload });

    const opened = m.ok(
      await t.call('POST', '/v1/cases', { key: off.key, body: { assetId: copied.id, complaintIds: [complaint.id] } }),
      201,
    );
    m.ok(
      await t.call('POST', `/v1/cases/${opened.id}/measures`, {
        key: off.key,
        body: { freeze: 'all', suspendListings: true, hide: true, reason: 'Near-duplicate of an earlier registered work' },
      }),
      200,
    );
    expect(m.ok(await t.call('GET', `/v1/units/${unit.id}`), 200).frozen).toBe(true);
    const blocked = await m.list(copies, { kind: 'fixed', sellerId: second, unitId: unit.id, price: 12_000 }).catch((e) => e);
    expect(String(blocked)).toContain('409');

    m.ok(await t.call('POST', `/v1/cases/${opened.id}/request-responses`, { key: off.key, body: {} }), 200);
    t.clock.advance(14 * DAY + 1); // CASE_RESPONSE_DAYS (14) pass without an answer
    const doc = sha256('judgment (2026) Hu 73 Zhi Min Chu 88');
    const decided = m.ok(
      await t.call('POST', `/v1/cases/${opened.id}/decision`, {
        key: off.key,
        body: {
          determination: 'rights_transferred',
          reason: 'The court found the work copied',
          transferCredits: true,
          courtReference: '(2026) Hu 73 Zhi Min Chu 88',
          courtDocumentSha256: doc,
        },
      }),
      200,
    );
    expect(decided).toMatchObject({
      status: 'decided',
      terms: { newRightsHolderId: holder, transferCredits: true, courtDocumentSha256: doc },
    });
    // Nothing moves before the appeal window has passed.
    expect(await applyDueDeterminations(t.deps.db, t.clock.now())).toBe(0);
    expect(m.ok(await t.call('GET', `/v1/assets/${copied.id}`), 200).rightsHolderId).toBe(copier);
    t.clock.advance(10 * DAY + 1);
    expect(await applyDueDeterminations(t.deps.db, t.clock.now())).toBe(1);

    const work = m.ok(await t.call('GET', `/v1/assets/${copied.id}`), 200);
    expect(work).toMatchObject({
      status: 'registered',
      rightsHolderId: holder,
      creators: [{ accountId: holder, shareBps: 10000 }],
    });
    expect(m.ok(await t.call('GET', `/v1/units/${unit.id}`), 200)).toMatchObject({ frozen: false, ownerId: second });
    const transferred = (
      await t.deps.db
        .selectFrom('events')
        .select('entry')
        .where('type', '=', 'asset.rights_transferred')
        .where('asset_id', '=', copied.id)
        .execute()
    ).map((e) => JSON.parse(e.entry));
    expect(transferred).toMatchObject([
      { fromId: copier, toId: holder, creditsTransferred: true, caseId: opened.id, courtDocumentSha256: doc },
    ]);

    // The next sale: the royalty follows the new holder.
    const third = await m.account(copies);
    await m.topUp(third, 50_000);
    const again = await m.list(copies, { kind: 'fixed', sellerId: second, unitId: unit.id, price: 20_000 });
    const after = m.ok(await m.buy(copies, again.id, third), 201);
    expect(after.status).toBe('settled');
    expect(await m.balance(holder)).toBe(2000);
    expect(await m.balance(copier)).toBe(1000);
    // The earlier journal reads exactly as before.
    expect(m.ok(await t.call('GET', `/v1/journals/${before.journalId}`, { key: off.key }), 200)).toEqual(journalBefore);
    // Money is conserved: what the buyers topped up is where it went.
    const fees = 500 + 1000; // the platform's 5% of 10 000 and of 20 000
    expect(await m.balance(copies.id)).toBe(fees);
    const holders = [first, second, third, copier, holder, copies.id];
    const total = (await Promise.all(holders.map((h) => m.balance(h)))).reduce((a, b) => a + b, 0);
    expect(total).toBe(100_000);
  });
});
