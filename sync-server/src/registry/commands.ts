import { randomBytes } from "node:crypto"
import type { Identity } from "../Authenticator.js"
import { NAME, hashSecret, newToken, parseToken, secretMatches } from "./tokens.js"

/** What the registry needs of PostgreSQL: a pg.Pool, pg.Client or pg.PoolClient. */
export interface Queryable {
  query<R extends object = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>
}

export interface DeskRow {
  deskId: string
  clinicId: string
  /** the desk's code in its clinic (invoice numbers: <code>-<YYMM>-<sequence>) */
  code: string
  name: string
  state: "pending" | "expired" | "enrolled" | "revoked"
  createdAt: Date
  enrolledAt: Date | null
  revokedAt: Date | null
  /** last authenticated connection, snapshot request or sync message */
  lastSeenAt: Date | null
}

export interface DeskAdded {
  deskId: string
  clinicId: string
  code: string
  /** shown once; only its hash is stored */
  enrolmentToken: string
  expiresAt: Date
}

export interface Enrolled {
  deskId: string
  clinicId: string
  /** the desk's code in its clinic, kept in its credential file */
  deskCode: string
  /** the desk's credential (`Authorization: Bearer <credential>`); only its hash is stored */
  credential: string
}

const checkName = (what: string, v: string): void => {
  if (!NAME.test(v)) throw new Error(`invalid ${what} ${JSON.stringify(v)}: use 1-64 of A-Z a-z 0-9 _ -`)
}

/** A desk code: a capital Latin letter, then up to 5 capital letters or digits (D1, D12, FRONT, A2). */
export const DESK_CODE = /^[A-Z][A-Z0-9]{0,5}$/

export const checkDeskCode = (code: string): void => {
  if (!DESK_CODE.test(code))
    throw new Error(
      `invalid desk code ${JSON.stringify(code)}: use a capital Latin letter, then up to 5 capital letters or digits (D1, FRONT)`,
    )
}

/** The first of D1, D2, ... that no desk of the clinic has ever had. */
const firstFreeCode = async (db: Queryable, clinicId: string): Promise<string> => {
  const { rows } = await db.query<{ code: string }>("SELECT code FROM desk_credentials WHERE clinic_id = $1", [
    clinicId,
  ])
  const taken = new Set(rows.map(r => r.code))
  let n = 1
  while (taken.has(`D${n}`)) n++
  return `D${n}`
}

const isCodeTaken = (e: unknown): boolean =>
  (e as { code?: string; constraint?: string }).code === "23505" &&
  (e as { constraint?: string }).constraint === "desk_credentials_clinic_code_key"

/** `vetsync clinics add`: registers a clinic (idempotent; a name given later replaces the old one). */
export const clinicAdd = async (db: Queryable, clinicId: string, name = ""): Promise<void> => {
  checkName("clinic id", clinicId)
  await db.query(
    `INSERT INTO clinics (id, name) VALUES ($1, $2)
     ON CONFLICT (id) DO UPDATE SET name = CASE WHEN $2 = '' THEN clinics.name ELSE $2 END`,
    [clinicId, name],
  )
}

/** `vetsync clinics list` */
export const clinicList = async (db: Queryable): Promise<{ id: string; name: string; desks: number }[]> =>
  (
    await db.query<{ id: string; name: string; desks: string }>(
      `SELECT c.id, c.name, count(d.desk_id) FILTER (WHERE d.revoked_at IS NULL) AS desks
       FROM clinics c LEFT JOIN desk_credentials d ON d.clinic_id = c.id GROUP BY c.id, c.name ORDER BY c.id`,
    )
  ).rows.map(r => ({ id: r.id, name: r.name, desks: Number(r.desks) }))

/**
 * `vetsync desks add`: registers a desk of a known clinic and returns its one-time
 * enrolment token (valid `ttlHours`, default 72). A desk id is chosen when none is given; the
 * desk's code is `code`, refused when another desk of the clinic has (or had) it, or else the
 * first free one of D1, D2, ...
 */
