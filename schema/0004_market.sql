-- Trade board and settlement on clearing balances (DESIGN §2 "Market", "Settlement").

-- The royalty of every sale of the edition's units, in basis points of the price.
alter table editions add column royalty_bps integer not null default 0 check (royalty_bps between 0 and 5000);

-- ── Ledger: balanced double-entry journals; balances are the running sum of postings ──────────
-- Holders are accounts, platforms, or 'external' (money entering or leaving the exchange).
create table journals (
  id          text primary key check (id ~ '^jnl_[0-9A-Z]{26}$'),
  kind        text not null check (kind in ('topup', 'trade', 'reversal')),
  currency    text not null check (currency ~ '^[A-Z]{3}$'),
  trade_id    text,
  reverses    text unique references journals(id),
  memo        text check (length(memo) <= 500),
  created_at  timestamptz not null
);
create index journals_trade_idx on journals (trade_id);

create table postings (
  id          bigserial primary key,
  journal_id  text not null references journals(id),
  holder      text not null check (holder ~ '^(acc|plt)_[0-9A-Z]{26}$' or holder = 'external'),
  role        text not null check (role in ('topup_source', 'topup', 'buyer', 'seller', 'platform_fee', 'royalty', 'parent_royalty')),
  amount      bigint not null check (amount <> 0)
);
create index postings_journal_idx on postings (journal_id);
create index postings_holder_idx on postings (holder, id);

create table balances (
  holder    text not null,
  currency  text not null check (currency ~ '^[A-Z]{3}$'),
  amount    bigint not null,
  primary key (holder, currency),
  -- the last line of defence: no one but the outside world can go below zero
  check (holder = 'external' or amount >= 0)
);

-- Balances follow postings in the same statement: a posting that would overdraw fails the CHECK.
-- The row is created at zero first and then updated, because an upsert's proposed row (the bare
-- posting amount) would itself be checked, refusing every debit however large the balance.
create function apply_posting() returns trigger language plpgsql as $$
declare
  cur text := (select currency from journals where id = new.journal_id);
begin
  insert into balances (holder, currency, amount) values (new.holder, cur, 0)
    on conflict (holder, currency) do nothing;
  update balances set amount = amount + new.amount where holder = new.holder and currency = cur;
  return null;
end $$;
create trigger postings_apply after insert on postings for each row execute function apply_posting();

-- Every journal sums to zero, checked at commit so a journal's postings may be inserted one by one.
create function journal_is_balanced() returns trigger language plpgsql as $$
begin
  if (select coalesce(sum(amount), 0) from postings where journal_id = new.journal_id) <> 0 then
    raise exception 'journal % does not balance', new.journal_id using errcode = 'P0001';
  end if;
  return null;
end $$;
create constraint trigger postings_balanced after insert on postings
  deferrable initially deferred for each row execute function journal_is_balanced();

create trigger journals_append_only before update or delete on journals for each row execute function refuse_change();
create trigger postings_append_only before update or delete on postings for each row execute function refuse_change();

-- ── Listings ──────────────────────────────────────────────────────────────────────────────
create table listings (
  id                  text primary key check (id ~ '^lst_[0-9A-Z]{26}$'),
  platform_id         text not null references platforms(id),
  seller_id           text not null references accounts(id),
  -- a secondary sale names a unit; a primary sale names an edition and sells its unsold units
  unit_id             text references units(id),
  edition_id          text not null references editions(id),
  quantity            integer not null default 1 check (quantity >= 1),
  sold                integer not null default 0,
  kind                text not null check (kind in ('fixed', 'english', 'dutch', 'sealed')),
  currency            text not null check (currency ~ '^[A-Z]{3}$'),
  price               bigint check (price > 0),
  start_price         bigint check (start_price > 0),
  floor_price         bigint check (floor_price > 0),
  reserve_price       bigint check (reserve_price > 0),
  min_increment       bigint check (min_increment > 0),
  anti_snipe_seconds  integer check (anti_snipe_seconds between 0 and 3600),
  starts_at           timestamptz not null,
  ends_at             timestamptz,
  reveal_ends_at      timestamptz,
  status              text not null check (status in ('open', 'closed', 'sold', 'cancelled', 'expired')),
  created_at          timestamptz not null,
  updated_at          timestamptz not null,
  check (sold between 0 and quantity),
  check ((unit_id is null) or quantity = 1),
  check (kind <> 'fixed' or price is not null),
  check (kind <> 'dutch' or (start_price is not null and floor_price is not null and floor_price <= start_price and ends_at is not null)),
  check (kind <> 'english' or (start_price is not null and min_increment is not null and ends_at is not null)),
  check (kind <> 'sealed' or (ends_at is not null and reveal_ends_at is not null and reveal_ends_at > ends_at)),
  check (ends_at is null or ends_at > starts_at)
);
-- a unit is on at most one open listing
create unique index listings_open_unit_idx on listings (unit_id) where status = 'open';
create index listings_status_idx on listings (status, id);
create index listings_edition_idx on listings (edition_id, id);

