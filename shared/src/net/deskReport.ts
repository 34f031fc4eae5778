import { z } from "zod"

/** The desk application's version, reported to the relay (the node registry). */
export const APP_VERSION = "0.1.0"

const instant = z.iso.datetime({ offset: true })

/**
 * What a desk reports to the relay (`POST /clinics/:id/report`) on connecting and then
 * periodically: the node registry's row. Times are the desk's clock, ISO 8601; the relay computes
 * the clock offset from `sentAt` and its own clock.
 */
export const DESK_REPORT = z.strictObject({
  /** records changed on the desk that the relay has not acknowledged */
  waiting: z.number().int().min(0).max(100_000_000),
  /** since when records have been waiting (null: none waiting) */
  oldestWaitingAt: instant.nullable(),
  /** the last document message from the relay */
  lastSyncInAt: instant.nullable(),
  /** the last change of this desk the relay acknowledged as durable */
  lastSyncOutAt: instant.nullable(),
  appVersion: z.string().regex(/^[0-9A-Za-z][0-9A-Za-z.+-]{0,39}$/),
  schemaVersion: z.number().int().min(1).max(1_000_000),
  /** the desk's clock when it sent the report */
  sentAt: instant,
})
export type DeskReport = z.infer<typeof DESK_REPORT>

/** Parses a report's body: the report, or why it is refused (one line naming the fields). */
export const parseDeskReport = (body: string): { ok: true; report: DeskReport } | { ok: false; reason: string } => {
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    return { ok: false, reason: "not JSON" }
  }
  const r = DESK_REPORT.safeParse(json)
  if (r.success) return { ok: true, report: r.data }
  return { ok: false, reason: r.error.issues.map(i => `${i.path.join(".") || "report"}: ${i.message}`).join("; ") }
}
