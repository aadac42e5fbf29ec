-- Platform webhooks (issue 5): endpoints, their signing secrets, and every delivery attempt.
-- Deliveries follow the transparency log: an endpoint's `position` is a log index, so events are
-- sent in log order, which is commit order with no gaps (events.seq is not: a lower seq can commit
-- after a higher one, and a cursor over seq would step past it). src/features/webhooks/README.md
-- has the whole design.

create table webhook_endpoints (
  id               text primary key check (id ~ '^whe_[0-9A-Z]{26}$'),
  platform_id      text not null references platforms(id),
  url              text not null check (length(url) between 1 and 2048),
  description      text check (length(description) <= 500),
  -- exact types ('unit.gifted'), prefixes ('unit.*') or '*'
  event_types      text[] not null check (cardinality(event_types) between 1 and 100),
  status           text not null check (status in ('enabled', 'disabled')),
  -- manual: the platform disabled it; gone: the receiver answered 410; failing: failed for days
  disabled_reason  text check (disabled_reason in ('manual', 'gone', 'failing')),
  -- Every log index below `position` was delivered to this endpoint or is not for it.
  position         bigint not null check (position >= 0),
  -- The message in flight: the next event this endpoint must accept (2xx) before any later one.
  -- Its body is stored so that every retry sends exactly the bytes the first attempt signed.
  pending_index    bigint,
  pending_event_id text,
  pending_body     text,
  -- failed attempts of the pending message so far (the backoff exponent)
  attempts         integer not null default 0 check (attempts >= 0),
  -- pending: when it may be tried again; otherwise when the endpoint was last served
  next_attempt_at  timestamptz not null,
  failing_since    timestamptz,
  -- A runner holds an endpoint by lease for the length of its attempts, never by an open
  -- transaction; lease_token fences a runner whose lease ran out and was taken over.
  lease_token      text,
  leased_until     timestamptz,
  created_at       timestamptz not null,
  updated_at       timestamptz not null,
  check ((status = 'disabled') = (disabled_reason is not null)),
  check ((pending_index is null) = (pending_body is null) and (pending_index is null) = (pending_event_id is null)),
  check (pending_index is null or pending_index >= position),
  check ((lease_token is null) = (leased_until is null))
);
create index webhook_endpoints_platform_idx on webhook_endpoints (platform_id, id);
-- What runners poll: enabled endpoints, least recently served first.
create index webhook_endpoints_due_idx on webhook_endpoints (next_attempt_at) where status = 'enabled';

-- Signing secrets (Standard Webhooks `whsec_` + base64 of 32 random bytes). HMAC needs the secret
-- itself, so unlike API keys it is stored as is. The current secret has no expiry; a rotation gives
-- the previous ones an expiry, and until then deliveries carry a signature by each of them.
create table webhook_secrets (
  id           bigserial primary key,
  endpoint_id  text not null references webhook_endpoints(id),
  secret       text not null unique check (secret ~ '^whsec_[A-Za-z0-9+/]{43}=$'),
  created_at   timestamptz not null,
  expires_at   timestamptz
);
create index webhook_secrets_endpoint_idx on webhook_secrets (endpoint_id, id);
create unique index webhook_secrets_current_idx on webhook_secrets (endpoint_id) where expires_at is null;

-- Every attempt, kept. event_id has no foreign key for the reason log_leaves.event_seq has none
-- (0002): the check would lock, and so rewrite, the event row at every delivery; the runner only
-- ever stores an id it has just read from events, and events rows are never deleted.
create table webhook_attempts (
  id               bigserial primary key,
  endpoint_id      text not null references webhook_endpoints(id),
  event_id         text not null check (event_id ~ '^evt_[0-9A-Z]{26}$'),
  log_index        bigint not null check (log_index >= 0),
  attempt          integer not null check (attempt >= 1),
  started_at       timestamptz not null,
  duration_ms      integer not null check (duration_ms >= 0),
  status_code      integer check (status_code between 100 and 599),
  succeeded        boolean not null,
  error            text check (length(error) <= 1000),
  -- when the failed message is due again (null after a success, or when the endpoint was disabled)
  next_attempt_at  timestamptz,
  check (succeeded = coalesce(status_code between 200 and 299, false)),
  check (succeeded or status_code is not null or error is not null)
);
create index webhook_attempts_endpoint_idx on webhook_attempts (endpoint_id, id);

create trigger webhook_attempts_append_only before update or delete on webhook_attempts
  for each row execute function refuse_change();
