-- Witness cosignatures (C2SP tlog-cosignature) the log collected on its checkpoints
-- (src/features/tlog/cosign.service.ts), each checked against the witness's configured key before
-- it is stored. /log/checkpoint and tlog-proofs append them to the checkpoint note.
create table log_cosignatures (
  checkpoint_size  bigint not null references log_checkpoints(size),
  -- The witness's verifier key, <name>+<id>+<base64(0x04 ‖ public key)>.
  witness_key      text not null,
  -- The signature line, "— <name> <base64(key ID ‖ timestamp ‖ signature)>" and its newline.
  line             text not null check (line like '— % %' and right(line, 1) = E'\n'),
  cosigned_at      timestamptz not null,
  received_at      timestamptz not null,
  primary key (checkpoint_size, witness_key)
);

-- The latest size each witness cosigned: the old size of the next request to it.
create index log_cosignatures_by_witness on log_cosignatures (witness_key, checkpoint_size desc);

create trigger log_cosignatures_append_only before update or delete on log_cosignatures
  for each row execute function refuse_change();
create trigger log_cosignatures_no_truncate before truncate on log_cosignatures
  for each statement execute function refuse_change();
