-- The card (Stripe) rail for a licence's upfront fee (issue 13). Accepting an offer with
-- `rail: 'stripe'` makes the grant `pending_payment`: it holds its rights (its licence_grant_rights
-- rows are written at once, so the exclusion constraint and the locked check count it) until the
-- payment arrives, when it becomes `active`, or until `payment_due_at` passes unpaid, when it
-- `lapsed` and its rights are dropped. Its payment is a stripe_payments row of purpose 'licence'.
alter table licence_grants drop constraint licence_grants_status_check;
alter table licence_grants add constraint licence_grants_status_check
  check (status in ('active', 'expired', 'terminated', 'pending_payment', 'lapsed'));
-- The end of the payment window of a grant accepted by card (null on the balance rail).
alter table licence_grants add column payment_due_at timestamptz;
alter table licence_grants add constraint licence_grants_pending_due
  check (status <> 'pending_payment' or payment_due_at is not null);
create index licence_grants_payment_due_idx on licence_grants (payment_due_at) where status = 'pending_payment';

-- Every purpose and check as 0022 left them, with 'licence' added.
alter table stripe_payments drop constraint stripe_payments_purpose_check;
alter table stripe_payments add constraint stripe_payments_purpose_check
  check (purpose in ('trade', 'topup', 'bid', 'licence'));
alter table stripe_payments drop constraint stripe_payments_trade_check;
alter table stripe_payments add constraint stripe_payments_trade_check
  check ((purpose = 'trade' and trade_id is not null) or (purpose in ('topup', 'licence') and trade_id is null) or purpose = 'bid');
alter table stripe_payments add column licence_grant_id text unique references licence_grants(id);
alter table stripe_payments add constraint stripe_payments_licence_grant
  check ((purpose = 'licence') = (licence_grant_id is not null));
