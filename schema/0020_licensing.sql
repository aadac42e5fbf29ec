-- IP licensing (issue 13): licence offers, grants, royalty reports.
--
-- Exclusivity is enforced by the database: every grant is expanded into one row per use and
-- territory (licence_grant_rights), and an exclusion constraint refuses two rows of one work that
-- overlap in use, territory and time unless both are non-exclusive:
--   territory_span  a country is one point of int4range [0, 676) (its two letters in base 26);
--                   'worldwide' is the whole range, so it overlaps every country;
--   slot            exclusive and sole grants hold the unbounded int8range [0, ∞), which overlaps
--                   everything; a non-exclusive grant holds a point of its own [n, n+1), which
--                   overlaps only the unbounded range: two non-exclusive grants may coexist, a
--                   non-exclusive and an exclusive (or sole) grant may not;
--   period          the grant's term; a terminated grant's period is cut short at the termination,
--                   so it stops blocking from then on.
-- btree_gist (for text equality in a GiST index) is in PostgreSQL's contrib and in PGlite.
create extension if not exists btree_gist with schema public;

alter table journals drop constraint journals_kind_check;
alter table journals add constraint journals_kind_check
  check (kind in ('topup', 'trade', 'reversal', 'payment', 'refund', 'hold', 'hold_release', 'payout',
                  'partial_reversal', 'recovery', 'bid_hold', 'forfeit', 'licence_fee', 'licence_royalty'));

create table licence_offers (
  id                      text primary key check (id ~ '^lof_[0-9A-Z]{26}$'),
  asset_id                text not null references assets(id),
  platform_id             text not null references platforms(id),
  published_by            text not null references accounts(id),
  uses                    text[] not null check (cardinality(uses) between 1 and 6 and uses <@ array[
                            'game_item', 'virtual_performance', 'advertising', 'physical_merchandise',
                            'nft_edition', 'derivative_design']::text[]),
  conditions_sha256       text check (conditions_sha256 ~ '^[0-9a-f]{64}$'),
  territories             text[] not null check (cardinality(territories) between 1 and 60),
  starts_at               timestamptz not null,
  ends_at                 timestamptz not null,
  exclusivity             text not null check (exclusivity in ('exclusive', 'sole', 'non_exclusive')),
  currency                text not null check (currency ~ '^[A-Z]{3}$'),
  upfront_fee             bigint not null check (upfront_fee >= 0),
  royalty_bps             integer not null check (royalty_bps between 0 and 10000),
  minimum_guarantee       bigint not null check (minimum_guarantee >= 0),
  creator_share_bps       integer not null check (creator_share_bps between 0 and 10000),
  sublicensing            boolean not null,
  derivatives_allowed     boolean not null,
  derivative_royalty_bps  integer not null check (derivative_royalty_bps between 0 and 10000),
  report_every_days       integer not null check (report_every_days between 1 and 366),
  renewable               boolean not null,
  open_to                 text[],
  status                  text not null check (status in ('open', 'withdrawn')),
  created_at              timestamptz not null,
  withdrawn_at            timestamptz,
  check (ends_at > starts_at),
  check (derivatives_allowed or derivative_royalty_bps = 0)
);
create index licence_offers_asset_idx on licence_offers (asset_id, id);

create table licence_grants (
  id                      text primary key check (id ~ '^lgr_[0-9A-Z]{26}$'),
  offer_id                text not null references licence_offers(id),
  asset_id                text not null references assets(id),
  licensee_id             text not null references accounts(id),
  licensee_platform_id    text not null references platforms(id),
  platform_id             text not null references platforms(id),
  fee_bps                 integer not null check (fee_bps between 0 and 10000),
  uses                    text[] not null,
  territories             text[] not null,
  starts_at               timestamptz not null,
  ends_at                 timestamptz not null,
  exclusivity             text not null check (exclusivity in ('exclusive', 'sole', 'non_exclusive')),
  currency                text not null check (currency ~ '^[A-Z]{3}$'),
  upfront_fee             bigint not null check (upfront_fee >= 0),
  royalty_bps             integer not null,
  minimum_guarantee       bigint not null,
  creator_share_bps       integer not null,
  sublicensing            boolean not null,
  derivatives_allowed     boolean not null,
  derivative_royalty_bps  integer not null,
  report_every_days       integer not null,
  auto_renew              boolean not null,
  renewal_of              text unique references licence_grants(id),
  status                  text not null check (status in ('active', 'expired', 'terminated')),
  reported_until          timestamptz not null,
  royalties_in_currency   bigint not null default 0,
  trued_up                boolean not null default false,
  fee_journal_id          text references journals(id),
  event_id                text not null,
  terminated_at           timestamptz,
  termination_cause       text check (termination_cause in ('non_payment', 'case_takedown')),
  termination_reason      text check (length(termination_reason) <= 1000),
  created_at              timestamptz not null,
  check (ends_at > starts_at),
  check ((status = 'terminated') = (terminated_at is not null))
);
create index licence_grants_asset_idx on licence_grants (asset_id, id);
create index licence_grants_licensee_idx on licence_grants (licensee_id, id);
create index licence_grants_due_idx on licence_grants (ends_at) where status = 'active';

create sequence licence_slot_seq;

create table licence_grant_rights (
  grant_id        text not null references licence_grants(id),
  asset_id        text not null references assets(id),
  use             text not null,
  territory       text not null check (territory ~ '^[A-Z]{2}$' or territory = 'worldwide'),
  territory_span  int4range not null,
  slot            int8range not null,
  period          tstzrange not null,
  primary key (grant_id, use, territory),
  constraint licence_grant_rights_exclusive exclude using gist
    (asset_id with =, use with =, territory_span with &&, period with &&, slot with &&)
);

create table royalty_reports (
  id             text primary key check (id ~ '^lrr_[0-9A-Z]{26}$'),
  grant_id       text not null references licence_grants(id),
  period_start   timestamptz not null,
  period_end     timestamptz not null,
  event_id       text not null,
  created_at     timestamptz not null,
  check (period_end > period_start),
  unique (grant_id, period_start)
);

create table royalty_report_lines (
  report_id    text not null references royalty_reports(id),
  currency     text not null check (currency ~ '^[A-Z]{3}$'),
  revenue      bigint not null check (revenue >= 0),
  royalty      bigint not null check (royalty >= 0),
  true_up      bigint not null default 0 check (true_up >= 0),
  journal_id   text references journals(id),
  primary key (report_id, currency)
);

-- A derivative registered under a licence grant (its parent's public licence forbids derivatives):
-- the grant is cited here, and its derivative_royalty_bps is what flows up that edge.
alter table asset_parents add column licence_grant_id text references licence_grants(id);