-- English auction bids; every accepted bid is kept.
create table bids (
  id          text primary key check (id ~ '^bid_[0-9A-Z]{26}$'),
  listing_id  text not null references listings(id),
  bidder_id   text not null references accounts(id),
  amount      bigint not null check (amount > 0),
  created_at  timestamptz not null
);
create index bids_listing_idx on bids (listing_id, amount desc, created_at);
create trigger bids_append_only before update or delete on bids for each row execute function refuse_change();

-- Sealed bids: SHA-256 commitments published before the deadline, revealed after it.
create table sealed_bids (
  id           text primary key check (id ~ '^bid_[0-9A-Z]{26}$'),
  listing_id   text not null references listings(id),
  bidder_id    text not null references accounts(id),
  commitment   bytea not null check (length(commitment) = 32),
  committed_at timestamptz not null,
  amount       bigint check (amount > 0),
  salt         text,
  revealed_at  timestamptz,
  unique (listing_id, bidder_id)
);

-- Offers on a unit outside any listing.
create table offers (
  id          text primary key check (id ~ '^ofr_[0-9A-Z]{26}$'),
  unit_id     text not null references units(id),
  buyer_id    text not null references accounts(id),
  platform_id text not null references platforms(id),
  currency    text not null check (currency ~ '^[A-Z]{3}$'),
  amount      bigint not null check (amount > 0),
  expires_at  timestamptz not null,
  status      text not null check (status in ('open', 'accepted', 'cancelled', 'expired', 'declined')),
  created_at  timestamptz not null,
  updated_at  timestamptz not null
);
create index offers_unit_idx on offers (unit_id, status);

-- ── Trades: a reservation of one unit for one buyer, settled or released ────────────────────
create table trades (
  id              text primary key check (id ~ '^trd_[0-9A-Z]{26}$'),
  listing_id      text references listings(id),
  offer_id        text references offers(id),
  unit_id         text not null references units(id),
  seller_id       text not null references accounts(id),
  buyer_id        text not null references accounts(id),
  platform_id     text not null references platforms(id),
  currency        text not null check (currency ~ '^[A-Z]{3}$'),
  price           bigint not null check (price > 0),
  fee_bps         integer not null check (fee_bps between 0 and 10000),
  royalty_bps     integer not null check (royalty_bps between 0 and 10000),
  rail            text not null check (rail in ('balance', 'stripe')),
  status          text not null check (status in ('reserved', 'settled', 'released')),
  reserved_until  timestamptz not null,
  journal_id      text references journals(id),
  created_at      timestamptz not null,
  settled_at      timestamptz,
  released_at     timestamptz,
  release_reason  text,
  check (seller_id <> buyer_id),
  check ((status = 'settled') = (journal_id is not null and settled_at is not null))
);
-- the database's own guarantee against a double sale: one live reservation per unit
create unique index trades_one_reservation_per_unit on trades (unit_id) where status = 'reserved';
create index trades_status_idx on trades (status, reserved_until);
create index trades_settled_idx on trades (settled_at, id) where status = 'settled';
