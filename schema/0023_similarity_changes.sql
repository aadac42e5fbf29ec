-- The in-memory similarity index of a Node process (src/features/media/similarity-memory.ts) loads
-- media_hashes once and then, before each search, reads only the rows added since: those of
-- transactions at or after the horizon (the oldest transaction still running, pg_snapshot_xmin) of
-- its previous read. A sequence would not do: a transaction that took a number earlier can commit
-- later, after a reader has moved past it. The transaction id of each row is recorded by the
-- database (existing rows get the id of this migration), and indexed so that reading what is new
-- touches only the newest pages. media_hashes is append-only: nothing deletes or updates a hash.
alter table media_hashes add column xid xid8 not null default pg_current_xact_id();
create index media_hashes_xid_idx on media_hashes (xid);
