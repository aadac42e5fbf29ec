-- Performance (issue 14): no hot rows, statements that seek, a board that reads indexes.

-- ── The outside world is not a locked row ───────────────────────────────────────────────────
-- Every top-up, card payment and payout posts to `external`. Its balance was a row that each of
-- those journals updated (and locked until commit), so all of them queued on it. The outside
-- world's balance is never checked (it may go anywhere), so it is no longer kept: it is minus the
-- sum of every other balance, or the sum of its postings, whenever someone wants it.
-- Running balances: each posting stores the holder's balance after it, set in the same statement
-- that moves the balance, so a statement page is an index seek instead of a sum over all history.
alter table postings add column balance_after bigint;

alter table postings disable trigger postings_append_only;
update postings p set balance_after = s.balance_after
from (
  select p2.id, sum(p2.amount) over (partition by p2.holder, j.currency order by p2.id) as balance_after
  from postings p2 join journals j on j.id = p2.journal_id
  where p2.holder <> 'external'
) s
where s.id = p.id;
alter table postings enable trigger postings_append_only;

delete from balances where holder = 'external';

drop trigger postings_apply on postings;
create or replace function apply_posting() returns trigger language plpgsql as $$
declare
  cur text;
begin
  if new.holder = 'external' then
    return new;
  end if;
  cur := (select currency from journals where id = new.journal_id);
  insert into balances (holder, currency, amount) values (new.holder, cur, 0)
    on conflict (holder, currency) do nothing;
  update balances set amount = amount + new.amount where holder = new.holder and currency = cur
    returning amount into new.balance_after;
  return new;
end $$;
create trigger postings_apply before insert on postings for each row execute function apply_posting();
alter table postings add constraint postings_balance_after_check check ((holder = 'external') = (balance_after is null));

-- ── The board's listings ────────────────────────────────────────────────────────────────────
-- The work's kind and category, copied onto each listing when it is made (a registered work's
-- kind and category never change), so filters and sorts read one table and its indexes.
alter table listings add column asset_kind text, add column category text;
update listings l set asset_kind = a.kind, category = a.category
from editions e join assets a on a.id = e.asset_id
where e.id = l.edition_id;
alter table listings alter column asset_kind set not null, alter column category set not null;

create function listing_board_keys() returns trigger language plpgsql as $$
begin
  select a.kind, a.category into new.asset_kind, new.category
  from editions e join assets a on a.id = e.asset_id where e.id = new.edition_id;
  return new;
end $$;
create trigger listings_board_keys before insert on listings for each row execute function listing_board_keys();

-- Open listings in each order the board walks: newest, ending soonest, and fixed prices. Frozen
-- units are few: a partial index lists them.
create index listings_open_newest_idx on listings (created_at desc, id desc) where status = 'open';
create index listings_open_ending_idx on listings ((coalesce(ends_at, 'infinity'::timestamptz)), id) where status = 'open';
create index listings_open_fixed_price_idx on listings (currency, price, id) where status = 'open' and kind = 'fixed';
create index units_frozen_idx on units (id) where frozen;

-- Recent trades by category: the board's trades page filters on it.
create index trades_settled_unit_idx on trades (unit_id, settled_at) where status = 'settled';
