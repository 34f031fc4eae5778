import { addDays } from "@vetsync/shared/schema"
import type { DayReport, EndOfDayView, FiscalDeskStatus, FiscalError, QueuedReceipt } from "../../core/api.js"
import { ApiCallError, type DeskClient } from "../api/client.js"

/** What the last register operation did: shown in the cash view until the next one. */
export type FiscalOutcome =
  | { kind: "done"; what: "openShift" | "closeShift" | "reportX" | "retry"; number: number | null }
  | { kind: "refused"; error: FiscalError }
  | { kind: "failed"; code: string }

/** The cash view's state: the register, the receipts not fiscalised yet, and a day's cash report. */
export class FiscalState {
  status = $state<FiscalDeskStatus | null>(null)
  /** the desk has no register (`--fiscal none`) */
  unavailable = $state(false)
  waiting = $state<QueuedReceipt[]>([])
  /** the register's report of the day, from its receipts */
  report = $state<DayReport | null>(null)
  /** the end of day from this desk's payment records: what is printed */
  day = $state<EndOfDayView | null>(null)
  date = $state("")
  busy = $state(false)
  outcome = $state<FiscalOutcome | null>(null)

  constructor(readonly api: DeskClient) {}

  async refresh(): Promise<void> {
    try {
      if (this.date) this.day = await this.api.call("money.day", { date: this.date })
    } catch {
      // the end of day waits for the next refresh
    }
    try {
      const [status, waiting] = await Promise.all([
        this.api.call("fiscal.status"),
        this.api.call("fiscal.receipts", { states: ["pending", "sending", "failed"] }),
      ])
      this.status = status
      this.waiting = waiting
      this.unavailable = false
      if (this.date) this.report = await this.api.call("fiscal.day", { date: this.date })
    } catch (e) {
      if (e instanceof ApiCallError && e.code === "unavailable") this.unavailable = true
    }
  }

  async showDay(date: string): Promise<void> {
    this.date = date
    await this.refresh()
  }

  shiftDay(days: number): Promise<void> {
    return this.showDay(addDays(this.date, days))
  }

  async run(what: "openShift" | "closeShift" | "reportX"): Promise<void> {
    this.busy = true
    try {
      const command = what === "openShift" ? "fiscal.openShift" : what === "closeShift" ? "fiscal.closeShift" : "fiscal.reportX"
      const r = await this.api.call(command, {})
      this.outcome = r.ok
        ? { kind: "done", what, number: "number" in r.value ? r.value.number : null }
        : { kind: "refused", error: r.error }
    } catch (e) {
      this.outcome = { kind: "failed", code: e instanceof ApiCallError ? e.code : "unreachable" }
    } finally {
      this.busy = false
      await this.refresh()
    }
  }

  async retry(key?: string): Promise<void> {
    this.busy = true
    try {
      const left = await this.api.call("fiscal.retry", key ? { key } : {})
      const still = key ? left.find(r => r.key === key) : left[0]
      this.outcome = still?.error ? { kind: "refused", error: still.error } : { kind: "done", what: "retry", number: null }
    } catch (e) {
      this.outcome = { kind: "failed", code: e instanceof ApiCallError ? e.code : "unreachable" }
    } finally {
      this.busy = false
      await this.refresh()
    }
  }
}
