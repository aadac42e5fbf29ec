-- Performance: a journal opens in one round trip.
--
-- postJournal (src/features/ledger/ledger.repo.ts) opened every journal with three statements
-- (its row, the missing balance rows, lock_and_fold), each a round trip while the transaction
-- holds locks. open_journal runs the same three steps, in the same order, in one.
--
-- 1. The journal's row first: it locks nothing anyone else needs.
-- 2. The balance rows of `missing` that do not exist yet, at 0, in holder order. The order and the
--    `not exists` matter for deadlock freedom: an existing row is skipped without a unique-index
--    check, so this never waits on a row someone else holds, only on a concurrent creator of the
--    same new row, in holder order; a row created later (inside the postings insert) would have
--    been invisible to the lock below and locked out of order.
-- 3. lock_and_fold (schema/0027) over `hs`, folding the pending credits of `fold`.
--
-- Empty arrays are allowed: the journal's row is still inserted, and no rows are returned.
-- Parameters are prefixed (j_…) so they never clash with the columns of journals and balances.
create function open_journal(
  j_id text, j_kind text, j_currency text, j_trade_id text, j_reverses text, j_memo text,
  j_created_at timestamptz, missing text[], hs text[], fold text[])
  returns table (locked_holder text, locked_amount bigint, folded bigint) language plpgsql as $$
begin
  insert into journals (id, kind, currency, trade_id, reverses, memo, created_at)
    values (j_id, j_kind, j_currency, j_trade_id, j_reverses, j_memo, j_created_at);
  insert into balances (holder, currency, amount)
    select m, j_currency, 0 from unnest(missing) as m
    where not exists (select 1 from balances b where b.holder = m and b.currency = j_currency)
    order by m
    on conflict do nothing;
  return query select * from lock_and_fold(hs, fold, j_currency);
end $$;
