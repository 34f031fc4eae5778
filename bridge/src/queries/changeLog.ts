import type pg from "pg"
import type { Db } from "./Db.js"

export interface ChangeRow {
  id: number
  clinic_id: string
  entity: "clients" | "patients" | "appointments"
  entity_id: string
  op: "INSERT" | "UPDATE" | "DELETE"
  old_row: Record<string, unknown> | null
}

/** The oldest entries not consumed yet (of one clinic, when given). */
export const pendingChanges = async (db: Db, limit = 1000, clinicId?: string): Promise<ChangeRow[]> =>
  (
    await db.query<ChangeRow>(
      `SELECT id, clinic_id, entity, entity_id::text, op, old_row FROM change_log
       WHERE consumed_at IS NULL AND ($2::text IS NULL OR clinic_id = $2) ORDER BY id LIMIT $1`,
      [limit, clinicId ?? null],
    )
  ).rows

export const markConsumed = async (db: Db, ids: number[]): Promise<void> => {
  if (ids.length > 0) await db.query("UPDATE change_log SET consumed_at = now() WHERE id = ANY($1::bigint[])", [ids])
}

/** After an import: the registered changes of the imported clients and patients are in the documents. */
export const markClinicConsumed = async (db: Db, clinicId: string, upTo: number): Promise<void> => {
  await db.query(
    `UPDATE change_log SET consumed_at = now()
     WHERE clinic_id = $1 AND id <= $2 AND entity IN ('clients', 'patients') AND consumed_at IS NULL`,
    [clinicId, upTo],
  )
}

/** A clinic's clients and patients and the last change registered, from one snapshot. */
export const readClinicSnapshot = async (
  pool: pg.Pool,
  clinicId: string,
): Promise<{ clients: Record<string, unknown>[]; patients: Record<string, unknown>[]; lastChangeId: number }> => {
  const client = await pool.connect()
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    const last = await client.query<{ id: number }>(
      "SELECT coalesce(max(id), 0)::int8 AS id FROM change_log WHERE clinic_id = $1",
      [clinicId],
    )
    const clients = (
      await client.query<Record<string, unknown>>("SELECT * FROM clients WHERE clinic_id = $1", [clinicId])
    ).rows
    const patients = (
      await client.query<Record<string, unknown>>("SELECT * FROM patients WHERE clinic_id = $1", [clinicId])
    ).rows
    await client.query("COMMIT")
    return { clients, patients, lastChangeId: Number(last.rows[0]?.id ?? 0) }
  } catch (e) {
    await client.query("ROLLBACK").catch(() => {})
    throw e
  } finally {
    client.release()
  }
}
