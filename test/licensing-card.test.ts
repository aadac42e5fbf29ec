import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET_WITHHELD } from '../src/http/secret-values.js';
import { runScheduledWork } from '../src/scheduled.js';
import type { TestApp } from './support/harness.js';
import { licensingWorld } from './support/licensing.js';
import { type StripeHarness, type StripeStandIn, startStripeTestApp } from './support/stripe-standin.js';

// A licence's upfront fee paid by card: the real `stripe` SDK talks to the local stand-in, webhooks
// are signed as Stripe signs them. With DATABASE_URL these run on real PostgreSQL (real races).
let t: TestApp;
let l: ReturnType<typeof licensingWorld>;
let standIn: StripeStandIn;
let s: StripeHarness;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ t, standIn, s, close } = await startStripeTestApp({ NOTICE_PERIOD: '0' }));
  l = licensingWorld(t);
});
afterAll(async () => close?.());

type Key = { key: string; id: string };

function acceptByCard(p: Key, offerId: string, licenseeId: string, idempotencyKey?: string) {
  return t.call('POST', `/v1/licence-offers/${offerId}/accept`, {
    key: p.key,
    headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : undefined,
    body: { licenseeId, rail: 'stripe' },
  });
}

/** A work with an exclusive 10,000 CNY offer (5% platform fee, 20% to the designer) and a licensee with no balance. */
async function cardWorld(over: Record<string, unknown> = {}) {
  const w = await l.licensableWork();
  const offer = l.ok(await l.offer(w.p, w.asset.id, over), 201);
  const game = await l.platform('Game studio');
  const licensee = await l.account(game);
  return { ...w, offer, game, licensee };
}

/** A card acceptance answered 202, and its PaymentIntent as the stand-in knows it. */
async function pendingGrant(over: Record<string, unknown> = {}) {
  const w = await cardWorld(over);
  const grant = l.ok(await acceptByCard(w.game, w.offer.id, w.licensee), 202);
  const intent = standIn.intents.get(grant.payment.paymentIntentId)!;
  return { ...w, grant, intent };
}

const grantRow = (id: string) =>
  t.deps.db.selectFrom('licence_grants').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const paymentOf = (grantId: string) =>
  t.deps.db.selectFrom('stripe_payments').selectAll().where('licence_grant_id', '=', grantId).executeTakeFirstOrThrow();
const eventsOfGrant = async (type: string, grantId: string) => (await l.eventsOfType(type)).filter((e) => e.grantId === grantId);
const refundRequests = (intentId: unknown) =>
  standIn.requests.filter((r) => r.method === 'POST' && r.path === '/v1/refunds' && r.params.payment_intent === intentId);
const succeeded = (intent: Record<string, unknown>) => standIn.signedEvent('payment_intent.succeeded', standIn.succeeded(intent));

/** Every holder's net over the given journals (the outside world included). */
async function nets(journalIds: string[]) {
  const rows = await t.deps.db
    .selectFrom('postings')
    .select(['holder', 'amount'])
    .where('journal_id', 'in', journalIds)
    .execute();
  const net: Record<string, number> = {};
  for (const r of rows) net[r.holder] = (net[r.holder] ?? 0) + Number(r.amount);
  return net;
}

