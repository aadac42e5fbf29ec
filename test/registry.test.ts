import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMarketWork } from '../src/scheduled.js';
import { OPERATOR_KEY, startTestApp, type TestApp } from './support/harness.js';
import { world } from './support/world.js';

let t: TestApp;
let w: ReturnType<typeof world>;
beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '3d' });
  w = world(t);
});
afterAll(async () => t?.close());

describe('registration gate', () => {
  it('runs draft → submitted → in_review → public_notice → registered, with a certificate and history', async () => {
    const p = await w.platform();
    const off = await w.official();
    const holder = await w.account(p);
    const draft = w.ok(await t.call('POST', '/v1/assets', { key: p.key, body: w.assetBody(holder) }), 201);
    expect(draft).toMatchObject({ status: 'draft', registrationNumber: null, rightsHolderId: holder });

    // Drafts are private: not visible without a key or to another platform.
    expect((await t.call('GET', `/v1/assets/${draft.id}`)).status).toBe(404);
    const other = await w.platform('Other');
    expect((await t.call('GET', `/v1/assets/${draft.id}`, { key: other.key })).status).toBe(404);

    // An official cannot approve before review starts; a platform cannot review at all.
    w.ok(await t.call('POST', `/v1/assets/${draft.id}/submit`, { key: p.key }), 200);
    const early = await t.call('POST', `/v1/assets/${draft.id}/review`, { key: off.key, body: { action: 'approve' } });
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ code: 'invalid_transition', status: 409 });
    const byPlatform = await t.call('POST', `/v1/assets/${draft.id}/review`, { key: p.key, body: { action: 'start' } });
    expect(byPlatform.status).toBe(403);
    expect(byPlatform.body.code).toBe('wrong_role');

    w.ok(await t.call('POST', `/v1/assets/${draft.id}/review`, { key: off.key, body: { action: 'start' } }), 200);
    const notice = w.ok(
      await t.call('POST', `/v1/assets/${draft.id}/review`, { key: off.key, body: { action: 'approve' } }),
      200,
    );
    expect(notice.status).toBe('public_notice');
    expect(new Date(notice.noticeEndsAt).getTime() - t.clock.now().getTime()).toBeGreaterThan(3 * 86400_000 - 60_000);

    // Under notice the work is public, but has no certificate yet.
    expect((await t.call('GET', `/v1/assets/${draft.id}`)).status).toBe(200);
    const noCert = await t.call('GET', `/v1/assets/${draft.id}/certificate`);
    expect(noCert.status).toBe(409);
    expect(noCert.body.code).toBe('not_registered');

    t.clock.advance(3 * 86400 + 1);
    // Until the scheduler's next tick the work is still shown under notice: reads never register it.
    expect(w.ok(await t.call('GET', `/v1/assets/${draft.id}`), 200).status).toBe('public_notice');
    await runMarketWork(t.deps);
    const cert = w.ok(await t.call('GET', `/v1/assets/${draft.id}/certificate`), 200);
    expect(cert.registrationNumber).toMatch(/^HP-\d{4}-\d{6}$/);
    expect(cert).toMatchObject({ assetId: draft.id, rightsHolderId: holder, kind: 'garment' });
    expect(cert.registrationEvent.type).toBe('asset.registered');

    const history = w.ok(await t.call('GET', `/v1/assets/${draft.id}/history`), 200);
    expect(history.data.map((e: { type: string }) => e.type)).toEqual([
      'asset.created',
      'asset.submitted',
      'asset.review_started',
      'asset.approved',
      'asset.registered',
    ]);
  });

  it('an objection during the notice window sends the work back to review; rejection needs a reason', async () => {
    const p = await w.platform();
    const off = await w.official();
    const holder = await w.account(p);
    const asset = await w.registeredAsset(p, off, holder);
    expect(asset.status).toBe('public_notice');

    const stranger = await w.platform('Stranger');
    const objection = await t.call('POST', `/v1/assets/${asset.id}/objections`, {
      key: stranger.key,
      body: { reason: 'This garment copies our 2025 collection.' },
    });
    expect(objection.status).toBe(201);
    const back = w.ok(await t.call('GET', `/v1/assets/${asset.id}`, { key: off.key }), 200);
    expect(back.status).toBe('in_review');

    // The window has closed for this notice: a second objection is refused.
    const again = await t.call('POST', `/v1/assets/${asset.id}/objections`, { key: stranger.key, body: { reason: 'again' } });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('not_in_public_notice');

    const noReason = await t.call('POST', `/v1/assets/${asset.id}/review`, { key: off.key, body: { action: 'reject' } });
    expect(noReason.status).toBe(400);
    const rejected = w.ok(
      await t.call('POST', `/v1/assets/${asset.id}/review`, {
        key: off.key,
        body: { action: 'reject', reason: 'Objection upheld.' },
      }),
      200,
    );
    expect(rejected.status).toBe('rejected');
    const history = w.ok(await t.call('GET', `/v1/assets/${asset.id}/history`, { key: off.key }), 200);
    const filed = history.data.find((e: { type: string }) => e.type === 'asset.objection_filed');
    expect(filed.facts.reasonSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(filed)).not.toContain('copies our 2025');
  });

  it('scheduled work registers works whose notice has ended', async () => {
    const p = await w.platform();
    const off = await w.official();
    const asset = await w.registeredAsset(p, off, await w.account(p));
    t.clock.advance(3 * 86400 + 1);
    const { runScheduledWork } = await import('../src/scheduled.js');
    await runScheduledWork(t.deps);
    const row = await t.deps.db
      .selectFrom('assets')
      .select(['status', 'registration_number'])
      .where('id', '=', asset.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('registered');
    expect(row.registration_number).toMatch(/^HP-/);
  });
});

