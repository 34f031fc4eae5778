import type { DeskStatus } from "../registry/deskStatus.js"

/** When a desk deserves the administrator's attention. */
export interface AdminThresholds {
  /** an enrolled desk not heard from (no report, no sync) for this long */
  offlineMs: number
  /** a desk's oldest record waiting for the relay for this long */
  waitingMs: number
  /** a desk's clock this far from the relay's, either way */
  clockMs: number
}

export const ADMIN_THRESHOLDS: AdminThresholds = { offlineMs: 60 * 60_000, waitingMs: 60 * 60_000, clockMs: 120_000 }

/** Why a desk is flagged. */
export type DeskFlag =
  /** enrolled, and not heard from for `forMs` */
  | { kind: "offline"; forMs: number }
  /** enrolled, and never reported nor synced */
  | { kind: "silent" }
  /** `records` waiting for the relay, the oldest for `forMs` (on the relay's clock) */
  | { kind: "waiting"; records: number; forMs: number }
  /** its clock is `offsetMs` behind the relay's (negative: ahead) */
  | { kind: "clock"; offsetMs: number }

export interface AdminDesk extends DeskStatus {
  /** its last report or sync message, the later one (the relay's clock) */
  lastContactAt: Date | null
  /** the oldest waiting record's time on the relay's clock (the desk's, corrected by its offset) */
  oldestWaitingAt: Date | null
  flags: DeskFlag[]
}

export interface ClinicSummary {
  /** desks not revoked */
  desks: number
  enrolled: number
  online: number
  /** enrolled, not online */
  offline: number
  /** waiting for enrolment (expired ones included) */
  pending: number
  revoked: number
  /** records waiting on its desks, by their newest reports */
  waiting: number
  /** the oldest waiting record of its desks (the relay's clock) */
  oldestWaitingAt: Date | null
  /** desks with at least one flag */
  flagged: number
}

export interface AdminClinic {
  clinicId: string
  name: string
  summary: ClinicSummary
  desks: AdminDesk[]
}

export interface AdminOverview {
  generatedAt: Date
  thresholds: AdminThresholds
  clinics: AdminClinic[]
}

const later = (a: Date | null, b: Date | null): Date | null => (a && b ? (a > b ? a : b) : (a ?? b))
const earlier = (a: Date | null, b: Date | null): Date | null => (a && b ? (a < b ? a : b) : (a ?? b))

/** A desk's flags at `now` (the relay's clock): only enrolled desks are watched. */
export const deskFlags = (
  d: DeskStatus,
  lastContactAt: Date | null,
  oldestWaitingAt: Date | null,
  now: Date,
  t: AdminThresholds,
): DeskFlag[] => {
  if (d.state !== "enrolled") return []
  const flags: DeskFlag[] = []
  if (!d.online) {
    if (lastContactAt === null) flags.push({ kind: "silent" })
    else if (now.getTime() - lastContactAt.getTime() >= t.offlineMs)
      flags.push({ kind: "offline", forMs: now.getTime() - lastContactAt.getTime() })
  }
  const r = d.report
  if (r && r.waiting > 0 && oldestWaitingAt && now.getTime() - oldestWaitingAt.getTime() >= t.waitingMs)
    flags.push({ kind: "waiting", records: r.waiting, forMs: now.getTime() - oldestWaitingAt.getTime() })
  if (r && Math.abs(r.clockOffsetMs) >= t.clockMs) flags.push({ kind: "clock", offsetMs: r.clockOffsetMs })
  return flags
}

const adminDesk = (d: DeskStatus, now: Date, t: AdminThresholds): AdminDesk => {
  const lastContactAt = later(d.report?.receivedAt ?? null, d.lastSeenAt)
  const waitingSince = d.report && d.report.waiting > 0 ? d.report.oldestWaitingAt : null
  // the desk's clock plus (relay - desk) is the relay's clock
  const oldestWaitingAt = waitingSince && d.report ? new Date(waitingSince.getTime() + d.report.clockOffsetMs) : null
  return { ...d, lastContactAt, oldestWaitingAt, flags: deskFlags(d, lastContactAt, oldestWaitingAt, now, t) }
}

const summaryOf = (desks: AdminDesk[]): ClinicSummary => {
  const live = desks.filter(d => d.state !== "revoked")
  const enrolled = live.filter(d => d.state === "enrolled")
  const online = enrolled.filter(d => d.online).length
  return {
    desks: live.length,
    enrolled: enrolled.length,
    online,
    offline: enrolled.length - online,
    pending: live.length - enrolled.length,
    revoked: desks.length - live.length,
    waiting: enrolled.reduce((n, d) => n + (d.report?.waiting ?? 0), 0),
    oldestWaitingAt: enrolled.reduce<Date | null>((o, d) => earlier(o, d.oldestWaitingAt), null),
    flagged: desks.filter(d => d.flags.length > 0).length,
  }
}

/**
 * The admin page's content: every clinic of the registry (`clinics`, in its order) with its desks
 * (`desks`: deskStatusList, the query `vetsync desks list` prints), each desk's flags at `now`
 * and the clinic's summary. A desk of a clinic missing from `clinics` gets a clinic of its own.
 */
export const adminOverview = (
  clinics: readonly { id: string; name: string }[],
  desks: readonly DeskStatus[],
  now: Date,
  thresholds: AdminThresholds = ADMIN_THRESHOLDS,
): AdminOverview => {
  const byClinic = new Map<string, { name: string; desks: AdminDesk[] }>()
  for (const c of clinics) byClinic.set(c.id, { name: c.name, desks: [] })
  for (const d of desks) {
    const entry = byClinic.get(d.clinicId) ?? { name: "", desks: [] }
    byClinic.set(d.clinicId, entry)
    entry.desks.push(adminDesk(d, now, thresholds))
  }
  return {
    generatedAt: now,
    thresholds,
    clinics: [...byClinic].map(([clinicId, c]) => ({
      clinicId,
      name: c.name,
      summary: summaryOf(c.desks),
      desks: c.desks,
    })),
  }
}
