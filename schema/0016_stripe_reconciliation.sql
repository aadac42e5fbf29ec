-- Stripe reconciliation that depends on the facts, not on the order they arrive in (issue 18).

-- A refund request Stripe refuses for good: the charge was already refunded in full (someone
-- refunded it at Stripe before our request), or it is disputed (the card network is returning the
-- money). Such a request is not retried; a dispute won later sends it again.
alter table stripe_refunds
  add column refused_code text check (refused_code in ('charge_already_refunded', 'charge_disputed'));
drop index stripe_refunds_due_idx;
create index stripe_refunds_due_idx on stripe_refunds (next_attempt_at) where sent_at is null and refused_code is null;

-- The account.updated event whose report is held: two reports from the same second are ordered by
-- what they say (the less enabled one wins), then by this id, so every delivery order ends the same.
alter table stripe_connected_accounts add column status_event_id text;
