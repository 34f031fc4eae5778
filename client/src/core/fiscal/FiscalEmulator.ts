import { createHash } from "node:crypto"
import * as fs from "node:fs"
import type { FiscalError } from "./errors.js"
import { composeReceipt, receiptProblems } from "./receipt.js"
import type {
  Cashier,
  FiscalDocument,
  FiscalRegister,
  FiscalResult,
  FiscalStatus,
  ReceiptRequest,
  XReport,
} from "./types.js"

/** One line of the emulator's journal: every document it formed, and every key it refused. */
export type JournalEntry =
  | { type: "openShift" | "closeShift"; doc: FiscalDocument; cashier?: Cashier }
  | { type: "reportX"; report: XReport }
  | { type: "sell" | "refund"; key: string; doc: FiscalDocument; request: ReceiptRequest }
  | { type: "refused"; key: string; error: FiscalError }

export interface FiscalEmulatorOptions {
  /** append-only JSON lines; the emulator replays it when it opens (its counters, shift, keys) */
  journalPath?: string
  now?: () => Date
  /** documents the fiscal storage takes before it is full (default: unlimited) */
  storageCapacity?: number
}

const SHIFT_MS = 24 * 60 * 60 * 1000
const ok = <T>(value: T): FiscalResult<T> => ({ ok: true, value })
const fail = <T>(error: FiscalError): FiscalResult<T> => ({ ok: false, error })

/**
 * A cash register in memory (and in its journal file): fiscal document numbers from 1, a fiscal
 * sign per document, shifts with the 24-hour limit, paper, a fiscal storage that fills up, and
 * the idempotency of FiscalRegister (a key seen before answers its first answer). Tests switch
 * its failures on (`setPaper`, `setStorageFull`, `setConnected`); `npm start` uses it as the desk's
 * register.
 */
export class FiscalEmulator implements FiscalRegister {
  readonly #opts: FiscalEmulatorOptions
  readonly #journal: JournalEntry[] = []
  readonly #byKey = new Map<string, FiscalResult<FiscalDocument>>()
  #lastNumber = 0
  #shiftNumber = 0
  #shiftOpenedAt: string | null = null
  #paper = true
  #storageFull = false
  #connected = true

  constructor(opts: FiscalEmulatorOptions = {}) {
    this.#opts = opts
    if (opts.journalPath && fs.existsSync(opts.journalPath)) {
      for (const line of fs.readFileSync(opts.journalPath, "utf8").split("\n")) {
        // a line cut off by a crash was never answered: it is not a document
        if (line.trim() === "") continue
        try {
          this.#apply(JSON.parse(line) as JournalEntry)
        } catch {
          break
        }
      }
    }
  }

  /** Every document and refusal, oldest first. */
  journal(): readonly JournalEntry[] {
    return this.#journal
  }

  setPaper(present: boolean): void {
    this.#paper = present
  }

  setStorageFull(full: boolean): void {
    this.#storageFull = full
  }

  setConnected(connected: boolean): void {
    this.#connected = connected
  }