describe('works', () => {
  it('validates creators, shares, kinds and identity codes', async () => {
    const p = await w.platform();
    const holder = await w.account(p);
    const bad = await t.call('POST', '/v1/assets', {
      key: p.key,
      body: w.assetBody(holder, { creators: [{ accountId: holder, role: 'designer', shareBps: 9000 }] }),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('validation_failed');
    expect(JSON.stringify(bad.body.issues)).toContain('10000');

    const unknownKind = await t.call('POST', '/v1/assets', { key: p.key, body: w.assetBody(holder, { kind: 'spaceship' }) });
    expect(unknownKind.status).toBe(400);

    const vh = w.ok(
      await t.call('POST', '/v1/assets', { key: p.key, body: w.assetBody(holder, { kind: 'virtual_human' }) }),
      201,
    );
    expect(vh.identityCode).toMatch(/^VH-[0-9A-F]{16}$/);
    const chosen = w.ok(
      await t.call('POST', '/v1/assets', {
        key: p.key,
        body: w.assetBody(holder, { kind: 'virtual_human', identityCode: 'XIAOHAI-001' }),
      }),
      201,
    );
    expect(chosen.identityCode).toBe('XIAOHAI-001');
    const dup = await t.call('POST', '/v1/assets', {
      key: p.key,
      body: w.assetBody(holder, { kind: 'virtual_human', identityCode: 'XIAOHAI-001' }),
    });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('identity_code_taken');
    const garmentWithCode = await t.call('POST', '/v1/assets', {
      key: p.key,
      body: w.assetBody(holder, { identityCode: 'ABCD-1' }),
    });
    expect(garmentWithCode.status).toBe(400);
  });

  it("refuses a work for another platform's account and writes nothing", async () => {
    const a = await w.platform('A');
    const b = await w.platform('B');
    const bAccount = await w.account(b);
    const before = await t.deps.db
      .selectFrom('assets')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    const res = await t.call('POST', '/v1/assets', { key: a.key, body: w.assetBody(bAccount) });
    expect(res.status).toBe(404);
    const after = await t.deps.db
      .selectFrom('assets')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('derivatives need registered parents whose licence allows derivatives', async () => {
    const p = await w.platform();
    const off = await w.official();
    const holder = await w.account(p);
    const open = await w.registeredAsset(p, off, holder);
    const closed = await w.registeredAsset(p, off, holder, { licence: { commercialUse: 'none', derivativesAllowed: false } });
    const draft = w.ok(await t.call('POST', '/v1/assets', { key: p.key, body: w.assetBody(holder) }), 201);

    const underNotice = await t.call('POST', '/v1/assets', { key: p.key, body: w.assetBody(holder, { parents: [open.id] }) });
    expect(underNotice.status).toBe(422);
    expect(underNotice.body.code).toBe('parent_not_registered');

    t.clock.advance(3 * 86400 + 1);
    // The writing request that needs a parent registered registers it (no scheduler tick needed).

    const child = await t.call('POST', '/v1/assets', { key: p.key, body: w.assetBody(holder, { parents: [open.id] }) });
    expect(child.status).toBe(201);
    expect(w.ok(await t.call('GET', `/v1/assets/${open.id}`), 200).status).toBe('registered');
    expect(child.body.parents).toEqual([open.id]);

    const forbidden = await t.call('POST', '/v1/assets', {
      key: p.key,
      body: w.assetBody(holder, { parents: [open.id, closed.id] }),
    });
    expect(forbidden.status).toBe(422);
    expect(forbidden.body).toMatchObject({ code: 'parent_forbids_derivatives', parentId: closed.id });

    const unregistered = await t.call('POST', '/v1/assets', { key: p.key, body: w.assetBody(holder, { parents: [draft.id] }) });
    expect(unregistered.status).toBe(422);
    expect(unregistered.body.code).toBe('parent_not_registered');
  });

  it('lists public works to anyone and every work to officials', async () => {
    const p = await w.platform();
    const off = await w.official();
    const holder = await w.account(p);
    const draft = w.ok(await t.call('POST', '/v1/assets', { key: p.key, body: w.assetBody(holder) }), 201);
    w.ok(await t.call('POST', `/v1/assets/${draft.id}/submit`, { key: p.key }), 200);
    const queue = w.ok(await t.call('GET', '/v1/assets?status=submitted&limit=100', { key: off.key }), 200);
    expect(queue.data.map((a: { id: string }) => a.id)).toContain(draft.id);
    const anon = w.ok(await t.call('GET', '/v1/assets?status=submitted'), 200);
    expect(anon.data).toEqual([]);
    const ops = w.ok(await t.call('GET', '/v1/assets?limit=1', { key: OPERATOR_KEY }), 200);
    expect(ops.nextCursor).toBeTruthy();
  });
});
