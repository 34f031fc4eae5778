import type { Collection } from "@vetsync/shared"
import "./Db.js" // its pg type parsers
import type { Db } from "./Db.js"

/** Collections whose records reference others (a client references nothing). */
export type Referencing = Exclude<Collection, "clients">

/** A record and the rows it references. */
export interface References {
  id: string
  client_id: string
  /** null: references no patient (an invoice without one) */
  patient_id: string | null
}

export interface WaitingRecord {
  clinic_id: string
  collection: Referencing
  record_id: string
  doc_key: string
  client_id: string
  patient_id: string | null
  record: unknown
  record_updated_at: string
  waiting_since: Date
}

/** What the back office sees (view report_waiting_records). */
export interface WaitingReport {
  collection: Referencing
  record_id: string
  doc_key: string
  waiting_since: Date
  /** "clients/<id>" or "patients/<id>"; null once everything it references is there */
  missing: string | null
  /** the missing record was itself rejected, for this reason */
  missing_rejected_because: string | null
}

/**
 * The foreign keys a record may wait for (DEFERRABLE, migration 0008): deferred inside a
 * trial write, so that only what the record is on its own decides whether it is valid.
 */
export const REFERENCE_CONSTRAINTS = [
  "patients_client_id_fkey",
  "appointments_client_id_fkey",
  "appointments_patient_id_fkey",
  "invoices_client_id_fkey",
  "invoices_patient_id_fkey",
].join(", ")

/** PostgreSQL's foreign_key_violation. */
export const isMissingReference = (e: unknown): boolean => (e as { code?: string })?.code === "23503"

/** The ids among `refs` whose client or patient is not a row (soft-deleted rows are rows). */
export const missingReferences = async (db: Db, refs: References[]): Promise<Set<string>> => {
  if (refs.length === 0) return new Set()
  const res = await db.query<{ id: string }>(
    `SELECT x.id FROM json_to_recordset($1::json) AS x(id uuid, client_id uuid, patient_id uuid)
     WHERE NOT EXISTS (SELECT 1 FROM clients c WHERE c.id = x.client_id)
        OR (x.patient_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM patients p WHERE p.id = x.patient_id))`,
    [JSON.stringify(refs)],
  )
  return new Set(res.rows.map(r => r.id))
}

export const upsertWaiting = async (db: Db, w: Omit<WaitingRecord, "waiting_since">): Promise<void> => {
  await db.query(
    `INSERT INTO waiting_records (clinic_id, collection, record_id, doc_key, client_id, patient_id, record,
                                  record_updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (clinic_id, collection, record_id) DO UPDATE SET doc_key = EXCLUDED.doc_key,
       client_id = EXCLUDED.client_id, patient_id = EXCLUDED.patient_id, record = EXCLUDED.record,
       record_updated_at = EXCLUDED.record_updated_at
     WHERE (waiting_records.doc_key, waiting_records.client_id, waiting_records.patient_id, waiting_records.record)
       IS DISTINCT FROM (EXCLUDED.doc_key, EXCLUDED.client_id, EXCLUDED.patient_id, EXCLUDED.record)`,
    [
      w.clinic_id,
      w.collection,
      w.record_id,
      w.doc_key,
      w.client_id,
      w.patient_id,
      JSON.stringify(w.record),
      w.record_updated_at,
    ],
  )
}

/**
 * Removes the waiting entries of these records that came from the document each key names (the
 * record was written, rejected or removed there); an entry a newer document version left is kept.
 */
export const clearWaiting = async (
  db: Db,
  clinicId: string,
  keys: { doc_key: string; collection: Collection; id: string }[],
): Promise<number> => {
  const referencing = keys.filter(k => k.collection !== "clients")
  if (referencing.length === 0) return 0
  const res = await db.query(
    `DELETE FROM waiting_records w USING json_to_recordset($2::json) AS k(doc_key text, collection text, id uuid)
     WHERE w.clinic_id = $1 AND w.doc_key = k.doc_key AND w.collection = k.collection AND w.record_id = k.id`,
    [clinicId, JSON.stringify(referencing)],
  )
  return res.rowCount ?? 0
}

/** Waiting records of a collection whose references are all rows now. */
export const readyWaiting = async (
  db: Db,
  clinicId: string,
  collection: Referencing,
): Promise<{ record_id: string; doc_key: string }[]> =>
  (
    await db.query<{ record_id: string; doc_key: string }>(
      `SELECT record_id::text, doc_key FROM waiting_records w
       WHERE clinic_id = $1 AND collection = $2
         AND EXISTS (SELECT 1 FROM clients c WHERE c.id = w.client_id)
         AND (w.patient_id IS NULL OR EXISTS (SELECT 1 FROM patients p WHERE p.id = w.patient_id))
       ORDER BY doc_key, record_id`,
      [clinicId, collection],
    )
  ).rows

export const listWaiting = async (db: Db, clinicId: string): Promise<WaitingRecord[]> =>
  (
    await db.query<WaitingRecord>(
      `SELECT clinic_id, collection, record_id::text, doc_key, client_id::text, patient_id::text, record,
              record_updated_at, waiting_since
       FROM waiting_records WHERE clinic_id = $1 ORDER BY collection, record_id`,
      [clinicId],
    )
  ).rows

export const waitingReport = async (db: Db, clinicId: string): Promise<WaitingReport[]> =>
  (
    await db.query<WaitingReport>(
      `SELECT collection, record_id::text, doc_key, waiting_since, missing, missing_rejected_because
       FROM report_waiting_records WHERE clinic_id = $1 ORDER BY collection, record_id`,
      [clinicId],
    )
  ).rows
