-- Fixes apply_posting (0004): it upserted `values (holder, currency, posting amount)`, and
-- PostgreSQL checks CHECK constraints on the proposed row before it detects the conflict, so
-- every debit of an account or platform (a negative posting: a buyer paying) failed the
-- `amount >= 0` check even when the existing balance covered it. Now the balance row is created
-- at zero if missing and then updated, so the CHECK sees only the real balance after the posting.
create or replace function apply_posting() returns trigger language plpgsql as $$
declare
  cur text := (select currency from journals where id = new.journal_id);
begin
  insert into balances (holder, currency, amount) values (new.holder, cur, 0)
    on conflict (holder, currency) do nothing;
  update balances set amount = amount + new.amount where holder = new.holder and currency = cur;
  return null;
end $$;
