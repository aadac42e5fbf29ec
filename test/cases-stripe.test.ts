import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScheduledWork } from '../src/scheduled.js';
import type { TestApp } from './support/harness.js';
import type { StripeHarness, StripeStandIn } from './support/stripe-standin.js';
import { type StripeTradesApp, startStripeTradesApp } from './support/stripe-trades.js';

// Interim measures on a work with a card payment under way: the suspension releases the
// reservation, and the payment that then succeeds goes back to the card through the Stripe rail's
// own refund path — once, never settling. With DATABASE_URL on real PostgreSQL.
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

const refundRequests = (intentId: string) =>
  standIn.requests.filter((r) => r.method === 'POST' && r.path === '/v1/refunds' && r.params.payment_intent === intentId);

describe('suspending listings of a work with a card payment under way', () => {
  it('releases the reservation; the payment that succeeds later is refunded once; the unit never moves', async () => {
    const { trade, intent, unit, seller, listing, off, asset } = await st.reserved();
    const opened = m.ok(
      await t.call('POST', '/v1/cases', { key: off.key, body: { assetId: asset.id, courtReference: 'Injunction 7' } }),
      201,
    );
    m.ok(
      await t.call('POST', `/v1/cases/${opened.id}/measures`, {
        key: off.key,
        body: { suspendListings: true, freeze: 'all', reason: 'Injunction' },
      }),
      200,
    );
    expect(await st.tradeRow(trade.id)).toMatchObject({ status: 'released', release_reason: `case ${opened.id}` });
    expect(m.ok(await t.call('GET', `/v1/listings/${listing.id}`), 200).status).toBe('cancelled');

    const event = standIn.signedEvent('payment_intent.succeeded', standIn.succeeded(intent));
    expect((await s.deliver(event)).status).toBe(200);
    expect(await st.tradeRow(trade.id)).toMatchObject({ status: 'released' });
    expect(await m.owner(unit.id)).toBe(seller);
    expect(refundRequests(intent.id as string)).toEqual([
      expect.objectContaining({
        idempotencyKey: `haipai-refund-${event.id}`,
        params: expect.objectContaining({ payment_intent: intent.id }),
      }),
    ]);
    // Redelivered, and the schedule runs: still one refund, no journal.
    expect((await s.deliver(event)).body).toMatchObject({ duplicate: true });
    await runScheduledWork(t.deps);
    expect(refundRequests(intent.id as string)).toHaveLength(1);
    expect(await st.journalsOf(trade.id)).toHaveLength(0);
  });
});
