import type { Db } from "./Db.js"

/** The heads a document was projected at, locked for this transaction; undefined if never projected. */
export const lockHeads = async (db: Db, docId: string): Promise<string[] | undefined> => {
  const res = await db.query<{ heads: string[] }>("SELECT heads FROM projection_heads WHERE doc_id = $1 FOR UPDATE", [
    docId,
  ])
  return res.rows[0]?.heads
}

/**
 * The heads each of these documents was projected at, locked for this transaction (in doc_id
 * order, as every bridge locks them, so two never wait for each other); absent: never projected.
 */
export const lockHeadsOf = async (db: Db, docIds: string[]): Promise<Map<string, string[]>> => {
  const res = await db.query<{ doc_id: string; heads: string[] }>(
    "SELECT doc_id, heads FROM projection_heads WHERE doc_id = ANY($1::text[]) ORDER BY doc_id FOR UPDATE",
    [docIds],
  )
  return new Map(res.rows.map(r => [r.doc_id, r.heads]))
}

/** saveHeads for several documents in one statement. */
export const saveHeadsOf = async (
  db: Db,
  docs: { docId: string; clinicId: string; docKey: string; heads: string[] }[],
): Promise<void> => {
  if (docs.length === 0) return
  await db.query(
    `INSERT INTO projection_heads (doc_id, clinic_id, doc_key, heads, projected_at)
     SELECT d.doc_id, d.clinic_id, d.doc_key, ARRAY(SELECT json_array_elements_text(d.heads)), now()
     FROM json_to_recordset($1::json) AS d(doc_id text, clinic_id text, doc_key text, heads json)
     ON CONFLICT (doc_id) DO UPDATE SET heads = EXCLUDED.heads, projected_at = now()`,
    [JSON.stringify(docs.map(d => ({ doc_id: d.docId, clinic_id: d.clinicId, doc_key: d.docKey, heads: d.heads })))],
  )
}

export const saveHeads = async (
  db: Db,
  p: { docId: string; clinicId: string; docKey: string; heads: string[] },
): Promise<void> => {
  await db.query(
    `INSERT INTO projection_heads (doc_id, clinic_id, doc_key, heads, projected_at) VALUES ($1, $2, $3, $4, now())
     ON CONFLICT (doc_id) DO UPDATE SET heads = EXCLUDED.heads, projected_at = now()`,
    [p.docId, p.clinicId, p.docKey, p.heads],
  )
}

/**
 * Moves a document's stored heads from `from` to `to` only if they are still `from`
 * (or the document was never projected and held no records at `from`): used after the bridge wrote
 * rows' own values into a fully projected document, so they are not projected back.
 */
export const advanceHeads = async (
  db: Db,
  p: { docId: string; clinicId: string; docKey: string; from: string[]; to: string[]; fromIsEmpty: boolean },
): Promise<boolean> => {
  if (!p.fromIsEmpty) {
    const res = await db.query(
      `UPDATE projection_heads SET heads = $3, projected_at = now()
       WHERE doc_id = $1 AND heads @> $2::text[] AND heads <@ $2::text[]`,
      [p.docId, p.from, p.to],
    )
    return (res.rowCount ?? 0) > 0
  }
  const res = await db.query(
    `INSERT INTO projection_heads (doc_id, clinic_id, doc_key, heads) VALUES ($1, $2, $3, $5)
     ON CONFLICT (doc_id) DO UPDATE SET heads = EXCLUDED.heads, projected_at = now()
     WHERE projection_heads.heads @> $4::text[] AND projection_heads.heads <@ $4::text[]
     RETURNING 1`,
    [p.docId, p.clinicId, p.docKey, p.from, p.to],
  )
  return (res.rowCount ?? 0) > 0
}
