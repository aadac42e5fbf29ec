-- Stripe rail: payments for trades and top-ups, webhook deduplication, refunds requested after
-- commit (DESIGN §2 "Settlement", issue 5).

-- ── Ledger extensions ────────────────────────────────────────────────────────────────────────
-- payment: a card payment arrives from outside (external → buyer) just before the trade journal
--          spends it, so the trade settles through the same settleTrade as the balance rail.
-- refund:  the reverse of a payment: money leaves to the card (buyer → external).
-- hold / hold_release: a disputed trade's seller proceeds parked on 'hold:<trade id>' and back.
-- payout:  proceeds leave the clearing balance for the holder's Stripe Connect account (holder → external).
alter table journals drop constraint journals_kind_check;
alter table journals add constraint journals_kind_check
  check (kind in ('topup', 'trade', 'reversal', 'payment', 'refund', 'hold', 'hold_release', 'payout'));

alter table postings drop constraint postings_holder_check;
alter table postings add constraint postings_holder_check
  check (holder ~ '^(acc|plt)_[0-9A-Z]{26}$' or holder = 'external' or holder ~ '^hold:trd_[0-9A-Z]{26}$');

alter table postings drop constraint postings_role_check;
alter table postings add constraint postings_role_check
  check (role in ('topup_source', 'topup', 'buyer', 'seller', 'platform_fee', 'royalty', 'parent_royalty',
                  'payment_source', 'payment', 'refund', 'refund_sink', 'hold', 'payout', 'payout_sink'));

-- ── Stripe payments: one PaymentIntent per trade on the stripe rail, or per top-up ────────────
-- The row is written in the transaction that reserves the trade (or records the top-up); the
-- PaymentIntent is created after commit with idempotency key 'haipai-pi-<id>', so a retry asks
-- Stripe for the same one. Webhook facts (succeeded, refunded, dispute …) are recorded here and
-- the ledger is reconciled to them, which makes handlers order-tolerant.
create table stripe_payments (
  id                      text primary key check (id ~ '^(trd|stp)_[0-9A-Z]{26}$'),
  purpose                 text not null check (purpose in ('trade', 'topup')),
  trade_id                text unique references trades(id),
  holder                  text not null,
  currency                text not null check (currency ~ '^[A-Z]{3}$'),
  amount                  bigint not null check (amount > 0),
  -- '<principal>:<Idempotency-Key>' of the request that made it: a retry finds this row
  request_key             text unique,
  payment_intent_id       text unique,
  succeeded_at            timestamptz,
  amount_received         bigint,
  -- the Charge of a succeeded PaymentIntent: Connect transfers name it as source_transaction
  charge_id               text,
  failed_at               timestamptz,
  canceled_at             timestamptz,
  refunded_at             timestamptz,
  dispute_id              text,
  dispute_status          text check (dispute_status in ('open', 'won', 'lost')),
  payment_journal_id      text references journals(id),
  hold_journal_id         text references journals(id),
  hold_release_journal_id text references journals(id),
  reversal_journal_id     text references journals(id),
  refund_journal_id       text references journals(id),
  created_at              timestamptz not null,
  updated_at              timestamptz not null,
  check ((purpose = 'trade') = (trade_id is not null))
);

-- ── Webhook deduplication: an event's effect commits with its row, or neither does ───────────
create table stripe_events (
  id                 text primary key,
  type               text not null,
  payment_intent_id  text,
  stripe_created     timestamptz not null,
  received_at        timestamptz not null
);
create trigger stripe_events_append_only before update or delete on stripe_events
  for each row execute function refuse_change();

-- ── Refunds we ask Stripe for (a payment that arrived too late, …) ───────────────────────────
-- Written in the transaction that decides; sent after commit and by the scheduled job until
-- Stripe answers, always with the same idempotency key.
create table stripe_refunds (
  id                 text primary key check (id ~ '^rfq_[0-9A-Z]{26}$'),
  payment_id         text not null references stripe_payments(id),
  payment_intent_id  text not null,
  idempotency_key    text not null unique,
  reason             text not null,
  stripe_refund_id   text,
  attempts           integer not null default 0,
  next_attempt_at    timestamptz not null,
  last_error         text,
  created_at         timestamptz not null,
  sent_at            timestamptz
);
create unique index stripe_refunds_one_per_payment on stripe_refunds (payment_id);
create index stripe_refunds_due_idx on stripe_refunds (next_attempt_at) where sent_at is null;

-- ── Stripe Connect: sellers' and creators' connected accounts, and transfers of their proceeds ─
create table stripe_connected_accounts (
  holder             text primary key check (holder ~ '^acc_[0-9A-Z]{26}$') references accounts(id),
  stripe_account_id  text not null unique,
  created_at         timestamptz not null
);

-- One transfer per (trade, holder, role), written with the settlement and its payout journal; sent
-- after commit with its own idempotency key, retried with backoff by the schedule until Stripe takes it.
create table stripe_transfers (
  id                 text primary key check (id ~ '^tfq_[0-9A-Z]{26}$'),
  trade_id           text not null references trades(id),
  holder             text not null references stripe_connected_accounts(holder),
  role               text not null,
  currency           text not null check (currency ~ '^[A-Z]{3}$'),
  amount             bigint not null check (amount > 0),
  transfer_group     text not null,
  source_charge      text,
  journal_id         text not null references journals(id),
  idempotency_key    text not null unique,
  stripe_transfer_id text,
  attempts           integer not null default 0,
  next_attempt_at    timestamptz not null,
  last_error         text,
  created_at         timestamptz not null,
  sent_at            timestamptz,
  -- A refund or dispute claws the payout back: its journal is reversed at once; a transfer not yet
  -- sent is never sent, one already sent gets a transfer reversal (sent like the transfer, retried).
  clawback_journal_id text references journals(id),
  clawed_back_at     timestamptz,
  stripe_reversal_id text,
  reversal_sent_at   timestamptz,
  unique (trade_id, holder, role)
);
create index stripe_transfers_due_idx on stripe_transfers (next_attempt_at)
  where sent_at is null or (clawed_back_at is not null and reversal_sent_at is null);
create index stripe_transfers_holder_idx on stripe_transfers (holder, created_at, id);
