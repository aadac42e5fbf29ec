import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR_KEY, type TestApp } from './support/harness.js';
import { marketWorld } from './support/market.js';
import { ENABLED_ACCOUNT, type StripeHarness, type StripeStandIn, startStripeTestApp } from './support/stripe-standin.js';

// Connect onboarding status (account.updated), the payouts_enabled gate and the payouts list, through
// the real SDK and the api.stripe.com stand-in. With DATABASE_URL these run on real PostgreSQL.
let t: TestApp;
let m: ReturnType<typeof marketWorld>;
let standIn: StripeStandIn;
let s: StripeHarness;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ t, standIn, s, close } = await startStripeTestApp({ NOTICE_PERIOD: '0' }));
  m = marketWorld(t);
});
afterAll(async () => close?.());

type Key = { key: string; id: string };

async function onboard(p: { key: string }, accountId: string): Promise<string> {
  const res = await t.call('POST', '/v1/stripe/connect/onboarding', {
    key: p.key,
    body: { accountId, refreshUrl: 'https://platform.example/refresh', returnUrl: 'https://platform.example/done' },
  });
  return m.ok(res, 201).stripeAccountId;
}

const status = (key: string, accountId: string) => t.call('GET', `/v1/accounts/${accountId}/stripe-connect`, { key });
const transfersOf = (tradeId: string) =>
  standIn.requests.filter((r) => r.path === '/v1/transfers' && r.params.transfer_group === tradeId);
const stripeNow = () => Math.floor(t.clock.now().getTime() / 1000);

/** A work (10% royalty, 5% fee) on platform `p` and a seller holding `units` units of it. */
async function sellerWithUnits(units: number, p?: Key) {
  const world = await m.work({ royaltyBps: 1000, p });
  const seller = await m.account(world.p);
  const minted = (await m.mint(world.p, world.edition.id, units, seller)).units as { id: string }[];
  return { ...world, seller, units: minted };
}

/** One unit sold on the stripe rail for 10,000 and paid: the webhook settles it. */
async function sell(p: { key: string }, seller: string, unitId: string, opts: { failTransfers?: boolean } = {}) {
  const buyer = await m.account(p);
  const listing = await m.list(p, { kind: 'fixed', sellerId: seller, unitId, price: 10_000 });
  const trade = m.ok(
    await t.call('POST', `/v1/listings/${listing.id}/purchase`, { key: p.key, body: { buyerId: buyer, rail: 'stripe' } }),
    201,
  );
  const intent = standIn.intents.get(trade.payment.paymentIntentId)!;
  if (opts.failTransfers) standIn.failNext('/v1/transfers', 4); // both transfers' calls and the SDK's retries
  expect((await s.deliver(standIn.signedEvent('payment_intent.succeeded', standIn.succeeded(intent)))).status).toBe(200);
  return { tradeId: trade.id as string, intent };
}

