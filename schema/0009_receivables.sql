-- Reversals after the proceeds were spent, and partial refunds (issue 5).
--
-- A refund or a lost dispute takes a trade's proceeds back from the seller, the platform and the
-- creators. If one of them has already spent part of it on the exchange, the reversal cannot wait
-- (the money has left to the card) and must not fail (Stripe would redeliver forever): the part
-- that is missing is owed. It is booked on 'receivable:<holder>', which may go below zero and is
-- what the holder owes the exchange, and it is recovered from the holder's next credits before
-- they can be spent or paid out (src/features/ledger/ledger.repo.ts).
--
-- partial_reversal: a partial refund takes its amount back from the trade's credits in proportion.
-- recovery:         holder → receivable:<holder>, part of a debt paid from a new credit.
alter table journals drop constraint journals_kind_check;
alter table journals add constraint journals_kind_check
  check (kind in ('topup', 'trade', 'reversal', 'payment', 'refund', 'hold', 'hold_release', 'payout',
                  'partial_reversal', 'recovery'));

alter table postings drop constraint postings_holder_check;
alter table postings add constraint postings_holder_check
  check (holder ~ '^(acc|plt)_[0-9A-Z]{26}$' or holder = 'external' or holder ~ '^hold:trd_[0-9A-Z]{26}$'
         or holder ~ '^receivable:(acc|plt)_[0-9A-Z]{26}$');

alter table postings drop constraint postings_role_check;
alter table postings add constraint postings_role_check
  check (role in ('topup_source', 'topup', 'buyer', 'seller', 'platform_fee', 'royalty', 'parent_royalty',
                  'payment_source', 'payment', 'refund', 'refund_sink', 'hold', 'payout', 'payout_sink',
                  'receivable', 'recovery'));

-- Still the last line of defence: only the outside world and debts go below zero, and a debt never
-- turns into a credit.
alter table balances drop constraint balances_check;
alter table balances add constraint balances_check
  check (holder = 'external'
         or (holder like 'receivable:%' and amount <= 0)
         or (holder not like 'receivable:%' and amount >= 0));

-- Stripe reports the refunded total of a charge on every charge.refunded event; the largest one
-- seen is the fact (events may arrive out of order). Partial refunds are reconciled to it.
-- amount_reversed is how much of it the ledger has taken back so far (partial reversals; a full
-- reversal takes the rest).
alter table stripe_payments add column amount_refunded bigint not null default 0 check (amount_refunded >= 0);
alter table stripe_payments add column amount_reversed bigint not null default 0 check (amount_reversed >= 0);
update stripe_payments set amount_refunded = amount where refunded_at is not null;
update stripe_payments set amount_reversed = amount where reversal_journal_id is not null;

-- A dispute holds what is left of the seller's proceeds on the balance, which may be nothing: when
-- the hold was placed and released is recorded apart from its journal, so it happens once.
alter table stripe_payments add column hold_placed_at timestamptz;
alter table stripe_payments add column hold_released_at timestamptz;
update stripe_payments set hold_placed_at = updated_at where hold_journal_id is not null;
update stripe_payments set hold_released_at = updated_at where hold_release_journal_id is not null;
