-- The board's price sorts as index seeks (issue 14).
--
-- A price sort priced every matching listing at the request's instant and sorted on the computed
-- expression: at 100,000 open listings every page read them all. Each listing now carries its
-- price sort key, `board_price`, kept by the writes that change the price, and partial indexes of
-- open listings hold the board's filters in that order, so a page at any depth is a seek.
--
--   fixed    its price (never changes after listing);
--   english  the highest bid, else the start price (raised by the bid trigger below, in the bid's
--            own transaction);
--   dutch    the Dutch price at the last refresh: set when the listing is made and refreshed by
--            the scheduler at `board_price_due` (src/features/market/dutch-board-keys.ts). A Dutch
--            price falls with time, each listing at its own rate, so no index holds the exact
--            order of every instant; the key is the price at the last refresh (a band), and the
--            board still shows the exact price;
--   sealed   none (no public price): null, which the board sorts last.

-- The Dutch price at `at`, the same integer formula as dutchPrice (src/features/market/dutch-price.ts):
-- start − floor((start − floor) × elapsed ms / duration ms), clamped to the two ends. `div` on
-- numeric is exact integer division (truncation, which is floor for these non-negative values).
-- One expression without FROM, so that PostgreSQL inlines it where it is used.
create function dutch_price(start_price bigint, floor_price bigint, starts_at timestamptz, ends_at timestamptz, at timestamptz)
returns bigint language sql immutable as $$
  select case
    when floor(extract(epoch from $5) * 1000) - floor(extract(epoch from $3) * 1000)
         >= floor(extract(epoch from $4) * 1000) - floor(extract(epoch from $3) * 1000) then $2
    when floor(extract(epoch from $5) * 1000) - floor(extract(epoch from $3) * 1000) <= 0 then $1
    else $1 - div(($1 - $2)::numeric * (floor(extract(epoch from $5) * 1000) - floor(extract(epoch from $3) * 1000)),
                  floor(extract(epoch from $4) * 1000) - floor(extract(epoch from $3) * 1000))::bigint
  end
$$;

-- When a Dutch key, `key` computed at `at`, is next refreshed: once the price has fallen by 0.5 % of
-- the key (at least one minor unit) since, but not before a minute has passed, so that a key is never
-- off by more than 0.5 % or a minute's fall, whichever is more, while a slow auction (days long) is
-- rewritten every few hours instead of every minute. Not before the start (the price holds until
-- then); never once the auction has ended or when its price does not fall.
create function dutch_key_due(start_price bigint, floor_price bigint, starts_at timestamptz, ends_at timestamptz, key bigint, at timestamptz)
returns timestamptz language sql immutable as $$
  select case
    when $6 >= $4 or $1 = $2 then 'infinity'::timestamptz
    when $6 < $3 then $3
    else $6 + greatest(interval '1 minute',
                       interval '1 millisecond' * (greatest(1, $5 / 200)::numeric
                                                   * (floor(extract(epoch from $4) * 1000) - floor(extract(epoch from $3) * 1000))
                                                   / ($1 - $2)))
  end
$$;

alter table listings add column board_price bigint, add column board_price_due timestamptz;

update listings l set board_price = case l.kind
  when 'fixed' then l.price
  when 'english' then coalesce((select max(b.amount) from bids b where b.listing_id = l.id), l.start_price)
  when 'dutch' then dutch_price(l.start_price, l.floor_price, l.starts_at, l.ends_at, now())
end;
update listings set board_price_due = dutch_key_due(start_price, floor_price, starts_at, ends_at, board_price, now())
where kind = 'dutch';

alter table listings
  add constraint listings_board_price_check check ((kind = 'sealed') = (board_price is null)),
  add constraint listings_board_price_due_check check ((kind = 'dutch') = (board_price_due is not null));

-- Set when the listing is made, with its work's kind and category (0017's trigger, extended): a
-- listing's price columns never change afterwards, so this and the bid trigger are every write of
-- the key but the Dutch refresh. Dutch keys start at the price of the listing's creation instant.
create or replace function listing_board_keys() returns trigger language plpgsql as $$
begin
  select a.kind, a.category into new.asset_kind, new.category
  from editions e join assets a on a.id = e.asset_id where e.id = new.edition_id;
  new.board_price := case new.kind
    when 'fixed' then new.price
    when 'english' then new.start_price
    when 'dutch' then dutch_price(new.start_price, new.floor_price, new.starts_at, new.ends_at, new.created_at)
  end;
  if new.kind = 'dutch' then
    new.board_price_due := dutch_key_due(new.start_price, new.floor_price, new.starts_at, new.ends_at, new.board_price, new.created_at);
  end if;
  return new;
end $$;

-- An accepted bid is the new highest (each is at least the previous one plus the increment), so it
-- is the English listing's price. The bid's transaction holds the listing's lock already.
create function bid_board_price() returns trigger language plpgsql as $$
begin
  update listings set board_price = greatest(board_price, new.amount)
  where id = new.listing_id and kind = 'english';
  return null;
end $$;
create trigger bids_board_price after insert on bids for each row execute function bid_board_price();

-- Open listings by price, alone and under each filter the board offers (work kind, category,
-- currency, listing kind); further filters are checked on the rows of the walk. Ascending pages
-- walk these forwards, descending ones backwards; sealed-bid listings (null) are read apart, last.
create index listings_open_price_idx on listings (board_price, id) where status = 'open';
create index listings_open_asset_kind_price_idx on listings (asset_kind, board_price, id) where status = 'open';
create index listings_open_category_price_idx on listings (category, board_price, id) where status = 'open';
create index listings_open_currency_price_idx on listings (currency, board_price, id) where status = 'open';
create index listings_open_kind_price_idx on listings (kind, board_price, id) where status = 'open';
-- Replaced by the currency index above, which holds fixed prices with every other kind's.
drop index listings_open_fixed_price_idx;

-- The Dutch keys due for a refresh, earliest first.
create index listings_open_dutch_key_due_idx on listings (board_price_due) where status = 'open' and kind = 'dutch';
