-- IP protection casework (issue 12): complaints against registered works, cases an official runs
-- on them, interim measures and determinations (src/features/cases/README.md).

-- A case may freeze units: a freeze cause of its own, placed and lifted by the case.
alter table unit_freezes drop constraint unit_freezes_cause_check;
alter table unit_freezes add constraint unit_freezes_cause_check
  check (cause in ('payment_disputed', 'refunded', 'dispute_lost', 'official', 'carried_over', 'case'));

-- A takedown revokes a registration: the work keeps its registration number (its certificate
-- page says it was revoked) but is no longer registered.
alter table assets drop constraint assets_status_check;
alter table assets add constraint assets_status_check
  check (status in ('draft', 'submitted', 'in_review', 'public_notice', 'registered', 'rejected', 'revoked'));
do $$
declare c record;
begin
  for c in select conname from pg_constraint
           where conrelid = 'assets'::regclass and contype = 'c'
             and pg_get_constraintdef(oid) like '%registration_number IS NOT NULL%'
  loop
    execute format('alter table assets drop constraint %I', c.conname);
  end loop;
end $$;
alter table assets add constraint assets_registration_number_check
  check ((status in ('registered', 'revoked')) = (registration_number is not null));

create table cases (
  id                     text primary key check (id ~ '^cas_[0-9A-Z]{26}$'),
  asset_id               text not null references assets(id),
  status                 text not null check (status in ('open', 'interim', 'awaiting_response', 'decided', 'appeal', 'closed')),
  origin                 text not null check (origin in ('complaint', 'official', 'court_order')),
  complainant_id         text references accounts(id),
  -- the rights holder when the case was opened
  respondent_id          text not null references accounts(id),
  opened_by              text not null references officials(id),
  assigned_to            text not null references officials(id),
  court_reference        text check (length(court_reference) between 1 and 200),
  court_document_sha256  text check (court_document_sha256 ~ '^[0-9a-f]{64}$'),
  -- the official's note on opening; free text, so the log carries only its SHA-256
  note                   text check (length(note) between 1 and 5000),
  -- interim measures in force
  units_frozen           boolean not null default false,
  listings_suspended     boolean not null default false,
  hidden                 boolean not null default false,
  response_due_at        timestamptz,
  determination          text check (determination in ('dismissed', 'takedown', 'rights_transferred', 'settled')),
  -- what the determination orders: {transferCredits, agreementSha256, courtReference, courtDocumentSha256}
  terms                  jsonb,
  reason                 text check (length(reason) between 1 and 5000),
  decided_by             text references officials(id),
  decided_at             timestamptz,
  -- when the determination takes effect: the end of the appeal window
  effective_at           timestamptz,
  appealed_by            text references accounts(id),
  appealed_at            timestamptz,
  appeal_statement       text check (length(appeal_statement) between 1 and 5000),
  closed_at              timestamptz,
  created_at             timestamptz not null,
  updated_at             timestamptz not null,
  check ((origin = 'complaint') = (complainant_id is not null) or origin = 'court_order'),
  check ((determination is null) = (decided_at is null)),
  check (status not in ('decided', 'appeal', 'closed') or determination is not null),
  check (origin <> 'court_order' or court_reference is not null)
);
-- One live case per work: further complaints are joined to it.
create unique index cases_live_per_work_idx on cases (asset_id) where status <> 'closed';
create index cases_due_idx on cases (effective_at) where status = 'decided';
create index cases_public_idx on cases (decided_at, id) where decided_at is not null;

create table complaints (
  id                  text primary key check (id ~ '^cmp_[0-9A-Z]{26}$'),
  asset_id            text not null references assets(id),
  complainant_id      text not null references accounts(id),
  -- who filed it: the complainant's platform (or the complainant's own key)
  platform_id         text not null references platforms(id),
  earlier_asset_id    text references assets(id),
  statement           text not null check (length(statement) between 1 and 5000),
  claimed_created_on  date,
  copied_elements     jsonb not null,
  -- the similarity screening between the two works, as it stood when the complaint was filed
  screening           jsonb not null,
  status              text not null check (status in ('filed', 'in_case', 'closed')),
  case_id             text references cases(id),
  created_at          timestamptz not null,
  check (earlier_asset_id is null or earlier_asset_id <> asset_id),
  check ((status = 'filed') = (case_id is null))
);
-- Deduplicated: one live complaint per complainant and work.
create unique index complaints_live_idx on complaints (complainant_id, asset_id) where status <> 'closed';
create index complaints_complainant_idx on complaints (complainant_id, created_at);
create index complaints_queue_idx on complaints (status, id);

create table case_responses (
  id          text primary key check (id ~ '^rsp_[0-9A-Z]{26}$'),
  case_id     text not null references cases(id),
  party_id    text not null references accounts(id),
  statement   text not null check (length(statement) between 1 and 5000),
  created_at  timestamptz not null
);
create index case_responses_case_idx on case_responses (case_id, created_at);

-- Evidence files of complaints and responses: verified uploads, by reference.
create table case_evidence (
  complaint_id  text references complaints(id),
  response_id   text references case_responses(id),
  upload_id     text not null references uploads(id),
  check ((complaint_id is null) <> (response_id is null))
);
create unique index case_evidence_idx on case_evidence (coalesce(complaint_id, response_id), upload_id);

-- The freezes a case placed, so its decision lifts exactly those (or keeps them for good).
create table case_freezes (
  case_id    text not null references cases(id),
  freeze_id  text not null references unit_freezes(id),
  primary key (case_id, freeze_id)
);

create trigger case_responses_append_only before update or delete on case_responses
  for each row execute function refuse_change();
create trigger case_evidence_append_only before update or delete on case_evidence
  for each row execute function refuse_change();
create trigger case_freezes_append_only before update or delete on case_freezes
  for each row execute function refuse_change();
create trigger case_responses_no_truncate before truncate on case_responses
  for each statement execute function refuse_change();
create trigger case_evidence_no_truncate before truncate on case_evidence
  for each statement execute function refuse_change();
create trigger case_freezes_no_truncate before truncate on case_freezes
  for each statement execute function refuse_change();
