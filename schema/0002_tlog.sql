-- Transparency log (DESIGN §3): every event becomes a leaf of an RFC 6962 Merkle tree served as
-- C2SP tlog-tiles, with C2SP signed checkpoints. The integrator (src/features/tlog/integrate.ts)
-- is the only writer of log_leaves, log_nodes and log_checkpoints.

-- Committed events not yet in the log. Filled by a trigger on events, so an event and its place
-- in the queue commit together whichever code path wrote it; the integrator takes rows from here
-- instead of scanning events. Rows are deleted once integrated: this is the one mutable log table.
create table log_queue (
  event_seq  bigint primary key references events(seq)
);

create function queue_event_for_log() returns trigger language plpgsql as $$
begin
  insert into log_queue (event_seq) values (new.seq);
  return null;
end $$;

create trigger events_queue_for_log after insert on events
  for each row execute function queue_event_for_log();

-- Events written before this migration join the log too.
insert into log_queue (event_seq) select seq from events order by seq;

-- Leaf `index` of the log is the event at `event_seq`; its entry bytes are events.entry (UTF-8)
-- and its RFC 6962 leaf hash is log_nodes (0, index). event_seq has no foreign key on purpose: the
-- check would lock every integrated event row (FOR KEY SHARE), rewriting each events page and
-- halving integration throughput, while the integrator only ever stores a seq it has just read
-- from events, and events rows can never be deleted.
create table log_leaves (
  index      bigint primary key check (index >= 0),
  event_seq  bigint not null unique
);

-- Hash of every complete subtree: node (level, index) covers leaves [index·2^level, (index+1)·2^level).
-- Levels 0, 8, 16 … are what tlog-tiles serves; the others make every proof one indexed read.
create table log_nodes (
  level  smallint not null check (level between 0 and 63),
  index  bigint not null check (index >= 0),
  hash   bytea not null check (length(hash) = 32),
  primary key (level, index)
);

-- Every signed checkpoint (C2SP tlog-checkpoint note, verbatim), kept forever.
create table log_checkpoints (
  size        bigint primary key check (size >= 0),
  root_hash   bytea not null check (length(root_hash) = 32),
  note        text not null,
  created_at  timestamptz not null
);

-- Indices have no gaps: each insert statement must append consecutive indices right after the
-- last stored one. Checked once per statement (the primary key already makes indices unique, so
-- max − min + 1 = count means consecutive), not per row, to keep batches fast.
create function log_leaves_are_next() returns trigger language plpgsql as $$
declare
  lo bigint;
  hi bigint;
  n bigint;
begin
  select min(index), max(index), count(*) into lo, hi, n from added;
  if n = 0 then return null; end if;
  if hi - lo + 1 <> n or (lo > 0 and not exists (select 1 from log_leaves where index = lo - 1)) then
    raise exception 'log leaves %..% would leave a gap', lo, hi using errcode = 'P0001';
  end if;
  return null;
end $$;

create trigger log_leaves_gapless after insert on log_leaves
  referencing new table as added
  for each statement execute function log_leaves_are_next();

-- A checkpoint covers exactly the leaves stored so far, and the log only grows.
create function log_checkpoint_covers_leaves() returns trigger language plpgsql as $$
declare
  leaves bigint := coalesce((select index + 1 from log_leaves order by index desc limit 1), 0);
begin
  if new.size <> leaves then
    raise exception 'checkpoint size % but the log holds % leaves', new.size, leaves using errcode = 'P0001';
  end if;
  if exists (select 1 from log_checkpoints where size >= new.size) then
    raise exception 'checkpoint size % does not grow the log', new.size using errcode = 'P0001';
  end if;
  return new;
end $$;

create trigger log_checkpoints_grow before insert on log_checkpoints
  for each row execute function log_checkpoint_covers_leaves();

-- Append-only, enforced here as for events (refuse_change() is from 0001). TRUNCATE bypasses row
-- triggers, so it is refused by statement triggers, for events as well.
create trigger log_leaves_append_only before update or delete on log_leaves
  for each row execute function refuse_change();
create trigger log_nodes_append_only before update or delete on log_nodes
  for each row execute function refuse_change();
create trigger log_checkpoints_append_only before update or delete on log_checkpoints
  for each row execute function refuse_change();
create trigger log_leaves_no_truncate before truncate on log_leaves
  for each statement execute function refuse_change();
create trigger log_nodes_no_truncate before truncate on log_nodes
  for each statement execute function refuse_change();
create trigger log_checkpoints_no_truncate before truncate on log_checkpoints
  for each statement execute function refuse_change();
create trigger events_no_truncate before truncate on events
  for each statement execute function refuse_change();
