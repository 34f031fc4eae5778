import type { Collection } from "@vetsync/shared"
import "./Db.js" // its pg type parsers
import type { Db } from "./Db.js"

export interface RejectionRow {
  clinic_id: string
  collection: Collection
  record_id: string
  doc_key: string
  kind: "invalid" | "constraint"
  reason: string
  record: unknown
  record_updated_at: string
  rejected_at: Date
}

export const upsertRejection = async (db: Db, r: Omit<RejectionRow, "rejected_at">): Promise<void> => {
  await db.query(
    `INSERT INTO rejections (clinic_id, collection, record_id, doc_key, kind, reason, record, record_updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (clinic_id, collection, record_id) DO UPDATE SET doc_key = EXCLUDED.doc_key, kind = EXCLUDED.kind,
       reason = EXCLUDED.reason, record = EXCLUDED.record, record_updated_at = EXCLUDED.record_updated_at,
       rejected_at = now()
     WHERE (rejections.reason, rejections.record_updated_at, rejections.record)
       IS DISTINCT FROM (EXCLUDED.reason, EXCLUDED.record_updated_at, EXCLUDED.record)`,
    [
      r.clinic_id,
      r.collection,
      r.record_id,
      r.doc_key,
      r.kind,
      r.reason,
      JSON.stringify(r.record),
      r.record_updated_at,
    ],
  )
}

/** Removes the rejections of records that have now been projected; returns the keys removed. */
export const clearRejections = async (
  db: Db,
  clinicId: string,
  keys: { collection: Collection; id: string }[],
): Promise<{ collection: Collection; id: string }[]> => {
  if (keys.length === 0) return []
  const res = await db.query<{ collection: Collection; id: string }>(
    `DELETE FROM rejections r USING json_to_recordset($2::json) AS k(collection text, id text)
     WHERE r.clinic_id = $1 AND r.collection = k.collection AND r.record_id = k.id
     RETURNING r.collection, r.record_id AS id`,
    [clinicId, JSON.stringify(keys)],
  )
  return res.rows
}

export const listRejections = async (db: Db, clinicId: string): Promise<RejectionRow[]> =>
  (
    await db.query<RejectionRow>("SELECT * FROM rejections WHERE clinic_id = $1 ORDER BY collection, record_id", [
      clinicId,
    ])
  ).rows

/** Records PostgreSQL refused (e.g. an invoice number another invoice holds): retried once other rows were written. */
export const constraintRejections = async (
  db: Db,
  clinicId: string,
): Promise<{ collection: Collection; record_id: string; doc_key: string }[]> =>
  (
    await db.query<{ collection: Collection; record_id: string; doc_key: string }>(
      "SELECT collection, record_id, doc_key FROM rejections WHERE clinic_id = $1 AND kind = 'constraint'",
      [clinicId],
    )
  ).rows
