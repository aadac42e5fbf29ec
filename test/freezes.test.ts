import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR_KEY, type TestApp } from './support/harness.js';
import type { StripeHarness, StripeStandIn } from './support/stripe-standin.js';
import { type StripeTradesApp, startStripeTradesApp } from './support/stripe-trades.js';

// Freezes with causes: officials freeze and lift units; a payment's freeze never lifts an official's.
// With DATABASE_URL on real PostgreSQL.
let t: TestApp;
let m: StripeTradesApp['m'];
let standIn: StripeStandIn;
let s: StripeHarness;
let st: StripeTradesApp['st'];
let close: () => Promise<void>;
beforeAll(async () => {
  ({ t, m, standIn, s, st, close } = await startStripeTradesApp());
});
afterAll(async () => close?.());

type Key = { key: string };
const freeze = (off: Key, unitId: string, reason: string) =>
  t.call('POST', `/v1/units/${unitId}/freezes`, { key: off.key, body: { reason } });
const lift = (off: Key, unitId: string, freezeId: string, reason = 'cleared after review') =>
  t.call('POST', `/v1/units/${unitId}/freezes/${freezeId}/lift`, { key: off.key, body: { reason } });
const frozen = async (unitId: string) => m.ok(await t.call('GET', `/v1/units/${unitId}`), 200).frozen;
const eventsOfUnit = async (unitId: string) =>
  (await t.deps.db.selectFrom('events').select(['type', 'entry']).where('unit_id', '=', unitId).orderBy('seq').execute()).map(
    (e) => ({ type: e.type, ...JSON.parse(e.entry) }),
  );

/** A unit owned by a collector of platform `p`, and an official. */
async function ownedUnit() {
  const world = await m.work();
  const owner = await m.account(world.p);
  const [unit] = (await m.mint(world.p, world.edition.id, 1, owner)).units;
  return { ...world, owner, unit };
}

describe('official freezes', () => {
  it('an official freezes a unit: it cannot be listed or given; the log carries the reason only as a hash', async () => {
    const { p, off, owner, unit } = await ownedUnit();
    const placed = m.ok(await freeze(off, unit.id, 'Court order 2026-041: ownership contested'), 201);
    expect(placed).toMatchObject({ unitId: unit.id, cause: 'official', placedBy: off.id, active: true, tradeId: null });
    expect(await frozen(unit.id)).toBe(true);
    m.problem(
      await t.call('POST', '/v1/listings', {
        key: p.key,
        body: { kind: 'fixed', sellerId: owner, unitId: unit.id, price: 100, currency: 'CNY' },
      }),
      409,
      'unit_frozen',
    );
    const friend = await m.account(p);
    m.problem(
      await t.call('POST', `/v1/units/${unit.id}/transfers`, { key: p.key, body: { fromAccountId: owner, toAccountId: friend } }),
      409,
      'unit_frozen',
    );
    const [event] = (await eventsOfUnit(unit.id)).filter((e) => e.type === 'unit.frozen');
    expect(event).toMatchObject({ freezeId: placed.id, cause: 'official', placedBy: off.id });
    expect(event.reasonSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(event)).not.toContain('Court order');
  });

  it('only officials freeze and lift; bad input is a 400 and writes nothing', async () => {
    const { p, off, owner, unit } = await ownedUnit();
    m.problem(await freeze(p, unit.id, 'no'), 403, 'wrong_role');
    const ownerKey = m.ok(await t.call('POST', '/v1/api-keys', { key: p.key, body: { subjectId: owner } }), 201).secret;
    m.problem(await freeze({ key: ownerKey }, unit.id, 'no'), 403, 'wrong_role');
    m.problem(await freeze(off, unit.id, '   '), 400, 'validation_failed');
    m.problem(await freeze(off, 'unt_01JABCDEFGHJKMNPQRSTVWXYZ1', 'missing'), 404, 'not_found');
    expect(await frozen(unit.id)).toBe(false);
    const placed = m.ok(await freeze(off, unit.id, 'contested'), 201);
    m.problem(await lift(p, unit.id, placed.id), 403, 'wrong_role');
    const other = await ownedUnit();
    m.problem(await lift(off, other.unit.id, placed.id), 404, 'not_found');
    expect(await frozen(unit.id)).toBe(true);
  });

  it('lifting one of two freezes leaves the unit frozen; lifting the last frees it; a lift happens once', async () => {
    const { off, unit } = await ownedUnit();
    const other = await m.official('Officer Li');
    const a = m.ok(await freeze(off, unit.id, 'first complaint'), 201);
    const b = m.ok(await freeze(other, unit.id, 'second complaint'), 201);
    const lifted = m.ok(await lift(off, unit.id, a.id), 200);
    expect(lifted).toMatchObject({ id: a.id, active: false, liftedBy: off.id, liftReason: 'cleared after review' });
    expect(await frozen(unit.id)).toBe(true);
    // Ten officials' lifts of the same freeze at once: one succeeds, the others are told it is done.
    const replies = await Promise.all(Array.from({ length: 10 }, () => lift(other, unit.id, b.id)));
    expect(replies.map((r) => r.status).sort()).toEqual([200, ...Array(9).fill(409)]);
    for (const r of replies.filter((x) => x.status === 409)) expect(r.body.code).toBe('freeze_already_lifted');
    expect(await frozen(unit.id)).toBe(false);
    const lifts = (await eventsOfUnit(unit.id)).filter((e) => e.type === 'unit.freeze_lifted');
    expect(lifts.map((e) => [e.freezeId, e.frozen])).toEqual([
      [a.id, true],
      [b.id, false],
    ]);
  });

  it("officials, the operator and the owner's platform see the freezes; other platforms and the public do not", async () => {
    const { p, off, unit } = await ownedUnit();
    const placed = m.ok(await freeze(off, unit.id, 'contested'), 201);
    for (const key of [off.key, OPERATOR_KEY, p.key]) {
      const page = m.ok(await t.call('GET', `/v1/units/${unit.id}/freezes`, { key }), 200);
      expect(page.data).toEqual([expect.objectContaining({ id: placed.id, reason: 'contested', active: true })]);
    }
    const stranger = await m.platform();
    m.problem(await t.call('GET', `/v1/units/${unit.id}/freezes`, { key: stranger.key }), 404, 'not_found');
    expect((await t.call('GET', `/v1/units/${unit.id}/freezes`)).status).toBe(401);
  });
});

