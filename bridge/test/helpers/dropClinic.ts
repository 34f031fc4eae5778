import type pg from "pg"

/** Removes a clinic and everything projected for it (a test that starts a bridge per clinic). */
export const dropClinic = async (pool: pg.Pool, clinicId: string): Promise<void> => {
  for (const table of [
    "invoices",
    "appointments",
    "patients",
    "clients",
    "desks",
    "projection_heads",
    "rejections",
    "waiting_records",
    "nomenclature",
    "import_requests",
    "clinics",
  ])
    await pool.query(`DELETE FROM ${table} WHERE ${table === "clinics" ? "id" : "clinic_id"} = $1`, [clinicId])
}
