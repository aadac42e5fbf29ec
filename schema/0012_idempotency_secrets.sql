-- Idempotency records expire, and may be resumable; webhook signing secrets are sealed at rest.

-- An idempotency record lives until expires_at (IDEMPOTENCY_TTL after it was claimed), then the
-- scheduler deletes it and the key may be used again. `resumable` marks a record whose request
-- committed its writes before calling Stripe (commitRequestWrites): a retry runs that request's
-- handler again, which finds its own writes. Every other record commits together with the
-- request's writes and its response, so an unfinished one never outlives its transaction.
alter table idempotency_keys add column expires_at timestamptz;
alter table idempotency_keys add column resumable boolean not null default false;
update idempotency_keys set expires_at = coalesce(completed_at, locked_at) + interval '24 hours';
alter table idempotency_keys alter column expires_at set not null;
create index idempotency_keys_expires_idx on idempotency_keys (expires_at);

-- Webhook signing secrets are kept only sealed (AES-256-GCM under WEBHOOK_SECRETS_KEY, format
-- `v1.<key id>.<base64 iv>.<base64 ciphertext>`). Rows written before this migration hold the
-- plaintext in `secret` until the scheduler seals them (its first run after the upgrade).
alter table webhook_secrets alter column secret drop not null;
alter table webhook_secrets add column sealed text check (sealed ~ '^v1\.[0-9a-f]{16}\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+$');
alter table webhook_secrets add constraint webhook_secrets_one_form check ((secret is null) <> (sealed is null));
