-- Performance (issue 14): no hot balance rows for credits nothing needs to check.
--
-- Every trade journal credited the platform's fee and the creators' royalties by updating their
-- balance rows, which stayed locked until commit: all purchases of one platform (and of one
-- creator's works) queued on those rows. A credit only ever adds money, so nothing has to be
-- checked when it is written. Such a credit is now a *deferred* posting: written with the journal
-- (which still sums to zero at commit), it leaves the balance row alone, and its balance_after is
-- null until a later step *folds* it into the row, in posting order, under the row's lock: the
-- scheduler's fold (src/features/ledger/fold.ts) or any debit of that holder, which folds the
-- holder's pending credits before checking its funds (src/features/ledger/ledger.repo.ts).
-- Readers count pending credits, so nobody sees money vanish in between.

alter table postings add column deferred boolean not null default false;
-- The order in which postings moved their holder's balance row: the posting's id when it moved the
-- row as it was written, a fresh value of the id sequence when it was folded later. A statement's
-- running balance follows this order (ids are drawn before commit, so a deferred credit's id can be
-- older than a debit that was applied before the credit was folded).
alter table postings add column applied_seq bigint;

alter table postings disable trigger postings_append_only;
update postings set applied_seq = id where holder <> 'external';
alter table postings enable trigger postings_append_only;

alter table postings drop constraint postings_balance_after_check;
alter table postings add constraint postings_balance_after_check
  check (case when holder = 'external' then balance_after is null and applied_seq is null
              else (balance_after is null) = (applied_seq is null) and (deferred or balance_after is not null) end);
-- Only credits to a holder with a balance row of its own may wait.
alter table postings add constraint postings_deferred_check
  check (not deferred or (amount > 0 and holder ~ '^(acc|plt)_'));

-- Statements page in application order; the fold and the readers find pending credits in a small index.
create index postings_holder_applied_idx on postings (holder, applied_seq);
create index postings_pending_idx on postings (holder, id) where deferred and balance_after is null;

-- A posting written as it moves the row takes its own id as its place in the holder's order.
create or replace function apply_posting() returns trigger language plpgsql as $$
declare
  cur text;
begin
  if new.holder = 'external' or new.deferred then
    return new;
  end if;
  cur := (select currency from journals where id = new.journal_id);
  insert into balances (holder, currency, amount) values (new.holder, cur, 0)
    on conflict (holder, currency) do nothing;
  update balances set amount = amount + new.amount where holder = new.holder and currency = cur
    returning amount into new.balance_after;
  new.applied_seq := new.id;
  return new;
end $$;

-- Postings stay append-only, but for one write: a deferred credit's fold sets its balance_after
-- and applied_seq, once.
create function posting_fold_once() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE'
     and old.deferred and old.balance_after is null and old.applied_seq is null
     and new.balance_after is not null and new.applied_seq is not null
     and (new.id, new.journal_id, new.holder, new.role, new.amount, new.deferred)
         is not distinct from (old.id, old.journal_id, old.holder, old.role, old.amount, old.deferred) then
    return new;
  end if;
  raise exception 'append-only table %: % refused (a deferred posting may only be folded, once)', tg_table_name, tg_op
    using errcode = 'P0001';
end $$;
drop trigger postings_append_only on postings;
create trigger postings_append_only before update or delete on postings
  for each row execute function posting_fold_once();

-- Folds a holder's committed pending credits in one currency into its balance row, oldest posting
-- first, each posting getting the balance after it. Locks the row first (creating it at zero if
-- the holder had only pending credits), so concurrent folds and debits of the holder queue here and
-- each pending credit is folded exactly once: the loop's query starts after the lock is held, so it
-- sees what an earlier fold committed. Returns the amount folded.
create function fold_pending_credits(h text, cur text) returns bigint language plpgsql as $$
declare
  p record;
  run bigint;
  total bigint := 0;
begin
  insert into balances (holder, currency, amount) values (h, cur, 0) on conflict (holder, currency) do nothing;
  select amount into run from balances where holder = h and currency = cur for update;
  for p in
    select po.id, po.amount from postings po join journals j on j.id = po.journal_id
    where po.holder = h and po.deferred and po.balance_after is null and j.currency = cur
    order by po.id
  loop
    run := run + p.amount;
    total := total + p.amount;
    update postings set balance_after = run, applied_seq = nextval('postings_id_seq') where id = p.id;
  end loop;
  if total <> 0 then
    update balances set amount = run where holder = h and currency = cur;
  end if;
  return total;
end $$;

-- postJournal's first step (src/features/ledger/ledger.repo.ts), in one round trip: locks the
-- balance rows `hs` in holder order, then folds the pending credits of the holders in `fold` (those
-- the journal debits, so their funds check counts every committed credit) and answers each locked
-- row's amount after that, with what was folded into it.
create function lock_and_fold(hs text[], fold text[], cur text)
  returns table (locked_holder text, locked_amount bigint, folded bigint) language plpgsql as $$
declare
  h text;
  done text[] := '{}';
  amounts bigint[] := '{}';
begin
  perform 1 from balances b where b.currency = cur and b.holder = any(hs) order by b.holder for update;
  for h in select x from unnest(fold) as x order by x loop
    done := done || h;
    amounts := amounts || fold_pending_credits(h, cur);
  end loop;
  return query
    select b.holder, b.amount, coalesce(d.f, 0::bigint)
    from balances b left join unnest(done, amounts) as d(h, f) on d.h = b.holder
    where b.currency = cur and b.holder = any(hs)
    order by b.holder;
end $$;

-- The application role may write the fold's two columns of postings, and nothing else of them.
create or replace function haipai_grant_app_role(app_role name) returns void language plpgsql as $$
declare
  s name := current_schema();
  t record;
begin
  -- A member of the owning role could act as the owner (disable triggers, grant itself back).
  if pg_has_role(app_role, current_user, 'member')
     or exists (select 1 from pg_roles where rolname = app_role and rolsuper) then
    raise exception 'the application role % must be neither the owner, a member of it, nor a superuser', app_role;
  end if;
  execute format('grant usage on schema %I to %I', s, app_role);
  execute format('grant select, insert, update, delete on all tables in schema %I to %I', s, app_role);
  execute format('grant usage, select on all sequences in schema %I to %I', s, app_role);
  execute format('revoke insert, update, delete on %I.schema_migrations from %I', s, app_role);
  for t in
    select distinct c.relname
    from pg_trigger tr
    join pg_class c on c.oid = tr.tgrelid
    join pg_namespace n on n.oid = c.relnamespace
    join pg_proc p on p.oid = tr.tgfoid and p.pronamespace = n.oid
    where n.nspname = s and p.proname in ('refuse_change', 'unit_freeze_lift_once', 'posting_fold_once')
  loop
    execute format('revoke update, delete, truncate on %I.%I from %I', s, t.relname, app_role);
  end loop;
  execute format('grant update (lifted_at, lifted_by, lift_reason) on %I.unit_freezes to %I', s, app_role);
  execute format('grant update (balance_after, applied_seq) on %I.postings to %I', s, app_role);
end $$;
revoke execute on function haipai_grant_app_role(name) from public;
