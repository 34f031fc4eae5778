import type { Db } from "./Db.js"

/** The heads a document was projected at, locked for this transaction; undefined if never projected. */
export const lockHeads = async (db: Db, docId: string): Promise<string[] | undefined> => {
  const res = await db.query<{ heads: string[] }>("SELECT heads FROM projection_heads WHERE doc_id = $1 FOR UPDATE", [
    docId,
  ])
  return res.rows[0]?.heads
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
