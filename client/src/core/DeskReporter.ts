import { SCHEMA_VERSION } from "@vetsync/shared/schema"
import { APP_VERSION, type DeskReport } from "@vetsync/shared/net"
import type { Logger } from "@vetsync/shared/log"
import { fetchClinic } from "./Bootstrapper.js"
import type { DocStore } from "./DocStore.js"
import { isRelayPeer, type SyncTracker } from "./SyncTracker.js"

export interface DeskReporterOptions {
  server: string
  clinicId: string
  headers: () => Record<string, string>
  docs: DocStore
  sync: SyncTracker
  log: Logger
  /** how often a connected desk reports; default 60 s */
  intervalMs?: number
  /** a change of the waiting count is reported at most this often; default 10 s */
  minGapMs?: number
  now?: () => Date
}

/**
 * Reports the desk's state to the relay (`POST /clinics/:id/report`, the node registry): when it
 * connects, every minute while connected, and when its waiting count changes (at most every 10 s).
 * "Oldest waiting" is when the desk last had nothing waiting (the records waiting now were all
 * written since): the moment the count left 0 in this run, else the last time the relay had
 * everything (lastSyncedAt) for records left waiting by an earlier run.
 */
export class DeskReporter {
  readonly #o: DeskReporterOptions
  readonly #timer: ReturnType<typeof setInterval>
  #pending: ReturnType<typeof setTimeout> | undefined
  #lastSentAt = 0
  #lastWaiting = -1
  #waitingSince: string | null
  #lastInAt: string | null = null
  #lastOutAt: string | null = null
  #closed = false

  constructor(o: DeskReporterOptions) {
    this.#o = o
    this.#waitingSince = o.sync.waitingRecords() > 0 ? o.sync.lastSyncedAt() : null
    this.#timer = setInterval(() => this.#send(), o.intervalMs ?? 60_000)
    this.#timer.unref()
    o.docs.repo.networkSubsystem.on("message", m => {
      if (isRelayPeer(m.senderId)) this.#lastInAt = this.#now().toISOString()
    })
  }

  /** The relay acknowledged a change of this desk as durable. */
  durable(): void {
    this.#lastOutAt = this.#now().toISOString()
  }

  /** The desk connected to the relay: report now. */
  relayUp(): void {
    this.#send()
  }

  /** The status changed: a changed waiting count is reported, no sooner than minGapMs after the last report. */
  changed(): void {
    const waiting = this.#o.sync.waitingRecords()
    if (waiting > 0 && this.#waitingSince === null) this.#waitingSince = this.#now().toISOString()
    if (waiting === 0) this.#waitingSince = null
    if (waiting === this.#lastWaiting || this.#pending || !this.#o.sync.online) return
    const wait = Math.max(0, this.#lastSentAt + (this.#o.minGapMs ?? 10_000) - Date.now())
    this.#pending = setTimeout(() => {
      this.#pending = undefined
      this.#send()
    }, wait)
    this.#pending.unref()
  }

  close(): void {
    this.#closed = true
    clearInterval(this.#timer)
    clearTimeout(this.#pending)
  }

  /** What the desk reports now. */
  report(): DeskReport {
    const waiting = this.#o.sync.waitingRecords()
    return {
      waiting,
      oldestWaitingAt: waiting > 0 ? this.#waitingSince : null,
      lastSyncInAt: this.#lastInAt,
      lastSyncOutAt: this.#lastOutAt ?? this.#o.sync.lastSyncedAt(),
      appVersion: APP_VERSION,
      schemaVersion: SCHEMA_VERSION,
      sentAt: this.#now().toISOString(),
    }
  }

  #now(): Date {
    return this.#o.now?.() ?? new Date()
  }

  #send(): void {
    if (this.#closed || !this.#o.sync.online) return
    const report = this.report()
    this.#lastSentAt = Date.now()
    this.#lastWaiting = report.waiting
    const { server, clinicId, headers, log } = this.#o
    fetchClinic(server, clinicId, "report", headers(), 10_000, undefined, report)
      .then(async res => {
        if (!res.ok) log.warn(`the relay answered ${res.status} to the desk's report: ${await res.text()}`)
      })
      .catch(e => log.warn(`could not report to the relay: ${(e as Error).message}`))
  }
}