describe('accepting a licence offer by card', () => {
  it('holds the rights while pending; the verified webhook makes the grant and splits the fee as the balance rail does', async () => {
    const { p, game, holder, designer, asset, offer, licensee } = await cardWorld();
    const res = await acceptByCard(game, offer.id, licensee, 'card-accept-1');
    const grant = l.ok(res, 202);
    expect(grant).toMatchObject({ offerId: offer.id, licenseeId: licensee, status: 'pending_payment', feeJournalId: null });
    expect(grant.certificate).toBeNull();
    // The window to pay is the purchases' reservation window: 15 minutes from the acceptance.
    expect(Date.parse(grant.paymentDueAt) - Date.parse(grant.createdAt)).toBe(15 * 60 * 1000);
    const intent = standIn.intents.get(grant.payment.paymentIntentId)!;
    expect(grant.payment.clientSecret).toBe(intent.client_secret);
    const creates = standIn.requests.filter(
      (r) => r.path === '/v1/payment_intents' && r.params['metadata[licenceGrantId]'] === grant.id,
    );
    expect(creates).toHaveLength(1);
    expect(creates[0]).toMatchObject({
      idempotencyKey: `haipai-pi-${grant.payment.id}`,
      params: { amount: '10000', currency: 'cny', 'metadata[licencePaymentId]': grant.payment.id },
    });

    // The same request again: the same grant and intent, the client secret withheld (never stored).
    const replay = l.ok(await acceptByCard(game, offer.id, licensee, 'card-accept-1'), 202);
    expect(replay).toEqual({ ...grant, payment: { ...grant.payment, clientSecret: SECRET_WITHHELD } });

    // Pending, the grant holds the rights: nobody else takes them, not even on the balance rail.
    const rival = await l.account(game);
    await l.topUp(rival, 10_000);
    const overlapping = l.ok(await l.offer(p, asset.id, { territories: ['CN', 'JP'] }), 201);
    const refused = l.problem(await l.accept(game, overlapping.id, rival), 409, 'licence_conflict');
    expect(refused.conflictingGrantId).toBe(grant.id);
    // But it is not in force: not on the public register, no royalty reports.
    expect(l.ok(await t.call('GET', `/v1/board/licences?assetId=${asset.id}`), 200).data).toEqual([]);
    l.problem(await l.report(game, grant.id, l.at(0), [{ currency: 'CNY', revenue: 1 }]), 409, 'grant_not_in_force');
    expect(await l.balance(holder)).toBe(0);

    expect((await s.deliver(succeeded(intent))).status).toBe(200);
    const active = l.ok(await t.call('GET', `/v1/licence-grants/${grant.id}`, { key: game.key }), 200);
    expect(active).toMatchObject({ status: 'active', licenseeId: licensee });
    // 10,000 by card: 5% platform fee 500, the designer's 20% 2,000, the rights holder 7,500; the licensee nets 0.
    expect(await l.balance(licensee)).toBe(0);
    expect(await l.balance(p.id)).toBe(500);
    expect(await l.balance(designer)).toBe(2_000);
    expect(await l.balance(holder)).toBe(7_500);
    const payment = await paymentOf(grant.id);
    const journals = [payment.payment_journal_id!, active.feeJournalId];
    expect(
      (await t.deps.db.selectFrom('journals').select('kind').where('id', 'in', journals).execute()).map((j) => j.kind).sort(),
    ).toEqual(['licence_fee', 'payment']);
    expect(await nets(journals)).toEqual({ external: -10_000, [licensee]: 0, [p.id]: 500, [designer]: 2_000, [holder]: 7_500 });
    const [granted] = await eventsOfGrant('licence.granted', grant.id);
    expect(granted).toMatchObject({
      rail: 'stripe',
      paymentId: grant.payment.id,
      journalId: active.feeJournalId,
      upfrontFee: 10_000,
    });

    // Its certificate is the licence.granted event, once logged; the register shows it now.
    await runScheduledWork(t.deps);
    const read = l.ok(await t.call('GET', `/v1/licence-grants/${grant.id}`, { key: game.key }), 200);
    const extra = read.certificate.tlogProof.split('\n').find((x: string) => x.startsWith('extra '));
    expect(JSON.parse(Buffer.from(extra.slice(6), 'base64').toString())).toMatchObject({
      type: 'licence.granted',
      grantId: grant.id,
    });
    expect(l.ok(await t.call('GET', `/v1/board/licences?assetId=${asset.id}`), 200).data).toHaveLength(1);
    expect(refundRequests(intent.id)).toHaveLength(0);
  });

  it('duplicate and out-of-order webhooks: a failed attempt, the success 5 times at once, a late failure — one grant, one fee', async () => {
    const { grant, intent, p, licensee, designer, holder } = await pendingGrant();
    expect((await s.deliver(standIn.signedEvent('payment_intent.payment_failed', standIn.failed(intent)))).status).toBe(200);
    expect(await grantRow(grant.id)).toMatchObject({ status: 'pending_payment' });
    const event = succeeded(intent);
    const replies = await Promise.all(Array.from({ length: 5 }, () => s.deliver(event)));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(replies.filter((r) => r.body.duplicate === false)).toHaveLength(1);
    // Stripe's own redelivery under another event id changes nothing either.
    expect((await s.deliver(succeeded(intent))).status).toBe(200);
    expect((await s.deliver(standIn.signedEvent('payment_intent.payment_failed', standIn.failed(intent)))).status).toBe(200);
    expect(await grantRow(grant.id)).toMatchObject({ status: 'active' });
    expect(await eventsOfGrant('licence.granted', grant.id)).toHaveLength(1);
    const fees = await t.deps.db.selectFrom('journals').select('id').where('memo', 'like', `%${grant.id}%`).execute();
    expect(fees).toHaveLength(2); // the payment and the licence fee, once each
    expect([await l.balance(licensee), await l.balance(p.id), await l.balance(designer), await l.balance(holder)]).toEqual([
      0, 500, 2_000, 7_500,
    ]);
  });

  it('a success delivered before the acceptance has answered makes the grant once', async () => {
    const { game, offer, licensee } = await cardWorld({ territories: ['FR'] });
    let early: { payload: string; signature: string } | undefined;
    standIn.onPaymentIntentCreated = async (intent) => {
      standIn.onPaymentIntentCreated = undefined;
      early = succeeded(intent);
      expect((await s.deliver(early)).status).toBe(200);
    };
    const grant = l.ok(await acceptByCard(game, offer.id, licensee, 'card-early-1'), 202);
    expect(grant.status).toBe('active');
    expect((await s.deliver(early!)).body).toMatchObject({ duplicate: true });
    expect(await eventsOfGrant('licence.granted', grant.id)).toHaveLength(1);
  });

  it('a canceled payment lapses the grant at once and frees its rights', async () => {
    const { grant, intent, game, offer } = await pendingGrant();
    expect((await s.deliver(standIn.signedEvent('payment_intent.canceled', standIn.canceled(intent)))).status).toBe(200);
    expect(await grantRow(grant.id)).toMatchObject({ status: 'lapsed' });
    expect(await eventsOfGrant('licence.lapsed', grant.id)).toEqual([expect.objectContaining({ reason: 'payment_canceled' })]);
    const next = await l.account(game);
    expect(l.ok(await acceptByCard(game, offer.id, next), 202).status).toBe('pending_payment');
  });

  it('unpaid in the window, the grant lapses on the schedule and frees its rights; a late payment is refunded, never granted', async () => {
    const { grant, intent, game, offer, licensee, holder } = await pendingGrant();
    t.clock.advance(16 * 60);
    await runScheduledWork(t.deps);
    expect(await grantRow(grant.id)).toMatchObject({ status: 'lapsed' });
    expect(await eventsOfGrant('licence.lapsed', grant.id)).toEqual([
      expect.objectContaining({ reason: 'payment_window_lapsed' }),
    ]);
    // The rights are free: another licensee takes them on the balance rail.
    const next = await l.account(game);
    await l.topUp(next, 10_000);
    expect(l.ok(await l.accept(game, offer.id, next), 201).status).toBe('active');

    const late = succeeded(intent);
    expect((await s.deliver(late)).status).toBe(200);
    expect(await grantRow(grant.id)).toMatchObject({ status: 'lapsed', fee_journal_id: null });
    expect(refundRequests(intent.id)).toEqual([
      expect.objectContaining({
        idempotencyKey: `haipai-refund-${late.id}`,
        params: expect.objectContaining({ payment_intent: intent.id }),
      }),
    ]);
    expect(await eventsOfGrant('licence.refund_requested', grant.id)).toEqual([
      expect.objectContaining({ reason: 'grant_lapsed', amount: 10_000, licenseeId: licensee }),
    ]);
    // Redelivered, and the schedule runs again: still one refund request, no money booked.
    expect((await s.deliver(late)).body).toMatchObject({ duplicate: true });
    expect((await s.deliver(succeeded(intent))).status).toBe(200);
    await runScheduledWork(t.deps);
    expect(refundRequests(intent.id)).toHaveLength(1);
    expect((await paymentOf(grant.id)).payment_journal_id).toBeNull();
    expect(await l.balance(licensee)).toBe(0);
    expect(await l.balance(holder)).toBe(7_500); // the balance-rail grant's fee only
  });

  it('a payment arriving after the window, before the schedule ran, lapses the grant and is refunded', async () => {
    const { grant, intent } = await pendingGrant({ territories: ['DE'] });
    t.clock.advance(16 * 60);
    const late = succeeded(intent);
    expect((await s.deliver(late)).status).toBe(200);
    expect(await grantRow(grant.id)).toMatchObject({ status: 'lapsed' });
    expect(await eventsOfGrant('licence.lapsed', grant.id)).toEqual([
      expect.objectContaining({ reason: 'payment_window_lapsed' }),
    ]);
    expect(refundRequests(intent.id)).toHaveLength(1);
  });

  it('keeps the pending grant when Stripe fails; a retry with the same Idempotency-Key finds it', async () => {
    const { game, offer, licensee } = await cardWorld({ territories: ['IT'] });
    standIn.failNext('/v1/payment_intents', 2); // the SDK retries once
    l.problem(await acceptByCard(game, offer.id, licensee, 'card-retry-1'), 502, 'payment_provider_unavailable');
    const [pending] = await t.deps.db.selectFrom('licence_grants').selectAll().where('offer_id', '=', offer.id).execute();
    expect(pending).toMatchObject({ status: 'pending_payment' });
    const retried = l.ok(await acceptByCard(game, offer.id, licensee, 'card-retry-1'), 202);
    expect(retried.id).toBe(pending!.id);
    expect(await t.deps.db.selectFrom('licence_grants').select('id').where('offer_id', '=', offer.id).execute()).toHaveLength(1);
  });

  it('refuses a card acceptance of an offer without an upfront fee (422 nothing_to_pay), writing nothing', async () => {
    const { game, offer, licensee } = await cardWorld({ upfrontFee: 0, territories: ['ES'] });
    const before = await l.counts();
    l.problem(await acceptByCard(game, offer.id, licensee), 422, 'nothing_to_pay');
    expect(await l.counts()).toEqual(before);
  });

  it('10 card acceptances of one exclusive offer at once: one pending grant, 9 × 409 licence_conflict', async () => {
    const { game, offer } = await cardWorld({ territories: ['worldwide'] });
    const licensees = await l.accounts(game, 10);
    const results = await Promise.all(licensees.map((a) => acceptByCard(game, offer.id, a)));
    const won = results.filter((r) => r.status === 202);
    expect(won, JSON.stringify(results.map((r) => r.body))).toHaveLength(1);
    const lost = results.filter((r) => r.status !== 202);
    expect(new Set(lost.map((r) => `${r.status} ${r.body.code}`))).toEqual(new Set(['409 licence_conflict']));
    expect(lost.every((r) => r.body.conflictingGrantId === won[0]!.body.id)).toBe(true);
    const grants = await t.deps.db.selectFrom('licence_grants').select('status').where('offer_id', '=', offer.id).execute();
    expect(grants).toEqual([{ status: 'pending_payment' }]);
    const payments = await t.deps.db
      .selectFrom('stripe_payments')
      .innerJoin('licence_grants', 'licence_grants.id', 'stripe_payments.licence_grant_id')
      .select('stripe_payments.id')
      .where('licence_grants.offer_id', '=', offer.id)
      .execute();
    expect(payments).toHaveLength(1);
  });
});