describe('payment freezes next to official ones', () => {
  it("a won dispute lifts only the dispute's freeze: an official's freeze keeps the unit frozen", async () => {
    const { trade, intent, unit, off } = await st.settled();
    const official = m.ok(await freeze(off, unit.id, 'investigating the sale'), 201);
    expect(
      (await s.deliver(standIn.signedEvent('charge.dispute.created', standIn.dispute(intent, 'needs_response')))).status,
    ).toBe(200);
    expect((await s.deliver(standIn.signedEvent('charge.dispute.closed', standIn.dispute(intent, 'won')))).status).toBe(200);
    expect(await frozen(unit.id)).toBe(true);
    const page = m.ok(await t.call('GET', `/v1/units/${unit.id}/freezes`, { key: off.key }), 200);
    expect(page.data.map((f: { cause: string; active: boolean }) => [f.cause, f.active])).toEqual([
      ['official', true],
      ['payment_disputed', false],
    ]);
    expect(page.data[1]).toMatchObject({ tradeId: trade.id, placedBy: 'stripe', liftedBy: 'stripe' });
    m.ok(await lift(off, unit.id, official.id), 200);
    expect(await frozen(unit.id)).toBe(false);
  });

  it("a refund's freeze supersedes the dispute's and stays until an official lifts it", async () => {
    const { intent, unit, off } = await st.settled();
    expect(
      (await s.deliver(standIn.signedEvent('charge.dispute.created', standIn.dispute(intent, 'needs_response')))).status,
    ).toBe(200);
    expect((await s.deliver(standIn.signedEvent('charge.refunded', standIn.refundedCharge(intent)))).status).toBe(200);
    const page = m.ok(await t.call('GET', `/v1/units/${unit.id}/freezes`, { key: off.key }), 200);
    expect(page.data.map((f: { cause: string; active: boolean }) => [f.cause, f.active])).toEqual([
      ['payment_disputed', false],
      ['refunded', true],
    ]);
    // The dispute is then won: nothing is lifted again, the refund's freeze stays.
    expect((await s.deliver(standIn.signedEvent('charge.dispute.closed', standIn.dispute(intent, 'won')))).status).toBe(200);
    expect(await frozen(unit.id)).toBe(true);
    m.ok(await lift(off, unit.id, page.data[1].id, 'ownership confirmed with the buyer'), 200);
    expect(await frozen(unit.id)).toBe(false);
  });
});
