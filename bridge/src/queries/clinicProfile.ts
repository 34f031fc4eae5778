import { DEFAULT_TIME_ZONE, PROFILE_DB_COLUMNS, isTimeZone, profileFrom, type ClinicProfile } from "@vetsync/shared"
import type { Db } from "./Db.js"

/** The clinic_profiles columns of each ClinicProfile field (name comes from clinics). */
export const PROFILE_COLUMNS = PROFILE_DB_COLUMNS

/** A clinic's profile (its name and its clinic_profiles row, "" where none is set), or null for an unknown clinic. */
export const getClinicProfile = async (db: Db, clinicId: string): Promise<ClinicProfile | null> => {
  const cols = Object.entries(PROFILE_COLUMNS).map(([field, column]) => `p.${column} AS "${field}"`)
  const { rows } = await db.query<Record<string, string | null>>(
    `SELECT c.name AS "name", ${cols.join(", ")} FROM clinics c LEFT JOIN clinic_profiles p ON p.clinic_id = c.id WHERE c.id = $1`,
    [clinicId],
  )
  const row = rows[0]
  return row ? profileFrom(row) : null
}

/** The clinic's revoked desks (the registry's desk_credentials): desk id -> when revoked, ISO. */
export const getRevokedDesks = async (db: Db, clinicId: string): Promise<Record<string, string>> => {
  const { rows } = await db.query<{ desk_id: string; revoked_at: Date }>(
    "SELECT desk_id, revoked_at FROM desk_credentials WHERE clinic_id = $1 AND revoked_at IS NOT NULL",
    [clinicId],
  )
  return Object.fromEntries(rows.map(r => [r.desk_id, r.revoked_at.toISOString()]))
}

/** The clinic a desk belongs to (the registry's), or null for an unknown desk. */
export const clinicOfDesk = async (db: Db, deskId: string): Promise<string | null> => {
  const { rows } = await db.query<{ clinic_id: string }>("SELECT clinic_id FROM desk_credentials WHERE desk_id = $1", [deskId])
  return rows[0]?.clinic_id ?? null
}

/** The zone a clinic's days are counted in: its profile's, else DEFAULT_TIME_ZONE (as on the desks). */
export const clinicTimeZone = async (db: Db, clinicId: string): Promise<string> => {
  const tz = (await getClinicProfile(db, clinicId))?.timeZone ?? ""
  return tz && isTimeZone(tz) ? tz : DEFAULT_TIME_ZONE
}
