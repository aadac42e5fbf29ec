-- The transparency log's identity: the origin and the key that sign this database's checkpoints.
-- Claimed by the first process that starts with a signing key; every later start (and every
-- Worker integration) checks its key against it, so one key never signs two different logs and
-- one log is never continued under another key. At most one row.
create table log_identity (
  singleton     boolean primary key default true check (singleton),
  origin        text not null,
  key_id        text not null check (key_id ~ '^[0-9a-f]{8}$'),
  verifier_key  text not null,
  created_at    timestamptz not null default now()
);
