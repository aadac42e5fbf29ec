-- Stripe Connect onboarding status (issue 5, item 2): what Stripe last told us about each connected
-- account, from `account.updated` webhooks and from retrieving the account when onboarding is
-- requested. Payouts are scheduled only to accounts with payouts_enabled.
alter table stripe_connected_accounts
  add column charges_enabled   boolean not null default false,
  add column payouts_enabled   boolean not null default false,
  add column details_submitted boolean not null default false,
  -- requirements.currently_due: Stripe's names of missing fields ("external_account", …), never their values
  add column requirements_due  jsonb not null default '[]'::jsonb check (jsonb_typeof(requirements_due) = 'array'),
  add column disabled_reason   text,
  -- The Stripe event's `created` (or the time we retrieved the account): an older report that
  -- arrives late never overwrites a newer one. Null: Stripe has told us nothing yet.
  add column status_at         timestamptz;

-- Accounts that Stripe has already accepted a transfer for were being paid before this gate
-- existed; they keep being paid until Stripe reports their status (status_at stays null, so the
-- first report wins). Accounts never paid wait for Stripe to enable them.
update stripe_connected_accounts c set payouts_enabled = true
  where exists (select 1 from stripe_transfers t where t.holder = c.holder and t.sent_at is not null);

