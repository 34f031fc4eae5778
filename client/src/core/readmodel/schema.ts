/**
 * The read model's tables: a materialized copy of the clinic's records, a search index and sync
 * bookkeeping. clients.name_lc has its words separated by one space, clients.phone_key holds the
 * canonical phone, and the search index holds a Russian phone in both its 7… and 8… forms.
 * Appointments and invoices keep `doc_key`, the month partition they were read from: a record's
 * partition is chosen once, when it is created (its month in the clinic's time zone), and every
 * later change goes to that document, whatever the zone or the record's dates say now.
 * invoices.state is the status the invoice shows (shared's invoiceState: from its payments),
 * invoices.payments its payments as JSON, invoices.voided its void fields as JSON.
 */
export const READ_MODEL_VERSION = 6

export const READ_MODEL_DDL = `
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS clients (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, phone TEXT NOT NULL, email TEXT NOT NULL, address TEXT NOT NULL,
  notes TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, created_by TEXT NOT NULL,
  updated_by TEXT NOT NULL, deleted INTEGER NOT NULL, name_lc TEXT NOT NULL, phone_key TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS clients_name ON clients(name_lc);
CREATE TABLE IF NOT EXISTS patients (
  id TEXT PRIMARY KEY, client_id TEXT NOT NULL, name TEXT NOT NULL, species TEXT NOT NULL, breed TEXT NOT NULL,
  sex TEXT NOT NULL, birth_date TEXT NOT NULL, chip TEXT NOT NULL, notes TEXT NOT NULL, created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL, created_by TEXT NOT NULL, updated_by TEXT NOT NULL, deleted INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS patients_client ON patients(client_id);
CREATE TABLE IF NOT EXISTS appointments (
  id TEXT PRIMARY KEY, client_id TEXT NOT NULL, patient_id TEXT NOT NULL, vet TEXT NOT NULL, start TEXT NOT NULL,
  "end" TEXT NOT NULL, reason TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  created_by TEXT NOT NULL, updated_by TEXT NOT NULL, deleted INTEGER NOT NULL, doc_key TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS appointments_start ON appointments(start);
CREATE TABLE IF NOT EXISTS invoices (
  id TEXT PRIMARY KEY, number TEXT NOT NULL, client_id TEXT NOT NULL, patient_id TEXT NOT NULL, vet TEXT NOT NULL,
  issued_at TEXT NOT NULL, status TEXT NOT NULL, paid_at TEXT NOT NULL, total INTEGER NOT NULL, lines TEXT NOT NULL,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, created_by TEXT NOT NULL, updated_by TEXT NOT NULL,
  deleted INTEGER NOT NULL, doc_key TEXT NOT NULL DEFAULT '', state TEXT NOT NULL DEFAULT '',
  payments TEXT NOT NULL DEFAULT '[]', voided TEXT NOT NULL DEFAULT '{}');
CREATE INDEX IF NOT EXISTS invoices_issued ON invoices(issued_at);
CREATE INDEX IF NOT EXISTS invoices_client ON invoices(client_id);
CREATE TABLE IF NOT EXISTS price_items (
  id TEXT PRIMARY KEY, code TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, price INTEGER NOT NULL,
  unit TEXT NOT NULL, active INTEGER NOT NULL, updated_at TEXT NOT NULL, name_lc TEXT NOT NULL,
  vat TEXT NOT NULL DEFAULT 'none');
CREATE TABLE IF NOT EXISTS rejections (key TEXT PRIMARY KEY, reason TEXT NOT NULL, at TEXT NOT NULL, record_updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS conflicts (
  collection TEXT NOT NULL, id TEXT NOT NULL, field TEXT NOT NULL, kept TEXT NOT NULL, others TEXT NOT NULL,
  PRIMARY KEY (collection, id, field));
-- heads of each document that the records above reflect
CREATE TABLE IF NOT EXISTS doc_heads (doc_id TEXT PRIMARY KEY, key TEXT NOT NULL, heads TEXT NOT NULL);
-- heads of each document the relay last acknowledged
CREATE TABLE IF NOT EXISTS relay_heads (doc_id TEXT PRIMARY KEY, heads TEXT NOT NULL, at TEXT NOT NULL);
-- documents with local changes the relay has not acknowledged, with the last computed count of waiting records
CREATE TABLE IF NOT EXISTS dirty_docs (doc_id TEXT PRIMARY KEY, key TEXT NOT NULL, waiting INTEGER NOT NULL);
-- one row per client: name, the phone's digit forms, e-mail, pet names and chips, folded, for substring search;
-- its rowid is the client's n in client_keys (FTS5 cannot look a row up by an UNINDEXED column
-- without scanning the whole index)
CREATE TABLE IF NOT EXISTS client_keys (n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE);
CREATE VIRTUAL TABLE IF NOT EXISTS client_search USING fts5(id UNINDEXED, body, tokenize = 'trigram');
`

/**
 * Indexes on columns a version may lack until it is migrated (CREATE TABLE IF NOT EXISTS leaves an
 * old table as it is): created after the migration. clients.phone_key is the canonical number
 * (shared's phoneKey), "" for no phone or one stored as typed that is not a number. A card's
 * appointments and invoices are read by client or patient, newest first, through the (owner, time) indexes.
 */
export const READ_MODEL_LATE_DDL = `
CREATE INDEX IF NOT EXISTS clients_phone ON clients(phone_key);
CREATE INDEX IF NOT EXISTS appointments_client_start ON appointments(client_id, start);
CREATE INDEX IF NOT EXISTS appointments_patient_start ON appointments(patient_id, start);
CREATE INDEX IF NOT EXISTS invoices_client_issued ON invoices(client_id, issued_at);
CREATE INDEX IF NOT EXISTS invoices_patient_issued ON invoices(patient_id, issued_at);
CREATE INDEX IF NOT EXISTS invoices_number ON invoices(number COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS invoices_state_issued ON invoices(state, issued_at);
`

/** Every secondary index of the read model, as CREATE INDEX IF NOT EXISTS statements. */
export const READ_MODEL_INDEX_DDL = `${READ_MODEL_DDL}\n${READ_MODEL_LATE_DDL}`
  .split("\n")
  .filter(l => l.startsWith("CREATE INDEX IF NOT EXISTS "))

/** The name of the index each of READ_MODEL_INDEX_DDL creates. */
export const READ_MODEL_INDEXES = READ_MODEL_INDEX_DDL.map(l => l.slice("CREATE INDEX IF NOT EXISTS ".length).split(" ")[0]!)

/**
 * The indexes a fresh desk's bulk load keeps: search answers by name while the snapshot streams in
 * (its first tier reads clients_name) and lists each hit's patients (patients_client); without them
 * every search meanwhile scanned and sorted the whole clinic.
 */
export const BULK_LOAD_KEPT_INDEXES: readonly string[] = ["clients_name", "patients_client"]
