import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemoryLogger } from '../src/ports/logger.js';
import { OPERATOR_KEY, type TestApp } from './support/harness.js';
import { marketWorld } from './support/market.js';
import { type StripeHarness, type StripeStandIn, startStripeTestApp } from './support/stripe-standin.js';

// Issue 18, item 3: card top-ups and Connect account status end the same in every delivery order.
// Events are Stripe-signed (the SDK's test header) and delivered to POST /v1/stripe/webhook shuffled,
// duplicated and interleaved with another payment's or account's; with DATABASE_URL on PostgreSQL,
// several orders of the same events are also delivered at once.
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

const onPostgres = Boolean(process.env.DATABASE_URL);
/** A passing run takes seconds; a failing one shrinks its counterexample with fresh trades, which takes minutes. */
const SHRINK_TIMEOUT = 600_000;
type Signed = { payload: string; signature: string; id: string };

async function deliverUntilAccepted(event: Signed) {
  for (let attempt = 1; ; attempt++) {
    const reply = await s.deliver(event);
    if (reply.status === 200 || attempt === 5) {
      const requestId = (reply.body as { requestId?: string }).requestId;
      const logged = (t.deps.log as MemoryLogger).lines.filter((l) => requestId && l.fields?.requestId === requestId);
      expect(reply.status, JSON.stringify({ reply: reply.body, logged })).toBe(200);
      return;
    }
  }
}

const permutation = (keys: number[], count: number) =>
  Array.from({ length: count }, (_, i) => i).sort((a, b) => keys[a]! - keys[b]! || a - b);

/** Runs each stream's deliveries in order, all streams at once (on PGlite they take turns). */
const deliverStreams = (streams: Signed[][]) =>
  Promise.all(
    streams.map(async (stream) => {
      for (const e of stream) await deliverUntilAccepted(e);
    }),
  );

/** Two copies of every stream of each payment: different orders, the second repeats its first events. */
function orders<T>(events: T[], keys: number[]): T[][] {
  const a = permutation(keys, events.length).map((i) => events[i]!);
  const b = permutation(keys.slice(events.length), events.length).map((i) => events[i]!);
  return [a, [...b, ...b.slice(0, 2)]];
}

describe('card top-ups: the same facts give the same balance in every order', () => {
  const AMOUNT = 5_000;
  const factsArb = fc
    .record({
      attempt: fc.constantFrom('none', 'failed', 'canceled', 'succeeded', 'succeeded', 'failed_succeeded'),
      refunds: fc.constantFrom<number[]>([], [], [1_000], [1_000, 3_000], [AMOUNT], [2_000, AMOUNT]),
      dispute: fc.constantFrom('none', 'none', 'open', 'won', 'lost'),
    })
    .map((f) => (f.attempt.endsWith('succeeded') ? f : { ...f, refunds: [], dispute: 'none' }));

  /** The table's rows for a top-up: credited once paid, less what Stripe took back; never a refund request. */
  function expected(f: { attempt: string; refunds: number[]; dispute: string }) {
    if (!f.attempt.endsWith('succeeded')) return { balance: 0, status: 'pending' };
    const refunded = Math.max(0, ...f.refunds);
    if (refunded >= AMOUNT || f.dispute === 'lost') return { balance: 0, status: 'reversed' };
    return { balance: AMOUNT - refunded, status: 'credited' };
  }

  function eventsOf(f: { attempt: string; refunds: number[]; dispute: string }, intent: Record<string, unknown>) {
    const out: Signed[] = [];
    if (f.attempt.startsWith('failed')) out.push(standIn.signedEvent('payment_intent.payment_failed', standIn.failed(intent)));
    if (f.attempt === 'canceled') out.push(standIn.signedEvent('payment_intent.canceled', standIn.canceled(intent)));
    if (f.attempt.endsWith('succeeded')) out.push(standIn.signedEvent('payment_intent.succeeded', standIn.succeeded(intent)));
    for (const total of f.refunds) out.push(standIn.signedEvent('charge.refunded', standIn.refundedCharge(intent, total)));
    if (f.dispute !== 'none') out.push(standIn.signedEvent('charge.dispute.created', standIn.dispute(intent, 'needs_response')));
    if (f.dispute === 'won' || f.dispute === 'lost')
      out.push(standIn.signedEvent('charge.dispute.closed', standIn.dispute(intent, f.dispute)));
    return out;
  }

  it(
    'two top-ups with the same facts, several orders at once, duplicates: the table’s balance and status',
    async () => {
      const p = await m.platform();
      await fc.assert(
        fc.asyncProperty(factsArb, fc.array(fc.nat(), { minLength: 40, maxLength: 40 }), async (facts, keys) => {
          const topUps = [];
          for (let i = 0; i < 2; i++) {
            const holder = await m.account(p);
            const created = m.ok(
              await t.call('POST', '/v1/balances/stripe-top-ups', {
                key: p.key,
                body: { holderId: holder, currency: 'CNY', amount: AMOUNT },
              }),
              201,
            );
            topUps.push({ holder, id: created.id as string, intent: standIn.intents.get(created.paymentIntentId)! });
          }
          const streams = topUps.flatMap((x, i) => orders(eventsOf(facts, x.intent), keys.slice(i * 20)));
          await deliverStreams(streams);
          const want = expected(facts);
          for (const x of topUps) {
            const read = m.ok(await t.call('GET', `/v1/balances/stripe-top-ups/${x.id}`, { key: p.key }), 200);
            expect({ balance: await m.balance(x.holder), status: read.status }, JSON.stringify(facts)).toEqual(want);
            expect(standIn.requests.filter((r) => r.path === '/v1/refunds' && r.params.payment_intent === x.intent.id)).toEqual(
              [],
            );
          }
          const total = await sql<{
            s: string;
          }>`select ((select coalesce(sum(amount), 0) from balances) + (select coalesce(sum(amount), 0) from postings where deferred and balance_after is null) + (select coalesce(sum(amount), 0) from postings where holder = 'external'))::text as s`.execute(
            t.deps.db,
          );
          expect(total.rows[0]!.s).toBe('0');
        }),
        { numRuns: onPostgres ? 30 : 12 },
      );
    },
    SHRINK_TIMEOUT,
  );
});

