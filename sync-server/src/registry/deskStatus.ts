import type { DeskReport } from "@vetsync/shared/net"
import type { Queryable } from "./commands.js"

/** Keeps a desk's newest report next to its credential row (desk_reports, migration 0013). */
export const saveDeskReport = async (
  db: Queryable,
  who: { deskId: string; clinicId: string },
  r: DeskReport,
  receivedAt: Date,
  clockOffsetMs: number,
): Promise<void> => {
  await db.query(
    `INSERT INTO desk_reports (desk_id, clinic_id, received_at, waiting, oldest_waiting_at, last_sync_in_at,
                               last_sync_out_at, app_version, schema_version, clock_offset_ms)
     SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10
     FROM desk_credentials WHERE desk_id = $1 AND clinic_id = $2 AND revoked_at IS NULL
     ON CONFLICT (desk_id) DO UPDATE SET received_at = EXCLUDED.received_at, waiting = EXCLUDED.waiting,
       oldest_waiting_at = EXCLUDED.oldest_waiting_at, last_sync_in_at = EXCLUDED.last_sync_in_at,
       last_sync_out_at = EXCLUDED.last_sync_out_at, app_version = EXCLUDED.app_version,
       schema_version = EXCLUDED.schema_version, clock_offset_ms = EXCLUDED.clock_offset_ms`,
    [
      who.deskId,
      who.clinicId,
      receivedAt,
      r.waiting,
      r.oldestWaitingAt,
      r.lastSyncInAt,
      r.lastSyncOutAt,
      r.appVersion,
      r.schemaVersion,
      clockOffsetMs,
    ],
  )
}

/** One desk in `vetsync desks list` and on the admin page: its registry row and its newest report. */
export interface DeskStatus {
  deskId: string
  clinicId: string
  code: string
  name: string
  state: "pending" | "expired" | "enrolled" | "revoked"
  /** last authenticated connection, request or sync message (the relay's clock) */
  lastSeenAt: Date | null
  /** reported within ONLINE_MS */
  online: boolean
  report: {
    receivedAt: Date
    waiting: number
    oldestWaitingAt: Date | null
    lastSyncInAt: Date | null
    lastSyncOutAt: Date | null
    appVersion: string
    schemaVersion: number
    clockOffsetMs: number
  } | null
}

/** A desk that reported this recently counts as online (it reports every minute while connected). */
export const ONLINE_MS = 150_000

interface Row {
  desk_id: string
  clinic_id: string
  code: string
  name: string
  revoked_at: Date | null
  enrolled_at: Date | null
  expired: boolean
  last_seen_at: Date | null
  online: boolean
  received_at: Date | null
  waiting: number | null
  oldest_waiting_at: Date | null
  last_sync_in_at: Date | null
  last_sync_out_at: Date | null
  app_version: string | null
  schema_version: number | null
  clock_offset_ms: string | null
}

/** The desks of a clinic (or all), with their status: the node registry. Online: reported within `onlineMs`. */
export const deskStatusList = async (db: Queryable, clinicId?: string, onlineMs = ONLINE_MS): Promise<DeskStatus[]> => {
  const { rows } = await db.query<Row>(
    `SELECT d.desk_id, d.clinic_id, d.code, d.name, d.revoked_at, d.enrolled_at, d.last_seen_at,
            (d.enrolled_at IS NULL AND d.enrol_expires_at <= now()) AS expired,
            (d.revoked_at IS NULL AND r.received_at > now() - make_interval(secs => $2)) AS online,
            r.received_at, r.waiting, r.oldest_waiting_at, r.last_sync_in_at, r.last_sync_out_at,
            r.app_version, r.schema_version, r.clock_offset_ms
     FROM desk_credentials d LEFT JOIN desk_reports r ON r.desk_id = d.desk_id
     WHERE $1::text IS NULL OR d.clinic_id = $1
     ORDER BY d.clinic_id, length(d.code), d.code, d.desk_id`,
    [clinicId ?? null, onlineMs / 1000],
  )
  return rows.map(r => ({
    deskId: r.desk_id,
    clinicId: r.clinic_id,
    code: r.code,
    name: r.name,
    state: r.revoked_at ? "revoked" : r.enrolled_at ? "enrolled" : r.expired ? "expired" : "pending",
    lastSeenAt: r.last_seen_at,
    online: r.online,
    report:
      r.received_at === null
        ? null
        : {
            receivedAt: r.received_at,
            waiting: r.waiting ?? 0,
            oldestWaitingAt: r.oldest_waiting_at,
            lastSyncInAt: r.last_sync_in_at,
            lastSyncOutAt: r.last_sync_out_at,
            appVersion: r.app_version ?? "",
            schemaVersion: r.schema_version ?? 0,
            clockOffsetMs: Number(r.clock_offset_ms ?? 0),
          },
  }))
}

const when = (d: Date | null): string => (d ? d.toISOString().replace(/\.\d{3}Z$/, "Z") : "-")

/** `vetsync desks list`'s table: one header line, then one line per desk, columns padded. */
export const deskStatusTable = (desks: DeskStatus[]): string[] => {
  const head = ["DESK", "CODE", "CLINIC", "STATE", "ONLINE", "LAST SEEN", "WAITING", "OLDEST WAITING", "LAST SYNC IN", "LAST SYNC OUT", "VERSIONS", "CLOCK OFFSET"]
  const rows = desks.map(d => [
    d.deskId,
    d.code,
    d.clinicId,
    d.state,
    d.online ? "online" : "offline",
    when(d.lastSeenAt),
    d.report ? String(d.report.waiting) : "-",
    when(d.report?.oldestWaitingAt ?? null),
    when(d.report?.lastSyncInAt ?? null),
    when(d.report?.lastSyncOutAt ?? null),
    d.report ? `app ${d.report.appVersion} schema ${d.report.schemaVersion}` : "-",
    d.report ? `${d.report.clockOffsetMs >= 0 ? "+" : ""}${(d.report.clockOffsetMs / 1000).toFixed(1)} s` : "-",
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map(r => (r[i] ?? "").length)))
  return [head, ...rows].map(r => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd())
}
