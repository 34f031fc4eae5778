import type pg from "pg"

/** Who takes clinic leases: relays (which serve a clinic's desks) and bridges (which project it). */
export type LeaseRole = "relay" | "bridge"

/** Who holds a clinic's lease, as PostgreSQL sees it now. */
export interface LeaseRow {
  holder: string
  holderUrl: string
  /** true when this holder holds it (it was taken or renewed by the statement) */
  mine: boolean
  /** milliseconds until it expires, by PostgreSQL's clock (negative: expired) */
  remainingMs: number
}

interface Row {
  holder: string
  holder_url: string
  mine: boolean
  remaining_ms: string
}

const toLease = (r: Row): LeaseRow => ({
  holder: r.holder,
  holderUrl: r.holder_url,
  mine: r.mine,
  remainingMs: Number(r.remaining_ms),
})

/**
 * Takes (or renews) the clinic's lease of this role for `me` in one statement: when nobody holds
 * it, its lease expired, or `me` holds it already. Otherwise answers the holder, unchanged. No
 * row: another holder took it at this very moment (ask again).
 */
export const takeLease = async (
  pool: pg.Pool,
  role: LeaseRole,
  clinicId: string,
  me: string,
  url: string,
  ttlMs: number,
): Promise<LeaseRow | undefined> => {
  const { rows } = await pool.query<Row>(
    `WITH taken AS (
       INSERT INTO clinic_leases AS l (role, clinic_id, holder, holder_url, expires_at)
       VALUES ($5, $1, $2, $3, now() + $4 * interval '1 millisecond')
       ON CONFLICT (role, clinic_id) DO UPDATE
         SET holder = EXCLUDED.holder, holder_url = EXCLUDED.holder_url, expires_at = EXCLUDED.expires_at
         WHERE l.expires_at < now() OR l.holder = EXCLUDED.holder
       RETURNING holder, holder_url, expires_at)
     SELECT holder, holder_url, true AS mine, (extract(epoch FROM expires_at - now()) * 1000)::bigint AS remaining_ms
       FROM taken
     UNION ALL
     SELECT holder, holder_url, false, (extract(epoch FROM expires_at - now()) * 1000)::bigint
       FROM clinic_leases WHERE role = $5 AND clinic_id = $1 AND NOT EXISTS (SELECT 1 FROM taken)`,
    [clinicId, me, url, ttlMs, role],
  )
  return rows[0] && toLease(rows[0])
}

/** Renews every lease of these clinics that `me` still holds; answers the clinics renewed. */
export const renewLeases = async (
  pool: pg.Pool,
  role: LeaseRole,
  clinicIds: readonly string[],
  me: string,
  ttlMs: number,
): Promise<Set<string>> => {
  const { rows } = await pool.query<{ clinic_id: string }>(
    `UPDATE clinic_leases SET expires_at = now() + $3 * interval '1 millisecond'
      WHERE role = $4 AND clinic_id = ANY($1::text[]) AND holder = $2 RETURNING clinic_id`,
    [clinicIds, me, ttlMs, role],
  )
  return new Set(rows.map(r => r.clinic_id))
}

/** Gives up the leases of these clinics that `me` holds (a clean stop): another holder may take them at once. */
export const releaseLeases = async (
  pool: pg.Pool,
  role: LeaseRole,
  clinicIds: readonly string[],
  me: string,
): Promise<void> => {
  await pool.query("DELETE FROM clinic_leases WHERE role = $3 AND clinic_id = ANY($1::text[]) AND holder = $2", [
    clinicIds,
    me,
    role,
  ])
}

/** The clinic's lease as it stands (for tests and /health), or undefined when nobody ever took it. */
export const leaseOf = async (
  pool: pg.Pool,
  role: LeaseRole,
  clinicId: string,
  me: string,
): Promise<LeaseRow | undefined> => {
  const { rows } = await pool.query<Row>(
    `SELECT holder, holder_url, holder = $2 AS mine, (extract(epoch FROM expires_at - now()) * 1000)::bigint AS remaining_ms
       FROM clinic_leases WHERE role = $3 AND clinic_id = $1`,
    [clinicId, me, role],
  )
  return rows[0] && toLease(rows[0])
}

/** Every unexpired lease of the role: clinic -> holder. */
export const liveLeases = async (pool: pg.Pool, role: LeaseRole): Promise<Map<string, string>> => {
  const { rows } = await pool.query<{ clinic_id: string; holder: string }>(
    "SELECT clinic_id, holder FROM clinic_leases WHERE role = $1 AND expires_at >= now()",
    [role],
  )
  return new Map(rows.map(r => [r.clinic_id, r.holder]))
}

/**
 * Says `me` takes part in the role's share for ttlMs more (one statement, PostgreSQL's clock) and
 * answers every member whose word has not expired, `me` included, sorted.
 */
export const renewMembership = async (
  pool: pg.Pool,
  role: LeaseRole,
  me: string,
  ttlMs: number,
): Promise<string[]> => {
  const { rows } = await pool.query<{ member: string }>(
    `WITH renewed AS (
       INSERT INTO lease_members (role, member, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond')
       ON CONFLICT (role, member) DO UPDATE SET expires_at = EXCLUDED.expires_at
       RETURNING member)
     SELECT member FROM renewed
     UNION
     SELECT member FROM lease_members WHERE role = $1 AND expires_at >= now()`,
    [role, me, ttlMs],
  )
  return rows.map(r => r.member).sort()
}

/** `me` leaves the role's share (a clean stop); expired members are swept on the way. */
export const leaveMembership = async (pool: pg.Pool, role: LeaseRole, me: string): Promise<void> => {
  await pool.query("DELETE FROM lease_members WHERE role = $1 AND (member = $2 OR expires_at < now() - interval '1 hour')", [
    role,
    me,
  ])
}
