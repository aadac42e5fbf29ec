-- Card-authorised bids (issue 10, item 4): an English bid on the stripe rail is a PaymentIntent with
-- manual capture. Its stripe_payments row (purpose 'bid') is written with the bid request; the bid
-- counts (a `bids` row) only once Stripe reports the authorisation. The winner's authorisation is
-- captured at the close (the row then names the auction's trade and settles it like a stripe-rail
-- purchase); every other authorisation is cancelled.
alter table stripe_payments drop constraint stripe_payments_purpose_check;
alter table stripe_payments add constraint stripe_payments_purpose_check check (purpose in ('trade', 'topup', 'bid'));
alter table stripe_payments drop constraint stripe_payments_check;
alter table stripe_payments add constraint stripe_payments_trade_check
  check ((purpose = 'trade' and trade_id is not null) or (purpose = 'topup' and trade_id is null) or purpose = 'bid');

-- The auction the bid is on, and the accepted bid once the authorisation made it count.
alter table stripe_payments add column listing_id text references listings(id);
alter table stripe_payments add constraint stripe_payments_bid_listing check ((purpose = 'bid') = (listing_id is not null));
alter table stripe_payments add column bid_id text unique references bids(id);
-- Stripe reported the amount capturable (payment_intent.amount_capturable_updated, status requires_capture).
alter table stripe_payments add column authorized_at timestamptz;
-- Why an authorised bid never counted: outbid (or the auction ended) before Stripe authorised it, …
alter table stripe_payments add column bid_refused text
  check (bid_refused in ('bid_too_low', 'auction_ended', 'bidder_refused', 'replaced', 'payment_canceled'));
-- What the exchange asks Stripe to do with the authorisation, decided once under the listing's
-- lock and sent after commit (and by the schedule until Stripe answers), like refunds.
alter table stripe_payments add column bid_action text check (bid_action in ('capture', 'cancel'));
alter table stripe_payments add column bid_action_sent_at timestamptz;
alter table stripe_payments add column bid_action_attempts integer not null default 0;
alter table stripe_payments add column bid_action_next_at timestamptz;
alter table stripe_payments add column bid_action_error text;
alter table stripe_payments add constraint stripe_payments_bid_action check (bid_action is null or purpose = 'bid');

create index stripe_payments_listing_idx on stripe_payments (listing_id) where listing_id is not null;
create index stripe_payments_bid_action_due_idx on stripe_payments (bid_action_next_at)
  where bid_action is not null and bid_action_sent_at is null;
