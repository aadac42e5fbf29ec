-- Media pipeline and infringement screening (issue 6). The media worker (workers/media) is the only
-- writer of media_jobs' running/done/dead states, media_results and media_hashes; the submission of a
-- work writes media_screenings and media_screening_matches.

-- One analysis job per completed upload, written in the same transaction as the completion.
-- due_at is when the job may next be taken: for a queued job, when its backoff ends; for a running
-- one, when its lease expires (a worker that died mid-job leaves it running, and another takes it
-- over once the lease is past). lease_token fences a worker whose lease was taken over: it can no
-- longer finish the job.
create table media_jobs (
  upload_id     text primary key references uploads(id),
  status        text not null check (status in ('queued', 'running', 'done', 'dead')),
  attempts      integer not null default 0 check (attempts >= 0),
  due_at        timestamptz not null,
  lease_token   text,
  locked_by     text,
  last_error    text,
  dead_reason   text,
  created_at    timestamptz not null,
  updated_at    timestamptz not null,
  finished_at   timestamptz,
  check ((status = 'running') = (lease_token is not null)),
  check ((status = 'dead') = (dead_reason is not null)),
  check ((status in ('done', 'dead')) = (finished_at is not null))
);
-- What workers poll: only live jobs, oldest due first.
create index media_jobs_due_idx on media_jobs (due_at) where status in ('queued', 'running');
create index media_jobs_dead_idx on media_jobs (finished_at, upload_id) where status = 'dead';

-- Uploads completed before this migration get their job too.
insert into media_jobs (upload_id, status, attempts, due_at, created_at, updated_at)
  select id, 'queued', 0, now(), now(), now() from uploads where status = 'completed';

-- Exact-duplicate screening looks works up by file hash.
create index uploads_sha256_idx on uploads (sha256);

-- What the worker found in one upload. A refused upload (its bytes are not what was declared, or
-- unsafe to decode) has a refusal_rule; an accepted one has the facts of its format.
create table media_results (
  upload_id       text primary key references uploads(id),
  sha256          bytea not null check (length(sha256) = 32),
  verdict         text not null check (verdict in ('accepted', 'refused')),
  refusal_rule    text,
  refusal_detail  text,
  -- the real format, from magic bytes: png, jpeg, webp, gif, avif, glb, vrm, gltf, obj, fbx, zip, usdz, pdf
  format          text,
  width           integer check (width > 0),
  height          integer check (height > 0),
  blurhash        text,
  -- 64-bit perceptual hashes (dHash, DCT pHash) as signed int8; an image with too little detail
  -- (near-uniform) keeps them here but stays out of the similarity index, where it would match
  -- every other blank image
  dhash           bigint,
  phash           bigint,
  low_detail      boolean,
  preview_small   jsonb,
  preview_large   jsonb,
  -- 3D facts: meshes, primitives, vertices, textures, materials, copyright, generator, vrm {…}
  model           jsonb,
  analysed_at     timestamptz not null,
  check ((verdict = 'refused') = (refusal_rule is not null))
);

-- The similarity index: 64-bit perceptual hashes, split into four 16-bit bands (multi-index
-- hashing, Norouzi, Punjani & Fleet, "Fast Search in Hamming Space with Multi-Index Hashing",
-- CVPR 2012). Two hashes within Hamming distance r differ, in at least one band i, in at most r_i
-- bits whenever the r_i + 1 add up to more than r (pigeonhole), so probing each band's index with
-- every value within r_i of the query's band finds all candidates without a scan; the exact
-- distance then filters them (src/features/media/similarity.ts). The bands are derived by the
-- database, so they can never disagree with the hash. Each band index is per algorithm (partial)
-- with an integer key and carries the hash, so a probe is an index-only scan of small tuples.
create table media_hashes (
  upload_id  text not null references uploads(id),
  algorithm  text not null check (algorithm in ('dhash', 'phash')),
  hash       bigint not null,
  b0         integer generated always as (((hash >> 48) & 65535)::integer) stored,
  b1         integer generated always as (((hash >> 32) & 65535)::integer) stored,
  b2         integer generated always as (((hash >> 16) & 65535)::integer) stored,
  b3         integer generated always as ((hash & 65535)::integer) stored,
  primary key (upload_id, algorithm)
);
create index media_hashes_phash_b0_idx on media_hashes (b0) include (hash) where algorithm = 'phash';
create index media_hashes_phash_b1_idx on media_hashes (b1) include (hash) where algorithm = 'phash';
create index media_hashes_phash_b2_idx on media_hashes (b2) include (hash) where algorithm = 'phash';
create index media_hashes_phash_b3_idx on media_hashes (b3) include (hash) where algorithm = 'phash';
create index media_hashes_dhash_b0_idx on media_hashes (b0) include (hash) where algorithm = 'dhash';
create index media_hashes_dhash_b1_idx on media_hashes (b1) include (hash) where algorithm = 'dhash';
create index media_hashes_dhash_b2_idx on media_hashes (b2) include (hash) where algorithm = 'dhash';
create index media_hashes_dhash_b3_idx on media_hashes (b3) include (hash) where algorithm = 'dhash';

-- The screening of a submission: written in the submission's transaction, read by officials.
create table media_screenings (
  asset_id                text primary key references assets(id),
  flagged                 boolean not null,
  threshold               integer not null check (threshold between 0 and 64),
  licence_contradictions  jsonb not null,
  screened_at             timestamptz not null
);
create index media_screenings_flagged_idx on media_screenings (asset_id) where flagged;

-- Other parties' works whose files equal (sha256, distance 0) or resemble (dhash/phash within the
-- threshold) a file of the submission.
create table media_screening_matches (
  asset_id           text not null references media_screenings(asset_id),
  upload_id          text not null references uploads(id),
  matched_asset_id   text not null references assets(id),
  matched_upload_id  text not null references uploads(id),
  algorithm          text not null check (algorithm in ('sha256', 'dhash', 'phash')),
  distance           integer not null check (distance between 0 and 64),
  primary key (asset_id, upload_id, matched_asset_id, matched_upload_id, algorithm),
  check (asset_id <> matched_asset_id)
);

create trigger media_screenings_append_only before update or delete on media_screenings
  for each row execute function refuse_change();
create trigger media_screening_matches_append_only before update or delete on media_screening_matches
  for each row execute function refuse_change();
