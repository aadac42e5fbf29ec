-- Registry core: parties, keys, idempotency, uploads, works, review gate, editions, units, events.
-- Constraints live here too: the database is the last line of defence.

create table platforms (
  id          text primary key check (id ~ '^plt_[0-9A-Z]{26}$'),
  name        text not null check (length(name) between 1 and 200),
  fee_bps     integer not null default 0 check (fee_bps between 0 and 10000),
  created_at  timestamptz not null
);

create table officials (
  id          text primary key check (id ~ '^off_[0-9A-Z]{26}$'),
  name        text not null check (length(name) between 1 and 200),
  office      text not null check (length(office) between 1 and 200),
  created_at  timestamptz not null
);

create table accounts (
  id            text primary key check (id ~ '^acc_[0-9A-Z]{26}$'),
  platform_id   text not null references platforms(id),
  kind          text not null check (kind in ('person', 'organization')),
  display_name  text not null check (length(display_name) between 1 and 200),
  -- the platform's own reference for this account; unique per platform so retries cannot duplicate
  external_ref  text check (length(external_ref) between 1 and 200),
  kyc_level     text not null default 'none' check (kyc_level in ('none', 'basic', 'verified')),
  is_adult      boolean,
  attested_at   timestamptz,
  created_at    timestamptz not null,
  unique (platform_id, external_ref)
);
create index accounts_platform_idx on accounts (platform_id, id);

-- Every attestation a platform made, kept; accounts.kyc_level is the latest.
create table attestations (
  id           text primary key check (id ~ '^att_[0-9A-Z]{26}$'),
  account_id   text not null references accounts(id),
  platform_id  text not null references platforms(id),
  kyc_level    text not null check (kyc_level in ('none', 'basic', 'verified')),
  is_adult     boolean not null,
  method       text not null check (length(method) between 1 and 100),
  attested_at  timestamptz not null
);
create index attestations_account_idx on attestations (account_id, attested_at);

create table api_keys (
  id              text primary key check (id ~ '^key_[0-9A-Z]{26}$'),
  -- SHA-256 of the secret; the secret itself is shown once and never stored
  secret_hash     bytea not null unique check (length(secret_hash) = 32),
  principal_kind  text not null check (principal_kind in ('operator', 'platform', 'account', 'official')),
  principal_id    text not null,
  scopes          text[] not null check (cardinality(scopes) > 0),
  label           text,
  created_at      timestamptz not null,
  revoked_at      timestamptz
);
create index api_keys_principal_idx on api_keys (principal_kind, principal_id);

create table idempotency_keys (
  principal       text not null,
  key             text not null check (length(key) between 1 and 255),
  request_hash    bytea not null,
  status          integer,
  response_body   text,
  response_type   text,
  locked_at       timestamptz not null,
  completed_at    timestamptz,
  primary key (principal, key)
);

create table uploads (
  id            text primary key check (id ~ '^upl_[0-9A-Z]{26}$'),
  account_id    text not null references accounts(id),
  platform_id   text not null references platforms(id),
  media_type    text not null,
  size          bigint not null check (size > 0),
  sha256        bytea not null check (length(sha256) = 32),
  object_key    text not null unique,
  filename      text,
  status        text not null check (status in ('pending', 'completed')),
  created_at    timestamptz not null,
  expires_at    timestamptz not null,
  completed_at  timestamptz
);
create index uploads_account_idx on uploads (account_id, id);

create sequence registration_number_seq;

create table assets (
  id                     text primary key check (id ~ '^ast_[0-9A-Z]{26}$'),
  platform_id            text not null references platforms(id),
  kind                   text not null check (kind in ('garment', 'virtual_human', 'collectible')),
  title                  text not null check (length(title) between 1 and 200),
  description            text not null default '' check (length(description) <= 5000),
  category               text not null check (category in ('cultural_heritage_derivative', 'digital_creative',
                           'consumption_scene', 'brand_marketing', 'industrial_application', 'data_ip')),
  rights_holder_id       text not null references accounts(id),
  claimed_created_on     date not null,
  originality_statement  text not null check (length(originality_statement) between 1 and 5000),
  licence                jsonb not null,
  -- "one person, one code": only virtual humans carry one, and no two share it
  identity_code          text unique check ((kind = 'virtual_human') = (identity_code is not null)),
  status                 text not null check (status in ('draft', 'submitted', 'in_review', 'public_notice', 'registered', 'rejected')),
  registration_number    text unique,
  notice_ends_at         timestamptz,
  submitted_at           timestamptz,
  registered_at          timestamptz,
  created_at             timestamptz not null,
  updated_at             timestamptz not null,
  check ((status = 'registered') = (registration_number is not null)),
  check (status <> 'public_notice' or notice_ends_at is not null)
);
create index assets_platform_idx on assets (platform_id, id);
create index assets_status_idx on assets (status, id);

