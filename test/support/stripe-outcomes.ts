import fc from 'fast-check';

/**
 * The table of outcomes in src/features/stripe/README.md, written a second time, as a model the
 * property tests compare the app against: given the facts about one stripe-rail trade, what its end
 * state must be. It shares no code with reconciliation.
 */

export const PRICE = 10_000;
/** Fee 5% and royalty 10% (stripeTrades' listedUnit): the seller gets 85%. */
const SHARES = { seller: 8_500, royalty: 1_000, platform_fee: 500 } as const;

/** What happened on the exchange's side before Stripe's news arrived. */
export type Local =
  | 'live' // the reservation holds while every event is delivered
  | 'lapsed' // its time is up, but the schedule has not released it yet
  | 'released' // the schedule released it
  | 'sold_on' // released, and the unit was then sold to someone else
  | 'cancelled'; // the buyer let it go

/** What happened to the PaymentIntent at Stripe (its states: failures may repeat; succeeded and canceled are final). */
export type Attempt = 'none' | 'failed' | 'canceled' | 'failed_canceled' | 'succeeded' | 'failed_succeeded';
export type Dispute = 'none' | 'open' | 'won' | 'lost';

export interface TradeFacts {
  local: Local;
  attempt: Attempt;
  /** charge.refunded events: the refunded total each one reports (the last may be the whole price). */
  refunds: number[];
  dispute: Dispute;
}

const paidAttempts: Attempt[] = ['succeeded', 'failed_succeeded'];
export const isPaid = (f: TradeFacts) => paidAttempts.includes(f.attempt);

/** Sets of facts Stripe can send about one PaymentIntent: refunds and disputes only of a payment that succeeded. */
export const tradeFactsArb: fc.Arbitrary<TradeFacts> = fc
  .record({
    local: fc.constantFrom<Local>('live', 'live', 'live', 'lapsed', 'released', 'sold_on', 'cancelled'),
    attempt: fc.constantFrom<Attempt>(
      'none',
      'failed',
      'canceled',
      'failed_canceled',
      'succeeded',
      'succeeded',
      'failed_succeeded',
    ),
    refunds: fc.constantFrom<number[]>([], [], [3_000], [2_000, 6_000], [PRICE], [4_000, PRICE]),
    dispute: fc.constantFrom<Dispute>('none', 'none', 'open', 'won', 'lost'),
  })
  .map((f) => (isPaid(f) ? f : { ...f, refunds: [], dispute: 'none' as Dispute }));

export interface TradeOutcome {
  status: 'reserved' | 'settled' | 'released';
  releaseReason: string | null;
  owner: 'seller' | 'buyer' | 'someone_else';
  /** Active freezes' causes, sorted. */
  freezes: string[];
  /** Net of every holder over the trade's journals, zeros left out ('hold' is hold:<trade>). */
  net: Record<string, number>;
  /** Refunds Stripe made at the exchange's request. */
  refundsMade: number;
}

export function expectedOutcome(f: TradeFacts): TradeOutcome {
  const paid = isPaid(f);
  const canceled = f.attempt === 'canceled' || f.attempt === 'failed_canceled';
  const refunded = f.refunds.length ? Math.max(...f.refunds) : 0;
  const fullRefund = refunded >= PRICE;
  if (paid && f.local === 'live') {
    // The sale happened; what Stripe said after it is booked against it.
    const reversed = fullRefund || f.dispute === 'lost' ? PRICE : refunded;
    const left = (share: number) => share - (share * reversed) / PRICE;
    const seller = left(SHARES.seller);
    const held = f.dispute === 'open' && reversed < PRICE ? seller : 0;
    const net: Record<string, number> = {
      seller: seller - held,
      creator: left(SHARES.royalty),
      platform: left(SHARES.platform_fee),
      hold: held,
      external: -PRICE + reversed,
    };
    const freezes = [
      ...(fullRefund ? ['refunded'] : []),
      ...(f.dispute === 'lost' ? ['dispute_lost'] : []),
      ...(f.dispute === 'open' && reversed < PRICE ? ['payment_disputed'] : []),
    ].sort();
    return { status: 'settled', releaseReason: null, owner: 'buyer', freezes, net: dropZeros(net), refundsMade: 0 };
  }
  // No sale: nothing reaches the books; a payment that came anyway goes back to the card once,
  // unless Stripe already returned all of it or a dispute is returning it.
  const status = f.local === 'live' && !canceled ? 'reserved' : 'released';
  const releaseReason =
    status === 'reserved'
      ? null
      : f.local === 'cancelled'
        ? 'cancelled_by_buyer'
        : f.local === 'live' || (f.local === 'lapsed' && !paid && canceled)
          ? 'payment_canceled'
          : 'reservation_expired';
  const refundsMade = paid && !fullRefund && f.dispute !== 'open' && f.dispute !== 'lost' ? 1 : 0;
  return {
    status,
    releaseReason,
    owner: f.local === 'sold_on' ? 'someone_else' : 'seller',
    freezes: [],
    net: {},
    refundsMade,
  };
}

function dropZeros(net: Record<string, number>) {
  return Object.fromEntries(Object.entries(net).filter(([, v]) => v !== 0));
}
