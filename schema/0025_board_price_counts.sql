-- The board's statistics kept incrementally (issue 14): GET /v1/board/stats ranked every settled
-- trade of its window on every request. Now settled trades are counted per currency, category, UTC
-- day and price, a histogram from which count, volume, mean, min, max and the exact median all
-- follow (walk the cumulative counts).
--
-- No hot row: a purchase never updates a shared counter (all the sales of one drop are at one price
-- on one day, so a histogram row would serialise them). A trigger on trades appends one row per
-- trade that becomes settled (or, should that ever happen, stops being settled) to
-- board_price_changes, in the purchase's own transaction; the scheduler folds those rows into the
-- histogram (board_fold_price_changes). At any instant histogram + pending changes = the settled
-- trades exactly, so a reader needs no fold to be up to date.

create table board_price_counts (
  currency text not null,
  category text not null,
  day      date not null,
  price    bigint not null,
  -- 0 only after a settled trade was taken back (the fold deletes such rows). No check (trades >= 0):
  -- PostgreSQL checks the row an upsert proposes, and a fold proposes -1 for a trade taken back.
  trades   integer not null,
  primary key (day, currency, category, price)
);
create index board_price_counts_emptied_idx on board_price_counts (day) where trades = 0;

create table board_price_changes (
  id         bigint generated always as identity primary key,
  currency   text not null,
  category   text not null,
  settled_at timestamptz not null,
  price      bigint not null,
  trades     smallint not null check (trades in (-1, 1))
);
create index board_price_changes_settled_idx on board_price_changes (settled_at);

-- One version per UTC day, raised by every fold that changes the day's counts. With the pending
-- changes it tells a reader whether an answer it computed before still holds.
create table board_price_days (
  day     date primary key,
  version bigint not null
);

insert into board_price_counts (currency, category, day, price, trades)
select t.currency, a.category, (t.settled_at at time zone 'UTC')::date, t.price, count(*)
from trades t
join units u on u.id = t.unit_id
join editions e on e.id = u.edition_id
join assets a on a.id = e.asset_id
where t.status = 'settled'
group by 1, 2, 3, 4;
insert into board_price_days (day, version) select distinct day, 1 from board_price_counts;

-- Statement-level, on transition tables: a purchase adds one row; a bulk insert of trades (the
-- benchmark's fill) adds its rows in one set-based insert rather than one trigger call per trade.
create function board_price_changes_of_trades() returns trigger language plpgsql as $$
begin
  -- Each statement names only the transition tables its trigger has (an insert has no old rows).
  if tg_op = 'INSERT' then
    insert into board_price_changes (currency, category, settled_at, price, trades)
    select n.currency, a.category, n.settled_at, n.price, 1
    from new_trades n
    join units u on u.id = n.unit_id
    join editions e on e.id = u.edition_id
    join assets a on a.id = e.asset_id
    where n.status = 'settled';
  elsif tg_op = 'UPDATE' then
    -- A trade that stays settled with the same price, day and work changes nothing.
    insert into board_price_changes (currency, category, settled_at, price, trades)
    select c.currency, a.category, c.settled_at, c.price, c.trades
    from (
      select n.currency, n.unit_id, n.settled_at, n.price, 1 as trades
      from new_trades n join old_trades o on o.id = n.id
      where n.status = 'settled'
        and (o.status, o.currency, o.price, o.settled_at, o.unit_id) is distinct from ('settled', n.currency, n.price, n.settled_at, n.unit_id)
      union all
      select o.currency, o.unit_id, o.settled_at, o.price, -1
      from old_trades o join new_trades n on n.id = o.id
      where o.status = 'settled'
        and (n.status, n.currency, n.price, n.settled_at, n.unit_id) is distinct from ('settled', o.currency, o.price, o.settled_at, o.unit_id)
    ) c
    join units u on u.id = c.unit_id
    join editions e on e.id = u.edition_id
    join assets a on a.id = e.asset_id;
  else
    insert into board_price_changes (currency, category, settled_at, price, trades)
    select o.currency, a.category, o.settled_at, o.price, -1
    from old_trades o
    join units u on u.id = o.unit_id
    join editions e on e.id = u.edition_id
    join assets a on a.id = e.asset_id
    where o.status = 'settled';
  end if;
  return null;
end $$;
create trigger trades_board_prices_insert after insert on trades
  referencing new table as new_trades for each statement execute function board_price_changes_of_trades();
create trigger trades_board_prices_update after update on trades
  referencing old table as old_trades new table as new_trades for each statement execute function board_price_changes_of_trades();
create trigger trades_board_prices_delete after delete on trades
  referencing old table as old_trades for each statement execute function board_price_changes_of_trades();

-- Folds up to max_changes pending changes (all when null) into the histogram, in one transaction:
-- the changes leave and the counts and day versions move together, so readers see either both
-- or neither. One fold at a time (the advisory lock); another caller returns 0 at once.
create function board_fold_price_changes(max_changes integer) returns integer language plpgsql as $$
declare
  folded integer;
begin
  if not pg_try_advisory_xact_lock(7242025) then
    return 0;
  end if;
  with taken as (
    delete from board_price_changes
    where id in (select id from board_price_changes order by id limit max_changes)
    returning currency, category, (settled_at at time zone 'UTC')::date as day, price, trades
  ), sums as (
    select currency, category, day, price, sum(trades)::integer as trades from taken group by 1, 2, 3, 4
  ), counted as (
    insert into board_price_counts as c (currency, category, day, price, trades)
    select currency, category, day, price, trades from sums
    on conflict (day, currency, category, price) do update set trades = c.trades + excluded.trades
  ), versioned as (
    insert into board_price_days as d (day, version)
    select distinct day, 1 from sums
    on conflict (day) do update set version = d.version + 1
  )
  select count(*) into folded from taken;
  delete from board_price_counts where trades = 0;
  return folded;
end $$;
