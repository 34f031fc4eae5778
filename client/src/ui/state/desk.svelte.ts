import { DEFAULT_TIME_ZONE, type Collection } from "@vetsync/shared/schema"
import type { ClinicProfileView, ConflictView, DeskStatus, RejectionView, SyncNowOutcome } from "../../core/api.js"
import type { HostEvent } from "../../setup/setupApi.js"
import type { DeskClient } from "../api/client.js"

export type Section = "appointments" | "clients" | "invoices" | "cash"
export const SECTIONS: readonly Section[] = ["appointments", "clients", "invoices", "cash"]

/** Where the staff are and what they intend next (e.g. "book for this client"). */
export interface Intent {
  section: Section
  clientId?: string
  patientId?: string
  invoiceId?: string
  /** a day to show (the appointments view), YYYY-MM-DD */
  date?: string
}

/** The desk as the UI sees it: sync status, change counters views refresh on, conflicts and rejections. */
export class DeskState {
  status = $state<DeskStatus | null>(null)
  /** a status call failed: the desk process itself is unreachable */
  unreachable = $state<string | null>(null)
  versions = $state<Record<Collection, number>>({ clients: 0, patients: 0, appointments: 0, invoices: 0 })
  conflicts = $state<ConflictView[]>([])
  rejections = $state<RejectionView[]>([])
  intent = $state<Intent>({ section: "appointments" })
  /** the clinic's profile and the time zone its days are counted in (null until the desk answers) */
  clinic = $state<ClinicProfileView | null>(null)
  /** profile events taken so far: a profile asked for before the latest one is older than it */
  #profileEvents = 0

  /** the zone dates and times are shown and entered in: the clinic's, never the browser machine's */
  get zone(): string {
    return this.clinic?.timeZone ?? DEFAULT_TIME_ZONE
  }
  syncing = $state(false)
  /** what the last "sync now" did (shown for a while), or why it failed */
  syncNowResult = $state<{ outcome: SyncNowOutcome | "failed"; waiting: number; detail: string; at: number } | null>(null)

  constructor(readonly api: DeskClient) {}

  /** subscribe to the desk's events; returns the unsubscribe */
  start(): () => void {
    const off = this.api.onEvent(e => this.onEvent(e))
    void this.refreshStatus()
    void this.refreshNotices()
    void this.refreshClinic()
    const poll = setInterval(() => void this.refreshStatus(), 5000)
    return () => {
      off()
      clearInterval(poll)
    }
  }

  go(intent: Intent): void {
    this.intent = intent
  }

  onEvent(e: HostEvent): void {
    // setup phases are the root's (SetupState)
    if (e.type === "setup") return
    if (e.type === "status") {
      this.status = e.status
      this.unreachable = null
      return
    }
    if (e.type === "profile") {
      this.#profileEvents++
      this.clinic = e.profile
      return
    }
    // the session's own state listens for it (SessionState)
    if (e.type === "session") return
    for (const c of e.collections) this.versions[c] += 1
    void this.refreshNotices()
  }

  async refreshStatus(): Promise<void> {
    try {
      this.status = await this.api.call("status")
      this.unreachable = null
    } catch (e) {
      this.unreachable = e instanceof Error ? e.message : String(e)
    }
  }

  async refreshClinic(): Promise<void> {
    const before = this.#profileEvents
    try {
      const profile = await this.api.call("clinic.profile")
      // an event that came meanwhile (the event stream starts with the profile) is as new or newer
      if (this.#profileEvents === before) this.clinic = profile
    } catch {
      // shown through the status indicator
    }
  }

  async refreshNotices(): Promise<void> {
    try {
      const [conflicts, rejections] = await Promise.all([this.api.call("conflicts.list"), this.api.call("rejections.list")])
      this.conflicts = conflicts
      this.rejections = rejections
    } catch {
      // shown through the status indicator
    }
  }

  async syncNow(): Promise<void> {
    this.syncing = true
    try {
      const r = await this.api.call("sync.now")
      this.status = r.status
      this.syncNowResult = { outcome: r.outcome, waiting: r.status.waitingRecords, detail: "", at: Date.now() }
    } catch (e) {
      const detail = e instanceof Error ? e.message : String(e)
      this.unreachable = detail
      this.syncNowResult = { outcome: "failed", waiting: 0, detail, at: Date.now() }
    } finally {
      this.syncing = false
      const shown = this.syncNowResult
      setTimeout(() => {
        if (this.syncNowResult === shown) this.syncNowResult = null
      }, 15_000)
    }
  }

  async resolve(conflict: ConflictView, value: string): Promise<void> {
    await this.api.call("conflicts.resolve", { collection: conflict.collection, id: conflict.id, field: conflict.field, value })
    this.versions[conflict.collection] += 1
    await this.refreshNotices()
  }
}