  async status(): Promise<FiscalResult<FiscalStatus>> {
    if (!this.#connected) return fail({ kind: "not-connected", detail: "the emulator is switched off" })
    return ok({
      connected: true,
      shift: this.#shiftOpenedAt === null ? "closed" : this.#expired() ? "expired" : "open",
      shiftNumber: this.#shiftNumber,
      shiftOpenedAt: this.#shiftOpenedAt,
      paperPresent: this.#paper,
      storageFull: this.#full(),
      model: "emulator",
    })
  }

  async openShift(cashier?: Cashier): Promise<FiscalResult<FiscalDocument>> {
    const refused = this.#check({ shift: "closed" })
    if (refused) return fail(refused)
    const doc = this.#doc(this.#shiftNumber + 1, 0, "openShift")
    this.#record({ type: "openShift", doc, ...(cashier ? { cashier } : {}) })
    return ok(doc)
  }

  async closeShift(cashier?: Cashier): Promise<FiscalResult<FiscalDocument>> {
    // the Z report is what an expired shift still allows
    const refused = this.#check({ shift: "any-open" })
    if (refused) return fail(refused)
    const doc = this.#doc(this.#shiftNumber, 0, "closeShift")
    this.#record({ type: "closeShift", doc, ...(cashier ? { cashier } : {}) })
    return ok(doc)
  }

  async reportX(): Promise<FiscalResult<XReport>> {
    const refused = this.#check({ shift: "any" })
    if (refused) return fail(refused)
    const report = { at: this.#now().toISOString(), shiftNumber: this.#shiftNumber }
    this.#record({ type: "reportX", report })
    return ok(report)
  }

  async register(request: ReceiptRequest): Promise<FiscalResult<FiscalDocument>> {
    if (!this.#connected) return fail({ kind: "not-connected", detail: "the emulator is switched off" })
    const seen = this.#byKey.get(request.key)
    if (seen) return seen
    const problems = receiptProblems(request)
    if (problems.length) return fail({ kind: "invalid-receipt", problems })
    const refused = this.#check({ shift: "open" })
    if (refused) {
      this.#record({ type: "refused", key: request.key, error: refused })
      return fail(refused)
    }
    const doc = this.#doc(this.#shiftNumber, composeReceipt(request.items).total, request.key)
    this.#record({ type: request.sign, key: request.key, doc, request })
    return ok(doc)
  }

  async close(): Promise<void> {}

  #now(): Date {
    return this.#opts.now?.() ?? new Date()
  }

  #expired(): boolean {
    return this.#shiftOpenedAt !== null && this.#now().getTime() - Date.parse(this.#shiftOpenedAt) > SHIFT_MS
  }

  #full(): boolean {
    const cap = this.#opts.storageCapacity
    return this.#storageFull || (cap !== undefined && this.#lastNumber >= cap)
  }

  /** What refuses an operation, in the order a register finds it; undefined: it may run. */
  #check(need: { shift: "closed" | "open" | "any-open" | "any" }): FiscalError | undefined {
    if (!this.#connected) return { kind: "not-connected", detail: "the emulator is switched off" }
    if (need.shift !== "any" && this.#full()) return { kind: "storage-full" }
    if (!this.#paper) return { kind: "paper-out" }
    const open = this.#shiftOpenedAt
    if (need.shift === "closed" && open !== null) return this.#expired() ? { kind: "shift-expired", openedAt: open } : { kind: "shift-open" }
    if ((need.shift === "open" || need.shift === "any-open") && open === null) return { kind: "shift-closed" }
    if (need.shift === "open" && open !== null && this.#expired()) return { kind: "shift-expired", openedAt: open }
    return undefined
  }

  #doc(shiftNumber: number, total: number, salt: string): FiscalDocument {
    const number = this.#lastNumber + 1
    const at = this.#now().toISOString()
    const digest = createHash("sha256").update(`${number}|${at}|${total}|${salt}`).digest()
    return { number, sign: String(digest.readUInt32BE(0)), at, shiftNumber, total }
  }

  #record(entry: JournalEntry): void {
    // on disk first: a document the journal lacks was never answered
    if (this.#opts.journalPath) {
      const fd = fs.openSync(this.#opts.journalPath, "a")
      try {
        fs.writeSync(fd, `${JSON.stringify(entry)}\n`)
        fs.fsyncSync(fd)
      } finally {
        fs.closeSync(fd)
      }
    }
    this.#apply(entry)
  }

  #apply(entry: JournalEntry): void {
    this.#journal.push(entry)
    switch (entry.type) {
      case "openShift":
        this.#lastNumber = entry.doc.number
        this.#shiftNumber = entry.doc.shiftNumber
        this.#shiftOpenedAt = entry.doc.at
        break
      case "closeShift":
        this.#lastNumber = entry.doc.number
        this.#shiftOpenedAt = null
        break
      case "sell":
      case "refund":
        this.#lastNumber = entry.doc.number
        this.#byKey.set(entry.key, ok(entry.doc))
        break
      case "refused":
        this.#byKey.set(entry.key, fail(entry.error))
        break
      case "reportX":
        break
    }
  }
}
