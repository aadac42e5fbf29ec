-- Every read an IP official makes, so the operator can show who looked at what and when.
create table official_reads (
  id           bigserial primary key,
  official_id  text not null references officials(id),
  method       text not null,
  path         text not null check (length(path) <= 2048),
  status       integer not null,
  request_id   text,
  at           timestamptz not null
);
create index official_reads_official_idx on official_reads (official_id, id);

create trigger official_reads_append_only before update or delete on official_reads
  for each row execute function refuse_change();
