-- A witness's whole state (C2SP tlog-witness): per log origin, the latest checkpoint it cosigned.
-- A row only ever moves forward, by an update conditioned on the size the request was checked
-- against (witness.repo.ts), so two requests can never both advance from the same view.
create table witness_checkpoints (
  origin      text primary key,
  size        bigint not null check (size >= 0),
  root_hash   bytea not null check (length(root_hash) = 32),
  -- The checkpoint note as the log signed it, kept as evidence of what was cosigned.
  note        text not null,
  updated_at  timestamptz not null
);

-- The size never shrinks, whatever writes the row.
create function witness_checkpoint_grows() returns trigger language plpgsql as $$
begin
  if new.size < old.size then
    raise exception 'witness checkpoint for % would shrink from % to %', old.origin, old.size, new.size
      using errcode = 'P0001';
  end if;
  return new;
end $$;

create trigger witness_checkpoints_grow before update on witness_checkpoints
  for each row execute function witness_checkpoint_grows();

-- Consistency proofs that did not verify for a checkpoint the log did sign: possible evidence of
-- a split view (tlog-witness: the witness "MAY log the request even if the consistency proof
-- doesn't verify"). Never read by the witness itself.
create table witness_refusals (
  id           bigint generated always as identity primary key,
  origin       text not null,
  old_size     bigint not null,
  body         text not null,
  reason       text not null,
  received_at  timestamptz not null
);
