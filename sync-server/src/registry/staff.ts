import { randomBytes } from "node:crypto"
import { formatWorkingHours, type StaffMember, type StaffRole, type WorkingHours } from "@vetsync/shared"
import type { Queryable } from "./commands.js"

/** What `vetsync staff add` writes; the PIN is already hashed. */
export interface NewStaff {
  id?: string
  name: string
  role: StaffRole
  pinHash: string
  workingHours: WorkingHours
}

/** What `vetsync staff set` changes; absent fields stay. */
export type StaffPatch = Partial<Pick<StaffMember, "name" | "role" | "active" | "pinHash" | "workingHours">>

interface StaffRow {
  id: string
  name: string
  role: StaffRole
  active: boolean
  pin_hash: string
  working_hours: WorkingHours
}

const memberOf = (r: StaffRow): StaffMember => ({
  id: r.id,
  name: r.name,
  role: r.role,
  active: r.active,
  pinHash: r.pin_hash,
  workingHours: r.working_hours,
})

const mustExist = async (db: Queryable, clinicId: string): Promise<void> => {
  const { rows } = await db.query("SELECT 1 FROM clinics WHERE id = $1", [clinicId])
  if (rows.length === 0) throw new Error(`unknown clinic ${clinicId}: add it first (vetsync clinics add ${clinicId})`)
}

/** A clinic's staff, active first, then by name. */
export const staffList = async (db: Queryable, clinicId: string): Promise<StaffMember[]> => {
  await mustExist(db, clinicId)
  const { rows } = await db.query<StaffRow>(
    "SELECT id, name, role, active, pin_hash, working_hours FROM staff WHERE clinic_id = $1 ORDER BY active DESC, name, id",
    [clinicId],
  )
  return rows.map(memberOf)
}

/** `vetsync staff add`: a new member (id "st-" and 8 random hex digits unless given); the bridge publishes it. */
export const staffAdd = async (db: Queryable, clinicId: string, s: NewStaff): Promise<StaffMember> => {
  await mustExist(db, clinicId)
  const id = s.id ?? `st-${randomBytes(4).toString("hex")}`
  const { rows } = await db.query<StaffRow>(
    `INSERT INTO staff (clinic_id, id, name, role, pin_hash, working_hours) VALUES ($1, $2, $3, $4, $5, $6)
     RETURNING id, name, role, active, pin_hash, working_hours`,
    [clinicId, id, s.name.trim(), s.role, s.pinHash, JSON.stringify(s.workingHours)],
  )
  return memberOf(rows[0] as StaffRow)
}

/** `vetsync staff set`: changes the given fields of one member of the clinic. */
export const staffSet = async (
  db: Queryable,
  clinicId: string,
  staffId: string,
  patch: StaffPatch,
): Promise<StaffMember> => {
  await mustExist(db, clinicId)
  const { rows } = await db.query<StaffRow>(
    `UPDATE staff SET name = coalesce($3, name), role = coalesce($4, role), active = coalesce($5, active),
       pin_hash = coalesce($6, pin_hash), working_hours = coalesce($7::jsonb, working_hours), updated_at = now()
     WHERE clinic_id = $1 AND id = $2 RETURNING id, name, role, active, pin_hash, working_hours`,
    [
      clinicId,
      staffId,
      patch.name?.trim() ?? null,
      patch.role ?? null,
      patch.active ?? null,
      patch.pinHash ?? null,
      patch.workingHours ? JSON.stringify(patch.workingHours) : null,
    ],
  )
  const row = rows[0]
  if (!row)
    throw new Error(`clinic ${clinicId} has no staff member ${staffId} (vetsync staff list --clinic ${clinicId})`)
  return memberOf(row)
}

/** One member as a line of `vetsync staff list` (never the PIN hash: only whether there is one). */
export const staffLine = (m: StaffMember): string =>
  [
    m.id,
    m.role,
    m.active ? "active" : "inactive",
    m.pinHash ? "PIN" : "no PIN",
    formatWorkingHours(m.workingHours) || "-",
    m.name,
  ].join("\t")
