-- Funded bids and quotas (issue 10, items 4 and 5).
--
-- bid_hold: money a bidder has put up on an auction, parked on 'hold:<listing>:<bidder>' (an
--           English bid's amount, a sealed commitment's deposit) and given back; one journal may
--           hold the new highest bid and give back the bid it beat.
-- forfeit:  a sealed commitment left unrevealed: its deposit goes to the seller.
-- A won auction's trade journal draws the price from the winner's hold first (role 'buyer').
alter table journals drop constraint journals_kind_check;
alter table journals add constraint journals_kind_check
  check (kind in ('topup', 'trade', 'reversal', 'payment', 'refund', 'hold', 'hold_release', 'payout',
                  'partial_reversal', 'recovery', 'bid_hold', 'forfeit'));

alter table postings drop constraint postings_holder_check;
alter table postings add constraint postings_holder_check
  check (holder ~ '^(acc|plt)_[0-9A-Z]{26}$' or holder = 'external' or holder ~ '^hold:trd_[0-9A-Z]{26}$'
         or holder ~ '^receivable:(acc|plt)_[0-9A-Z]{26}$'
         or holder ~ '^hold:lst_[0-9A-Z]{26}:acc_[0-9A-Z]{26}$');

alter table postings drop constraint postings_role_check;
alter table postings add constraint postings_role_check
  check (role in ('topup_source', 'topup', 'buyer', 'seller', 'platform_fee', 'royalty', 'parent_royalty',
                  'payment_source', 'payment', 'refund', 'refund_sink', 'hold', 'payout', 'payout_sink',
                  'receivable', 'recovery', 'bid_hold', 'forfeit'));

-- The deposit a sealed-bid commitment puts up (minor units of the listing currency); null: none.
alter table listings add column bid_deposit bigint check (bid_deposit > 0);
alter table listings add constraint listings_bid_deposit_sealed check (bid_deposit is null or kind = 'sealed');

-- How many commitments (the first and each replacement) a bidder has made on a listing: each one
-- is a log leaf, so their number is bounded.
alter table sealed_bids add column commitments integer not null default 1 check (commitments >= 1);

-- Quotas count these in the transaction that inserts the next one.
create index trades_buyer_reserved_idx on trades (buyer_id) where status = 'reserved';
create index offers_buyer_unit_idx on offers (buyer_id, unit_id, created_at);
create index objections_principal_idx on objections (principal_kind, principal_id, created_at);
