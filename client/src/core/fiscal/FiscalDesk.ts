import * as path from "node:path"
import { dayRange } from "@vetsync/shared"
import { AtolDriver10Register } from "./AtolDriver10Register.js"
import { dayReport, type DayReport } from "./endOfDay.js"
import { FiscalEmulator } from "./FiscalEmulator.js"
import { ReceiptQueue, type QueuedReceipt, type ReceiptState } from "./ReceiptQueue.js"
import type { Cashier, FiscalDocument, FiscalRegister, FiscalResult, FiscalStatus, ReceiptRequest, XReport } from "./types.js"

/** Which register a desk has: none, the emulator (`npm start`, tests), or ATOL's Driver 10 web server at a URL. */
export type FiscalConfig = { kind: "none" } | { kind: "emulator" } | { kind: "atol"; url: string }

export interface FiscalDeskOptions {
  dataDir: string
  config: Exclude<FiscalConfig, { kind: "none" }>
  deskId: string
  timeZone: () => string
  now?: () => Date
  /** how often receipts that wait are sent again (default 30 s) */
  retryMs?: number
  /** a register of the caller's (tests); otherwise one is made from `config` */
  register?: FiscalRegister
}

export interface FiscalDeskStatus {
  register: FiscalResult<FiscalStatus>
  /** receipts waiting to be sent or sent without an answer yet */
  pending: number
  failed: number
}

/** The desk's cash register and its receipt queue: what the fiscal commands call. */
export class FiscalDesk {
  readonly register: FiscalRegister
  readonly queue: ReceiptQueue
  readonly #o: FiscalDeskOptions
  readonly #timer: NodeJS.Timeout

  constructor(o: FiscalDeskOptions) {
    this.#o = o
    const now = o.now ?? (() => new Date())
    this.register =
      o.register ??
      (o.config.kind === "atol"
        ? new AtolDriver10Register({ url: o.config.url })
        : new FiscalEmulator({ journalPath: path.join(o.dataDir, "fiscal-emulator.jsonl"), now }))
    this.queue = new ReceiptQueue(path.join(o.dataDir, "fiscal.sqlite"), this.register, now)
    // automatic retries: what waits (unreachable register, a crash) and what was refused (paper ...)
    this.#timer = setInterval(() => void this.queue.process(true).catch(() => undefined), o.retryMs ?? 30_000)
    this.#timer.unref()
    void this.queue.process().catch(() => undefined)
  }

  async status(): Promise<FiscalDeskStatus> {
    return {
      register: await this.register.status(),
      pending: this.queue.list(["pending", "sending"], 10_000).length,
      failed: this.queue.list(["failed"], 10_000).length,
    }
  }

  openShift(cashier?: Cashier): Promise<FiscalResult<FiscalDocument>> {
    return this.register.openShift(cashier)
  }

  closeShift(cashier?: Cashier): Promise<FiscalResult<FiscalDocument>> {
    return this.register.closeShift(cashier)
  }

  reportX(cashier?: Cashier): Promise<FiscalResult<XReport>> {
    return this.register.reportX(cashier)
  }

  /** Stores the receipt, then tries it once: answers the stored receipt (done, or pending / failed with why). */
  async receipt(request: ReceiptRequest): Promise<QueuedReceipt> {
    this.queue.add(request)
    await this.queue.process(false, request.key)
    return this.queue.get(request.key) as QueuedReceipt
  }

  /**
   * Stores the receipt (durably, before this returns) and sends it in the background: for a
   * command that must not wait for the register. Its outcome reaches `onSettled` listeners.
   */
  enqueue(request: ReceiptRequest, tag?: string): QueuedReceipt {
    const stored = this.queue.add(request, tag)
    void this.queue.process(false, request.key).catch(() => undefined)
    return stored
  }

  /** Calls `fn` with each receipt the register answered (done, failed, or pending again). */
  onSettled(fn: (r: QueuedReceipt) => void): () => void {
    return this.queue.onSettled(fn)
  }

  receipts(states?: readonly ReceiptState[], limit?: number): QueuedReceipt[] {
    return this.queue.list(states, limit)
  }

  /** Sends failed and waiting receipts again (one, or all): never prints one twice. */
  async retry(key?: string): Promise<QueuedReceipt[]> {
    await this.queue.process(true, key)
    return this.queue.list(["pending", "sending", "failed"])
  }

  /** The cash report of a day of the clinic (its zone) from this desk's receipts. */
  day(date: string): DayReport {
    const timeZone = this.#o.timeZone()
    const { from, to } = dayRange(date, timeZone)
    return dayReport(this.queue.between(from, to), { date, timeZone, deskId: this.#o.deskId })
  }

  async close(): Promise<void> {
    clearInterval(this.#timer)
    await this.queue.close()
    await this.register.close()
  }
}
