import { workingHoursProblem, type StaffMember, type StaffRole, type WorkingHours } from "@vetsync/shared"
import type { Db } from "./Db.js"

/** A clinic's staff as PostgreSQL keeps them (`vetsync staff add|set`), or null for an unknown clinic. */
export const getClinicStaff = async (db: Db, clinicId: string): Promise<StaffMember[] | null> => {
  const known = await db.query("SELECT 1 FROM clinics WHERE id = $1", [clinicId])
  if (known.rows.length === 0) return null
  const { rows } = await db.query<{
    id: string
    name: string
    role: StaffRole
    active: boolean
    pin_hash: string
    working_hours: unknown
  }>("SELECT id, name, role, active, pin_hash, working_hours FROM staff WHERE clinic_id = $1 ORDER BY id", [clinicId])
  return rows.map(r => ({
    id: r.id,
    name: r.name,
    role: r.role,
    active: r.active,
    pinHash: r.pin_hash,
    // a row written past the CLI with hours the desks could not read publishes none
    workingHours: workingHoursProblem(r.working_hours) === null ? (r.working_hours as WorkingHours) : {},
  }))
}
