-- Why a unit is frozen (issue 5; DESIGN §1: officials freeze works under dispute).
--
-- A unit can be frozen for several reasons at once: a card dispute, a refund or chargeback that
-- left ownership where it was, an official's decision. Each is a freeze of its own, placed and
-- lifted by whoever decided it, so a won dispute lifts only the dispute's freeze and an official's
-- freeze stays until an official lifts it. `units.frozen` remains the flag every trading path
-- checks; it is true exactly while a freeze is active (src/features/freezes/freezes.service.ts).
create table unit_freezes (
  id           text primary key check (id ~ '^frz_[0-9A-Z]{26}$'),
  unit_id      text not null references units(id),
  cause        text not null check (cause in ('payment_disputed', 'refunded', 'dispute_lost', 'official', 'carried_over')),
  trade_id     text references trades(id),
  -- 'stripe' (a payment event decided it) or the official's id
  placed_by    text not null,
  -- an official's reason; free text, so the log carries only its SHA-256
  reason       text check (length(reason) between 1 and 1000),
  placed_at    timestamptz not null,
  lifted_at    timestamptz,
  lifted_by    text,
  lift_reason  text check (length(lift_reason) between 1 and 1000),
  check ((lifted_at is null) = (lifted_by is null)),
  check ((cause in ('payment_disputed', 'refunded', 'dispute_lost')) = (trade_id is not null))
);
-- One active freeze per unit, cause and trade: a repeated decision finds the one already placed.
create unique index unit_freezes_active_idx on unit_freezes (unit_id, cause, coalesce(trade_id, ''))
  where lifted_at is null and cause <> 'official';
create index unit_freezes_unit_idx on unit_freezes (unit_id, placed_at, id);

-- Units frozen before freezes had causes keep their freeze, lifted by an official like any other.
insert into unit_freezes (id, unit_id, cause, placed_by, placed_at)
  select 'frz_' || upper(substr(md5(id), 1, 26)), id, 'carried_over', 'migration', now() from units where frozen;