describe('Connect account status: the same reports give the same status in every order', () => {
  /** One account.updated: when Stripe made it (seconds after a base, so some share a second) and what it says. */
  const reportArb = fc.record({
    second: fc.integer({ min: 0, max: 2 }),
    payouts: fc.boolean(),
    charges: fc.boolean(),
    details: fc.boolean(),
    due: fc.constantFrom<string[]>([], ['external_account'], ['business_type', 'tos_acceptance.date']),
  });
  type Report = { second: number; payouts: boolean; charges: boolean; details: boolean; due: string[] };
  const patchOf = (r: Report) => ({
    charges_enabled: r.charges,
    payouts_enabled: r.payouts,
    details_submitted: r.details,
    requirements: { currently_due: r.due, disabled_reason: r.due.length ? 'requirements.past_due' : null },
  });
  const enablement = (r: Report) => (r.payouts ? 4 : 0) + (r.charges ? 2 : 0) + (r.details ? 1 : 0);

  /** The table's rule: the newest report; in one second the least enabled; then the larger event id. */
  function held(reports: { report: Report; id: string }[]) {
    const [winner] = [...reports].sort(
      (a, b) =>
        b.report.second - a.report.second ||
        enablement(a.report) - enablement(b.report) ||
        (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
    );
    const r = winner!.report;
    return { payoutsEnabled: r.payouts, chargesEnabled: r.charges, detailsSubmitted: r.details, requirementsDue: r.due };
  }

  it(
    'two accounts given the same reports, several orders at once, duplicates: the table’s status',
    async () => {
      const p = await m.platform();
      await fc.assert(
        fc.asyncProperty(
          fc.array(reportArb, { minLength: 1, maxLength: 4 }),
          fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
          async (reports, keys) => {
            const accounts = [];
            for (let i = 0; i < 2; i++) {
              const acc = await m.account(p);
              const res = await t.call('POST', '/v1/stripe/connect/onboarding', {
                key: p.key,
                body: { accountId: acc, refreshUrl: 'https://platform.example/r', returnUrl: 'https://platform.example/d' },
              });
              // Stripe's reports come after the retrieval onboarding made.
              const base = Math.floor(t.clock.now().getTime() / 1000) + 10;
              const acct = m.ok(res, 201).stripeAccountId as string;
              const events = reports.map((report) => ({
                report,
                event: standIn.accountUpdated(acct, patchOf(report), { created: base + report.second }),
              }));
              accounts.push({ acc, events });
            }
            const streams = accounts.flatMap((a, i) =>
              orders(
                a.events.map((e) => e.event),
                keys.slice(i * 20),
              ),
            );
            await deliverStreams(streams);
            for (const a of accounts) {
              const view = m.ok(await t.call('GET', `/v1/accounts/${a.acc}/stripe-connect`, { key: OPERATOR_KEY }), 200);
              const want = held(a.events.map((e) => ({ report: e.report, id: e.event.id })));
              expect(
                {
                  payoutsEnabled: view.payoutsEnabled,
                  chargesEnabled: view.chargesEnabled,
                  detailsSubmitted: view.detailsSubmitted,
                  requirementsDue: view.requirementsDue,
                },
                JSON.stringify(reports),
              ).toEqual(want);
            }
          },
        ),
        { numRuns: onPostgres ? 30 : 15 },
      );
    },
    SHRINK_TIMEOUT,
  );
});