describe('Stripe Connect onboarding status', () => {
  it('shows what Stripe reported at onboarding, to the operator and the account’s platform only', async () => {
    const p = await m.platform();
    const acc = await m.account(p);
    const before = m.ok(await status(p.key, acc), 200);
    expect(before).toMatchObject({ accountId: acc, stripeAccountId: null, payoutsEnabled: false, statusAt: null });

    const acct = await onboard(p, acc);
    expect(standIn.requests.filter((r) => r.method === 'GET' && r.path === `/v1/accounts/${acct}`)).toHaveLength(1);
    const view = m.ok(await status(p.key, acc), 200);
    expect(view).toMatchObject({
      stripeAccountId: acct,
      chargesEnabled: false,
      payoutsEnabled: false,
      detailsSubmitted: false,
      requirementsDue: expect.arrayContaining(['external_account']),
      disabledReason: 'requirements.past_due',
      statusAt: expect.any(String),
    });
    expect(m.ok(await status(OPERATOR_KEY, acc), 200)).toEqual(view);
    const other = await m.platform('Other');
    expect((await status(other.key, acc)).status).toBe(404);
    expect((await status(OPERATOR_KEY, 'acc_01JABCDEFGHJKMNPQRSTVWXYZ1')).status).toBe(404);
  });

  it('a missed account.updated heals when onboarding is requested again (the account is read from Stripe)', async () => {
    const p = await m.platform();
    const acc = await m.account(p);
    const acct = await onboard(p, acc);
    standIn.updateAccount(acct, ENABLED_ACCOUNT); // Stripe changed it; the webhook never arrived
    await onboard(p, acc);
    expect(m.ok(await status(p.key, acc), 200)).toMatchObject({
      payoutsEnabled: true,
      requirementsDue: [],
      disabledReason: null,
    });
  });

  it('an older account.updated delivered after a newer one changes nothing', async () => {
    const p = await m.platform();
    const acc = await m.account(p);
    const acct = await onboard(p, acc);
    const at = stripeNow();
    const newer = standIn.accountUpdated(acct, ENABLED_ACCOUNT, { created: at + 120 });
    const older = standIn.accountUpdated(
      acct,
      {
        payouts_enabled: false,
        requirements: { currently_due: ['external_account'], disabled_reason: 'requirements.pending_verification' },
      },
      { created: at + 60 },
    );
    expect((await s.deliver(newer)).body).toMatchObject({ duplicate: false, ignored: false });
    expect((await s.deliver(older)).body).toMatchObject({ duplicate: false, ignored: false });
    expect(m.ok(await status(p.key, acc), 200)).toMatchObject({
      payoutsEnabled: true,
      requirementsDue: [],
      disabledReason: null,
      statusAt: new Date((at + 120) * 1000).toISOString(),
    });
  });

  it('the same event delivered 5 times at once is applied once', async () => {
    const p = await m.platform();
    const acc = await m.account(p);
    const acct = await onboard(p, acc);
    const event = standIn.accountUpdated(acct, ENABLED_ACCOUNT);
    const answers = await Promise.all(Array.from({ length: 5 }, () => s.deliver(event)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(answers.filter((a) => a.body.duplicate === false)).toHaveLength(1);
    const rows = await t.deps.db.selectFrom('stripe_events').select('type').where('id', '=', event.id).execute();
    expect(rows).toEqual([{ type: 'account.updated' }]);
    expect(m.ok(await status(p.key, acc), 200)).toMatchObject({ payoutsEnabled: true });
  });

  it('an account that is not ours is ignored with 200; a signature by neither secret is refused', async () => {
    const stranger = standIn.signedEvent(
      'account.updated',
      { id: 'acct_notours123', object: 'account', ...ENABLED_ACCOUNT },
      {
        account: 'acct_notours123',
      },
    );
    const res = await s.deliver(stranger);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ received: true, duplicate: false, ignored: true });

    const p = await m.platform();
    const acc = await m.account(p);
    const acct = await onboard(p, acc);
    const payload = JSON.parse(standIn.accountUpdated(acct, ENABLED_ACCOUNT).payload);
    const forged = JSON.stringify(payload);
    const signature = new Stripe('sk_test_other').webhooks.generateTestHeaderString({
      payload: forged,
      secret: 'whsec_someone_else',
    });
    expect((await s.deliver({ payload: forged, signature })).status).toBe(400);
    expect(m.ok(await status(p.key, acc), 200)).toMatchObject({ payoutsEnabled: false });
  });
});

describe('payouts only to accounts Stripe has enabled', () => {
  it('no transfer before account.updated enables payouts; the next sale after it transfers', async () => {
    const w = await sellerWithUnits(2);
    const sellerAcct = await onboard(w.p, w.seller);
    const creatorAcct = await onboard(w.p, w.creator);

    const first = await sell(w.p, w.seller, w.units[0]!.id);
    expect(transfersOf(first.tradeId)).toEqual([]);
    // Proceeds stay on the clearing balances, as for holders without a connected account.
    expect([await m.balance(w.seller), await m.balance(w.creator)]).toEqual([8_500, 1_000]);
    expect(m.ok(await t.call('GET', `/v1/accounts/${w.seller}/payouts`, { key: w.p.key }), 200).transfers).toEqual([]);

    expect((await s.enablePayouts(sellerAcct)).body).toMatchObject({ ignored: false });
    expect((await s.enablePayouts(creatorAcct)).body).toMatchObject({ ignored: false });
    const second = await sell(w.p, w.seller, w.units[1]!.id);
    const sent = transfersOf(second.tradeId);
    expect(new Map(sent.map((r) => [r.params.destination, r.params.amount]))).toEqual(
      new Map([
        [sellerAcct, '8500'],
        [creatorAcct, '1000'],
      ]),
    );
    // The first sale's proceeds are not swept out later: they stay where they were.
    expect([await m.balance(w.seller), await m.balance(w.creator)]).toEqual([8_500, 1_000]);
    expect(transfersOf(first.tradeId)).toEqual([]);
  });
});