export const deskAdd = async (
  db: Queryable,
  opts: { clinicId: string; deskId?: string; name?: string; ttlHours?: number; code?: string },
): Promise<DeskAdded> => {
  const deskId = opts.deskId ?? `desk-${randomBytes(5).toString("hex")}`
  checkName("desk id", deskId)
  if (opts.code !== undefined) checkDeskCode(opts.code)
  const ttl = opts.ttlHours ?? 72
  if (!(ttl > 0)) throw new Error("ttlHours must be positive")
  const clinic = await db.query("SELECT 1 FROM clinics WHERE id = $1", [opts.clinicId])
  if (clinic.rows.length === 0) throw new Error(`unknown clinic ${opts.clinicId}: add it first`)
  const existing = await db.query<{ clinic_id: string }>("SELECT clinic_id FROM desks WHERE id = $1", [deskId])
  const owner = existing.rows[0]?.clinic_id
  if (owner !== undefined && owner !== opts.clinicId) throw new Error(`desk ${deskId} belongs to clinic ${owner}`)
  await db.query("INSERT INTO desks (id, clinic_id) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING", [
    deskId,
    opts.clinicId,
  ])
  const { token, hash } = newToken("enrol", deskId)
  // a free code can be taken by a `desks add` running at the same moment: then the next one
  for (let attempt = 0; ; attempt++) {
    const code = opts.code ?? (await firstFreeCode(db, opts.clinicId))
    let res: { rows: { enrol_expires_at: Date }[] }
    try {
      res = await db.query<{ enrol_expires_at: Date }>(
        `INSERT INTO desk_credentials (desk_id, clinic_id, name, enrol_token_hash, enrol_expires_at, code)
         VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5), $6)
         ON CONFLICT (desk_id) DO NOTHING RETURNING enrol_expires_at`,
        [deskId, opts.clinicId, opts.name ?? "", hash, ttl * 3600, code],
      )
    } catch (e) {
      if (!isCodeTaken(e)) throw e
      if (opts.code !== undefined)
        throw new Error(`desk code ${code} is taken in clinic ${opts.clinicId}: choose another`)
      if (attempt >= 20) throw new Error(`no free desk code in clinic ${opts.clinicId}: give one with --code`)
      continue
    }
    const row = res.rows[0]
    if (!row) throw new Error(`desk ${deskId} is already registered (revoke it and add a new desk id)`)
    return { deskId, clinicId: opts.clinicId, code, enrolmentToken: token, expiresAt: row.enrol_expires_at }
  }
}

/** `vetsync desks list` */
export const deskList = async (db: Queryable, clinicId?: string): Promise<DeskRow[]> => {
  const { rows } = await db.query<{
    desk_id: string
    clinic_id: string
    code: string
    name: string
    created_at: Date
    enrolled_at: Date | null
    revoked_at: Date | null
    last_seen_at: Date | null
    expired: boolean
  }>(
    `SELECT desk_id, clinic_id, code, name, created_at, enrolled_at, revoked_at, last_seen_at,
            (enrolled_at IS NULL AND enrol_expires_at <= now()) AS expired
     FROM desk_credentials WHERE $1::text IS NULL OR clinic_id = $1
     ORDER BY clinic_id, length(code), code, desk_id`,
    [clinicId ?? null],
  )
  return rows.map(r => ({
    deskId: r.desk_id,
    clinicId: r.clinic_id,
    code: r.code,
    name: r.name,
    state: r.revoked_at ? "revoked" : r.enrolled_at ? "enrolled" : r.expired ? "expired" : "pending",
    createdAt: r.created_at,
    enrolledAt: r.enrolled_at,
    revokedAt: r.revoked_at,
    lastSeenAt: r.last_seen_at,
  }))
}

/**
 * `vetsync desks revoke`: the desk's credential and any unused enrolment token stop
 * working; every relay cuts the desk off (trigger -> NOTIFY vetsync_revoked). False when
 * there is no such desk or it was revoked already.
 */
