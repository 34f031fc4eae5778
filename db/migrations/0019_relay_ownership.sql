-- Several relays on one PostgreSQL (issue 13, point 2): which clinic owns which document, shared
-- by every relay with VETSYNC_RELAY_STORAGE=postgres instead of each relay's ownership.json
-- (sync-server/src/PgOwnershipStore.ts). The clinics a relay knows (their layout documents
-- belong to them by construction), and the documents claimed by the first clinic that sent them:
-- the first claim stored wins (INSERT ... ON CONFLICT DO NOTHING), so two relays agree.

CREATE TABLE relay_clinics (
  clinic_id text PRIMARY KEY
);

CREATE TABLE relay_doc_owners (
  doc_id    text PRIMARY KEY,
  clinic_id text NOT NULL
);
