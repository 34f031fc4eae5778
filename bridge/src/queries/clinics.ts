import type { Db } from "./Db.js"

export interface ClinicRow {
  id: string
  name: string
}

export const listClinics = async (db: Db): Promise<ClinicRow[]> =>
  (await db.query<ClinicRow>("SELECT id, name FROM clinics ORDER BY id")).rows

export const ensureClinic = async (db: Db, id: string, name = ""): Promise<void> => {
  await db.query("INSERT INTO clinics (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING", [id, name])
}
