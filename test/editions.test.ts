import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/harness.js';
import { world } from './support/world.js';

let t: TestApp;
let w: ReturnType<typeof world>;
beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '0' });
  w = world(t);
});
afterAll(async () => t?.close());

async function setup(preset = 'open_market', policy?: Record<string, unknown>, size = 10) {
  const p = await w.platform();
  const off = await w.official();
  const holder = await w.account(p);
  const asset = await w.registeredAsset(p, off, holder);
  const edition = await w.edition(p, asset.id, size, preset, policy);
  return { p, off, holder, asset, edition };
}

describe('editions and units', () => {
  it('mints numbered units up to the edition size and never more', async () => {
    const { p, holder, edition } = await setup('open_market', undefined, 3);
    const first = await w.mint(p, edition.id, 2);
    expect(first.units.map((u: { label: string }) => u.label)).toEqual(['1/3', '2/3']);
    expect(first.units.every((u: { ownerId: string }) => u.ownerId === holder)).toBe(true);
    const tooMany = await t.call('POST', `/v1/editions/${edition.id}/mint`, { key: p.key, body: { count: 2 } });
    expect(tooMany.status).toBe(409);
    expect(tooMany.body).toMatchObject({ code: 'edition_exhausted', remaining: 1 });
    await w.mint(p, edition.id, 1);
    const units = w.ok(await t.call('GET', `/v1/editions/${edition.id}/units`), 200);
    expect(units.data.map((u: { serial: number }) => u.serial)).toEqual([1, 2, 3]);
    const unit = w.ok(await t.call('GET', `/v1/units/${units.data[0].id}`), 200);
    expect(unit).toMatchObject({ ownerId: holder, acquiredVia: 'mint', frozen: false });
  });

  it('refuses editions of unregistered works and mints by other platforms', async () => {
    const p = await w.platform();
    const holder = await w.account(p);
    const draft = w.ok(await t.call('POST', '/v1/assets', { key: p.key, body: w.assetBody(holder) }), 201);
    const res = await t.call('POST', `/v1/assets/${draft.id}/editions`, { key: p.key, body: { size: 5, preset: 'open_market' } });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('not_registered');
    const { edition } = await setup();
    const intruder = await w.platform('Intruder');
    const mint = await t.call('POST', `/v1/editions/${edition.id}/mint`, { key: intruder.key, body: { count: 1 } });
    expect(mint.status).toBe(404);
    const badPreset = await t.call('POST', `/v1/assets/${draft.id}/editions`, {
      key: p.key,
      body: { size: 5, preset: 'wild_west' },
    });
    expect(badPreset.status).toBe(400);
  });

  it('gifts move ownership and are recorded in the history', async () => {
    const { p, holder, edition } = await setup();
    const [unit] = (await w.mint(p, edition.id, 1)).units;
    const friendPlatform = await w.platform('Friend');
    const friend = await w.account(friendPlatform);
    const gift = w.ok(
      await t.call('POST', `/v1/units/${unit.id}/transfers`, {
        key: p.key,
        body: { fromAccountId: holder, toAccountId: friend },
      }),
      201,
    );
    expect(gift.unit).toMatchObject({ ownerId: friend, acquiredVia: 'gift' });
    // The old owner's platform can no longer give it away.
    const again = await t.call('POST', `/v1/units/${unit.id}/transfers`, {
      key: p.key,
      body: { fromAccountId: holder, toAccountId: friend },
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('not_owner');
    const history = w.ok(await t.call('GET', `/v1/units/${unit.id}/history`), 200);
    expect(history.data.map((e: { type: string }) => e.type)).toEqual(['unit.minted', 'unit.gifted']);
    expect(history.data[1].facts).toMatchObject({ fromId: holder, toId: friend });
  });

  it('the mainland preset allows a gift only after the holding time, to attested adults, once a day', async () => {
    const { p, holder, edition } = await setup('mainland_collectible');
    const [unit] = (await w.mint(p, edition.id, 1)).units;
    const adult = await w.account(p);
    const minor = await w.account(p, { adult: false });
    const unattested = await w.account(p, { attested: false });
    const give = (from: string, to: string) =>
      t.call('POST', `/v1/units/${unit.id}/transfers`, { key: p.key, body: { fromAccountId: from, toAccountId: to } });

    const early = await give(holder, adult);
    expect(early.status).toBe(422);
    expect(early.body).toMatchObject({ code: 'transfer_refused', rule: 'gift_holding_time' });
    expect(early.body.allowedAt).toBeTruthy();

    t.clock.advance(180 * 86400 + 1);
    expect((await give(holder, minor)).body.rule).toBe('adults_only');
    expect((await give(holder, unattested)).body.rule).toBe('real_name_required');
    w.ok(await give(holder, adult), 201);

    // The recipient now holds it for two years before passing it on.
    t.clock.advance(200 * 86400);
    expect((await give(adult, holder)).body.rule).toBe('recipient_holding_time');
    t.clock.advance(531 * 86400);
    w.ok(await give(adult, holder), 201);
  });

  it('policy overrides apply field by field, and gifts can be switched off', async () => {
    const { p, holder, edition } = await setup('open_market', { giftsAllowed: false });
    expect(edition.policy).toMatchObject({ giftsAllowed: false, resaleAllowed: true });
    const [unit] = (await w.mint(p, edition.id, 1)).units;
    const other = await w.account(p);
    const res = await t.call('POST', `/v1/units/${unit.id}/transfers`, {
      key: p.key,
      body: { fromAccountId: holder, toAccountId: other },
    });
    expect(res.status).toBe(422);
    expect(res.body.rule).toBe('gifts_not_allowed');
  });

  it('the daily limit counts changes of owner in the last 24 hours', async () => {
    const { p, holder, edition } = await setup('open_market', { transfersPerDay: 2 });
    const [unit] = (await w.mint(p, edition.id, 1)).units;
    const a = await w.account(p);
    const give = (from: string, to: string) =>
      t.call('POST', `/v1/units/${unit.id}/transfers`, { key: p.key, body: { fromAccountId: from, toAccountId: to } });
    w.ok(await give(holder, a), 201);
    w.ok(await give(a, holder), 201);
    expect((await give(holder, a)).body.rule).toBe('daily_transfer_limit');
    t.clock.advance(86400 + 1);
    w.ok(await give(holder, a), 201);
  });
});