describe('GET /v1/payouts', () => {
  it('filters by status, pages with cursors, and shows a platform only its own accounts’ payouts', async () => {
    const a = await sellerWithUnits(3);
    for (const holder of [a.seller, a.creator]) await s.enablePayouts(await onboard(a.p, holder));
    const sent = await sell(a.p, a.seller, a.units[0]!.id);
    const failed = await sell(a.p, a.seller, a.units[1]!.id, { failTransfers: true });
    const refunded = await sell(a.p, a.seller, a.units[2]!.id);
    expect((await s.deliver(standIn.signedEvent('charge.refunded', standIn.refundedCharge(refunded.intent)))).status).toBe(200);

    const b = await sellerWithUnits(1);
    for (const holder of [b.seller, b.creator]) await s.enablePayouts(await onboard(b.p, holder));
    const theirs = await sell(b.p, b.seller, b.units[0]!.id);

    type Payout = { id: string; tradeId: string; accountId: string; status: string };
    async function all(key: string, query = ''): Promise<Payout[]> {
      const out: Payout[] = [];
      let after: string | null = null;
      do {
        const cursor: string = after ? `&after=${encodeURIComponent(after)}` : '';
        const page = m.ok(await t.call('GET', `/v1/payouts?limit=1${query}${cursor}`, { key }), 200);
        expect(page.data.length).toBeLessThanOrEqual(1);
        out.push(...page.data);
        after = page.nextCursor;
      } while (after);
      return out;
    }
    const trades = (rows: Payout[]) => rows.map((r) => r.tradeId);

    const mine = await all(a.p.key);
    expect(mine).toHaveLength(6);
    expect(new Set(mine.map((r) => r.id)).size).toBe(6);
    expect(new Set(mine.map((r) => r.accountId))).toEqual(new Set([a.seller, a.creator]));
    expect(trades(await all(a.p.key, '&status=sent'))).toEqual([sent.tradeId, sent.tradeId]);
    const failing = await all(a.p.key, '&status=failed');
    expect(trades(failing)).toEqual([failed.tradeId, failed.tradeId]);
    expect(failing[0]).toMatchObject({ status: 'retrying', attempts: 1, lastError: expect.any(String), paidAt: null });
    expect(trades(await all(a.p.key, '&status=clawed_back'))).toEqual([refunded.tradeId, refunded.tradeId]);
    expect(await all(a.p.key, '&status=pending')).toEqual([]);

    // The other platform sees its own two; the operator sees both platforms'.
    expect(trades(await all(b.p.key))).toEqual([theirs.tradeId, theirs.tradeId]);
    const everyone = trades(await all(OPERATOR_KEY, '&status=sent'));
    expect(everyone).toEqual(expect.arrayContaining([sent.tradeId, theirs.tradeId]));
    expect(everyone).not.toContain(failed.tradeId);

    const big = m.ok(await t.call('GET', '/v1/payouts?limit=100', { key: a.p.key }), 200);
    expect(big.data.map((r: Payout) => r.id)).toEqual(mine.map((r) => r.id));
    expect(big.nextCursor).toBeNull();
    expect((await t.call('GET', '/v1/payouts?limit=101', { key: a.p.key })).status).toBe(400);
    expect((await t.call('GET', '/v1/payouts?status=lost', { key: a.p.key })).status).toBe(400);
    m.problem(await t.call('GET', '/v1/payouts?after=bm9wZQ', { key: a.p.key }), 400, 'invalid_cursor');
    expect((await t.call('GET', '/v1/payouts')).status).toBe(401);
  });
});
