import {
  PROFILE_DB_COLUMNS,
  canonicalTimeZone,
  profileFrom,
  validateClinicProfile,
  type ClinicProfile,
} from "@vetsync/shared"
import type { Queryable } from "./commands.js"

/** clinic_profiles' column of each profile field (migration 0010); the name is `clinics.name`. */
const COLUMNS = PROFILE_DB_COLUMNS
const FIELDS = Object.keys(COLUMNS) as (keyof typeof COLUMNS)[]

/** `vetsync clinics show ID`: the clinic's profile ("" where nothing is set). */
export const clinicShow = async (db: Queryable, clinicId: string): Promise<ClinicProfile> => {
  const { rows } = await db.query<Record<string, string | null>>(
    `SELECT c.name AS "name", ${FIELDS.map(f => `p.${COLUMNS[f]} AS "${f}"`).join(", ")}
     FROM clinics c LEFT JOIN clinic_profiles p ON p.clinic_id = c.id WHERE c.id = $1`,
    [clinicId],
  )
  const row = rows[0]
  if (!row) throw new Error(`unknown clinic ${clinicId}: add it first (vetsync clinics add ${clinicId})`)
  return profileFrom(row)
}

/**
 * `vetsync clinics set ID --name ... --tz ...`: changes the given fields of a registered clinic's
 * profile; the others stay. The whole profile must pass validateClinicProfile (formats, control
 * digits, requisites that belong together); a time zone is kept in Intl's spelling
 * ("europe/moscow" -> "Europe/Moscow"). Name and profile are written in one statement; the bridge
 * hears of it (NOTIFY vetsync_profile) and republishes the clinic's `profile` document to its desks.
 */
export const clinicSet = async (
  db: Queryable,
  clinicId: string,
  patch: Partial<ClinicProfile>,
): Promise<ClinicProfile> => {
  const given = { ...patch }
  if (given.timeZone) given.timeZone = canonicalTimeZone(given.timeZone) ?? given.timeZone
  const next: ClinicProfile = { ...(await clinicShow(db, clinicId)), ...given }
  const v = validateClinicProfile(next)
  if (!v.ok)
    throw new Error(`profile of ${clinicId} not changed: ${v.errors.map(e => `${e.field} ${e.message}`).join("; ")}`)
  const values = FIELDS.map(f => next[f])
  const placeholders = FIELDS.map((_, i) => `$${i + 3}`)
  await db.query(
    `WITH c AS (UPDATE clinics SET name = $2 WHERE id = $1 RETURNING id)
     INSERT INTO clinic_profiles (clinic_id, ${FIELDS.map(f => COLUMNS[f]).join(", ")})
     SELECT c.id, ${placeholders.join(", ")} FROM c
     ON CONFLICT (clinic_id) DO UPDATE SET ${FIELDS.map(f => `${COLUMNS[f]} = excluded.${COLUMNS[f]}`).join(", ")}, updated_at = now()`,
    [clinicId, next.name, ...values],
  )
  return next
}
