-- Append-only, for real (issue 10).
--
-- History tables refuse UPDATE and DELETE with row triggers (refuse_change(), 0001). Two gaps:
-- TRUNCATE skips row triggers, and whoever owns a table can disable its triggers. This migration
-- closes the first with a statement trigger on every history table, and gives the second to the
-- database's privileges: the application connects as a role of its own that owns nothing and may
-- not UPDATE, DELETE or TRUNCATE history (haipai_grant_app_role below; README "Database roles").
-- On the embedded PGlite there is one role, so the triggers remain the guard there.

create trigger unit_transfers_no_truncate before truncate on unit_transfers
  for each statement execute function refuse_change();
create trigger reviews_no_truncate before truncate on reviews
  for each statement execute function refuse_change();
create trigger objections_no_truncate before truncate on objections
  for each statement execute function refuse_change();
create trigger attestations_no_truncate before truncate on attestations
  for each statement execute function refuse_change();
create trigger official_reads_no_truncate before truncate on official_reads
  for each statement execute function refuse_change();
create trigger journals_no_truncate before truncate on journals
  for each statement execute function refuse_change();
create trigger postings_no_truncate before truncate on postings
  for each statement execute function refuse_change();
create trigger bids_no_truncate before truncate on bids
  for each statement execute function refuse_change();
create trigger media_screenings_no_truncate before truncate on media_screenings
  for each statement execute function refuse_change();
create trigger media_screening_matches_no_truncate before truncate on media_screening_matches
  for each statement execute function refuse_change();
create trigger webhook_attempts_no_truncate before truncate on webhook_attempts
  for each statement execute function refuse_change();
create trigger stripe_events_no_truncate before truncate on stripe_events
  for each statement execute function refuse_change();

-- A freeze is history once placed: who placed it, why and when never change. The one later write
-- is its lifting, once (src/features/freezes/freezes.service.ts liftFreeze). Moving the lifting
-- into a table of its own would change every reader of freezes; instead this trigger allows
-- exactly that one change, and the application role may UPDATE only the lifting's columns.
create function unit_freeze_lift_once() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE'
     and old.lifted_at is null and new.lifted_at is not null
     and (new.id, new.unit_id, new.cause, new.trade_id, new.placed_by, new.reason, new.placed_at)
         is not distinct from (old.id, old.unit_id, old.cause, old.trade_id, old.placed_by, old.reason, old.placed_at) then
    return new;
  end if;
  raise exception 'append-only table %: % refused (a freeze may only be lifted, once)', tg_table_name, tg_op
    using errcode = 'P0001';
end $$;
create trigger unit_freezes_lift_once before update or delete on unit_freezes
  for each row execute function unit_freeze_lift_once();
create trigger unit_freezes_no_truncate before truncate on unit_freezes
  for each statement execute function refuse_change();

-- The application role's privileges on this schema, run by the migrator as the owner after every
-- migration (`DATABASE_APP_ROLE=… npm run migrate`), so tables added later are covered too.
-- Everything the application needs on every table, then history taken back: a history table is
-- one with a refuse_change() or unit_freeze_lift_once() trigger, so a new history table needs no
-- change here. TRUNCATE is never granted; schema_migrations is the migrator's alone.
create function haipai_grant_app_role(app_role name) returns void language plpgsql as $$
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
    where n.nspname = s and p.proname in ('refuse_change', 'unit_freeze_lift_once')
  loop
    execute format('revoke update, delete, truncate on %I.%I from %I', s, t.relname, app_role);
  end loop;
  execute format('grant update (lifted_at, lifted_by, lift_reason) on %I.unit_freezes to %I', s, app_role);
end $$;
revoke execute on function haipai_grant_app_role(name) from public;