export const deskRevoke = async (db: Queryable, deskId: string): Promise<boolean> => {
  const res = await db.query(
    "UPDATE desk_credentials SET revoked_at = now(), enrol_token_hash = NULL WHERE desk_id = $1 AND revoked_at IS NULL",
    [deskId],
  )
  return (res.rowCount ?? 0) > 0
}

/** Issues (or rotates) a service credential, e.g. for the bridge: it sees every clinic. */
export const serviceAdd = async (db: Queryable, name: string): Promise<{ name: string; credential: string }> => {
  checkName("service name", name)
  const { token, hash } = newToken("service", name)
  await db.query(
    `INSERT INTO service_credentials (name, secret_hash) VALUES ($1, $2)
     ON CONFLICT (name) DO UPDATE SET secret_hash = $2, revoked_at = NULL, created_at = now()`,
    [name, hash],
  )
  return { name, credential: token }
}

export const serviceRevoke = async (db: Queryable, name: string): Promise<boolean> => {
  const res = await db.query(
    "UPDATE service_credentials SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL",
    [name],
  )
  return (res.rowCount ?? 0) > 0
}

/**
 * Exchanges a one-time enrolment token for the desk's credential, at most once: the
 * single UPDATE clears the token hash in the same statement that checks it, so two
 * concurrent attempts cannot both succeed. Null for an unknown, used, expired or revoked token.
 */
export const enrol = async (db: Queryable, enrolmentToken: string): Promise<Enrolled | null> => {
  const parsed = parseToken(enrolmentToken)
  if (!parsed || parsed.kind !== "enrol") return null
  const { token, hash } = newToken("desk", parsed.id)
  const res = await db.query<{ clinic_id: string; code: string }>(
    `UPDATE desk_credentials
     SET secret_hash = $3, enrol_token_hash = NULL, enrolled_at = now(), last_seen_at = now()
     WHERE desk_id = $1 AND enrol_token_hash = $2 AND revoked_at IS NULL AND enrol_expires_at > now()
     RETURNING clinic_id, code`,
    [parsed.id, hashSecret(parsed.secret), hash],
  )
  const row = res.rows[0]
  return row ? { deskId: parsed.id, clinicId: row.clinic_id, deskCode: row.code, credential: token } : null
}

/** The identity a desk or service credential stands for, or null (unknown, wrong secret, revoked). */
export const identityOfCredential = async (db: Queryable, credential: string): Promise<Identity | null> => {
  const parsed = parseToken(credential)
  if (!parsed) return null
  if (parsed.kind === "desk") {
    const { rows } = await db.query<{ clinic_id: string; secret_hash: Buffer | null }>(
      "SELECT clinic_id, secret_hash FROM desk_credentials WHERE desk_id = $1 AND revoked_at IS NULL",
      [parsed.id],
    )
    const row = rows[0]
    if (!row || !secretMatches(parsed.secret, row.secret_hash)) return null
    return { clinicId: row.clinic_id, deskId: parsed.id, role: "desk" }
  }
  if (parsed.kind === "service") {
    const { rows } = await db.query<{ secret_hash: Buffer }>(
      "SELECT secret_hash FROM service_credentials WHERE name = $1 AND revoked_at IS NULL",
      [parsed.id],
    )
    const row = rows[0]
    if (!row || !secretMatches(parsed.secret, row.secret_hash)) return null
    return { clinicId: "*", deskId: parsed.id, role: "service" }
  }
  return null
}

/** Records that a desk or service was seen now (`desks list` shows it as its last sync). */
export const touch = async (db: Queryable, identity: Identity): Promise<void> => {
  if (identity.role === "desk")
    await db.query("UPDATE desk_credentials SET last_seen_at = now() WHERE desk_id = $1", [identity.deskId])
  else await db.query("UPDATE service_credentials SET last_seen_at = now() WHERE name = $1", [identity.deskId])
}