create table asset_creators (
  asset_id    text not null references assets(id),
  account_id  text not null references accounts(id),
  role        text not null check (role in ('designer', 'modeler', 'illustrator', 'animator', 'voice', 'producer', 'brand', 'other')),
  share_bps   integer not null check (share_bps between 0 and 10000),
  position    integer not null,
  primary key (asset_id, account_id)
);

create table asset_files (
  asset_id   text not null references assets(id),
  upload_id  text not null references uploads(id),
  purpose    text not null check (purpose in ('source', 'model', 'texture', 'preview', 'document')),
  primary key (asset_id, upload_id)
);

create table asset_parents (
  asset_id   text not null references assets(id),
  parent_id  text not null references assets(id),
  primary key (asset_id, parent_id),
  check (asset_id <> parent_id)
);
create index asset_parents_parent_idx on asset_parents (parent_id);

create table reviews (
  id           text primary key check (id ~ '^rev_[0-9A-Z]{26}$'),
  asset_id     text not null references assets(id),
  official_id  text not null references officials(id),
  action       text not null check (action in ('start', 'approve', 'reject')),
  reason       text,
  created_at   timestamptz not null,
  check (action <> 'reject' or reason is not null)
);
create index reviews_asset_idx on reviews (asset_id, created_at);

create table objections (
  id              text primary key check (id ~ '^obj_[0-9A-Z]{26}$'),
  asset_id        text not null references assets(id),
  principal_kind  text not null,
  principal_id    text not null,
  reason          text not null check (length(reason) between 1 and 5000),
  created_at      timestamptz not null
);
create index objections_asset_idx on objections (asset_id, created_at);

create table editions (
  id          text primary key check (id ~ '^edn_[0-9A-Z]{26}$'),
  asset_id    text not null references assets(id),
  size        integer not null check (size between 1 and 1000000),
  minted      integer not null default 0,
  preset      text not null,
  policy      jsonb not null,
  created_at  timestamptz not null,
  check (minted between 0 and size)
);
create index editions_asset_idx on editions (asset_id, id);

create table units (
  id               text primary key check (id ~ '^unt_[0-9A-Z]{26}$'),
  edition_id       text not null references editions(id),
  serial           integer not null check (serial >= 1),
  owner_id         text not null references accounts(id),
  acquired_via     text not null check (acquired_via in ('mint', 'gift', 'trade')),
  acquired_at      timestamptz not null,
  frozen           boolean not null default false,
  created_at       timestamptz not null,
  unique (edition_id, serial)
);
create index units_owner_idx on units (owner_id, id);

-- One append-only table, three uses: audit history, transparency-log leaves, webhooks.
-- Facts and identifiers only, never personal data.
create table events (
  seq         bigserial primary key,
  id          text not null unique check (id ~ '^evt_[0-9A-Z]{26}$'),
  type        text not null,
  asset_id    text references assets(id),
  unit_id     text references units(id),
  platform_id text references platforms(id),
  -- RFC 8785 canonical JSON of the event: exactly the bytes that become a log entry
  -- (tlog-tiles entry bundles prefix each entry with a uint16 length, hence 65535)
  entry       text not null check (octet_length(entry) <= 65535),
  created_at  timestamptz not null
);
create index events_asset_idx on events (asset_id, seq);
create index events_unit_idx on events (unit_id, seq);

-- Every change of owner, in order; the per-day limits and "who owned it when" read it.
create table unit_transfers (
  id            text primary key check (id ~ '^trf_[0-9A-Z]{26}$'),
  unit_id       text not null references units(id),
  from_id       text references accounts(id),
  to_id         text not null references accounts(id),
  via           text not null check (via in ('mint', 'gift', 'trade')),
  at            timestamptz not null,
  -- the event that records this change of owner, and so its transparency-log leaf
  event_id      text not null unique references events(id)
);
create index unit_transfers_unit_idx on unit_transfers (unit_id, at);
create index unit_transfers_from_idx on unit_transfers (from_id, at);
create index unit_transfers_to_idx on unit_transfers (to_id, at);

create function refuse_change() returns trigger language plpgsql as $$
begin
  raise exception 'append-only table %: % refused', tg_table_name, tg_op using errcode = 'P0001';
end $$;

create trigger events_append_only before update or delete on events
  for each row execute function refuse_change();
create trigger unit_transfers_append_only before update or delete on unit_transfers
  for each row execute function refuse_change();
create trigger reviews_append_only before update or delete on reviews
  for each row execute function refuse_change();
create trigger objections_append_only before update or delete on objections
  for each row execute function refuse_change();
create trigger attestations_append_only before update or delete on attestations
  for each row execute function refuse_change();
