import type { DeskReport } from "@vetsync/shared/net"

/** A desk's newest report as the relay holds it in memory (for /metrics), with its relay-side times. */
export interface HeldReport {
  clinicId: string
  deskId: string
  report: DeskReport
  receivedAt: Date
  /** the relay's clock minus the desk's, ms */
  clockOffsetMs: number
}

/**
 * The newest report of each desk since the relay started: what the per-clinic gauges of /metrics
 * read (records waiting on the clinic's desks, and the oldest of them). PostgreSQL keeps them for
 * good (desk_reports); this is the relay's own view.
 */
export class DeskReports {
  readonly #byDesk = new Map<string, HeldReport>()

  hold(r: HeldReport): void {
    this.#byDesk.set(r.deskId, r)
  }

  /** Per clinic: the waiting records of its desks' newest reports, and the age (s) of the oldest waiting one at `now`. */
  byClinic(now: Date): Map<string, { waiting: number; oldestAgeSec: number }> {
    const out = new Map<string, { waiting: number; oldestAgeSec: number }>()
    for (const r of this.#byDesk.values()) {
      const c = out.get(r.clinicId) ?? { waiting: 0, oldestAgeSec: 0 }
      c.waiting += r.report.waiting
      if (r.report.oldestWaitingAt !== null) {
        // the desk's time, moved onto the relay's clock
        const at = Date.parse(r.report.oldestWaitingAt) + r.clockOffsetMs
        c.oldestAgeSec = Math.max(c.oldestAgeSec, Math.max(0, (now.getTime() - at) / 1000))
      }
      out.set(r.clinicId, c)
    }
    return out
  }
}
