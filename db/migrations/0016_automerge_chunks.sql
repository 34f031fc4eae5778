-- The relay's documents in PostgreSQL (issue 13, point 2): automerge-repo's storage as one row per
-- chunk, for PostgresStorageAdapter (db/src/PostgresStorageAdapter.ts). A key is the storage key's
-- parts joined by '/' (no part may contain '/' or be empty, as on the filesystem); the "C"
-- collation lets LIKE 'prefix/%' use the primary key's index. seq keeps the order in which keys
-- were first saved (automerge-repo's acceptance suite expects loadRange in that order).
-- Numbered 0016: 0012-0015 are being written in parallel.

CREATE TABLE automerge_chunks (
  key text COLLATE "C" PRIMARY KEY,
  data bytea NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY
);
