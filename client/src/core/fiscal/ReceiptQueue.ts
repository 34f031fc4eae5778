import { randomUUID } from "node:crypto"
import Database from "better-sqlite3"
import { isRetryable, type FiscalError } from "./errors.js"
import { composeReceipt } from "./receipt.js"
import type { FiscalDocument, FiscalRegister, PaymentMethod, ReceiptRequest, ReceiptSign } from "./types.js"

/** pending: to be sent (again); sending: handed to the register, no answer yet; done: fiscalised; failed: refused, waits for a retry. */
export type ReceiptState = "pending" | "sending" | "done" | "failed"

export interface QueuedReceipt {
  key: string
  sign: ReceiptSign
  /** kopecks */
  total: number
  payments: { method: PaymentMethod; amount: number }[]
  state: ReceiptState
  attempts: number
  /** the last refusal, while not done */
  error: FiscalError | null
  doc: FiscalDocument | null
  /** ISO times */
  createdAt: string
  updatedAt: string
  request: ReceiptRequest
  /** what the receipt is for, as its caller tagged it (the payment records it fiscalises), or null */
  tag: string | null
}

interface Row {
  key: string
  attempt_key: string
  attempts: number
  request: string
  state: ReceiptState
  error: string | null
  doc: string | null
  created_at: string
  updated_at: string
  tag: string | null
}

const DDL = `
CREATE TABLE IF NOT EXISTS receipts (
  key TEXT PRIMARY KEY,
  attempt_key TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  request TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'done', 'failed')),
  error TEXT,
  doc TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS receipts_state ON receipts (state);
CREATE INDEX IF NOT EXISTS receipts_created ON receipts (created_at);
`

const view = (r: Row): QueuedReceipt => {
  const request = JSON.parse(r.request) as ReceiptRequest
  return {
    key: r.key,
    sign: request.sign,
    total: composeReceipt(request.items).total,
    payments: request.payments,
    state: r.state,
    attempts: r.attempts,
    error: r.error ? (JSON.parse(r.error) as FiscalError) : null,
    doc: r.doc ? (JSON.parse(r.doc) as FiscalDocument) : null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    request,
    tag: r.tag,
  }
}

/**
 * The desk's receipts to fiscalise, in their own SQLite file (`fiscal.sqlite` in the data
 * directory, WAL, synchronous FULL): a receipt is on disk, with its idempotency key, before it is
 * sent, and nothing here waits for the relay.
 *
 * Never twice: a receipt goes to the register under its attempt key. After a lost answer, a crash
 * ("sending" at start) or an unreachable register, the same attempt key is sent again and the
 * register answers what it did the first time. Only a definitive refusal (paper out, shift over
 * 24 h, storage full ...), after which nothing was printed, gives the next attempt a new key.
 */
export class ReceiptQueue {
  readonly #db: Database.Database
  readonly #register: FiscalRegister
  readonly #now: () => Date
  readonly #settled = new Set<(r: QueuedReceipt) => void>()
  #running: Promise<void> = Promise.resolve()
  #closed = false

  constructor(file: string, register: FiscalRegister, now: () => Date = () => new Date()) {
    this.#db = new Database(file)
    this.#db.pragma("journal_mode = WAL")
    this.#db.pragma("synchronous = FULL")
    this.#db.exec(DDL)
    const columns = this.#db.prepare("PRAGMA table_info(receipts)").all() as { name: string }[]
    if (!columns.some(c => c.name === "tag")) this.#db.exec("ALTER TABLE receipts ADD COLUMN tag TEXT")
    this.#register = register
    this.#now = now
    // sent before a crash, answer unknown: the same attempt key goes again
    this.#db.prepare("UPDATE receipts SET state = 'pending' WHERE state = 'sending'").run()
  }

  /** Stores the receipt (a key already stored keeps its first request and tag) and returns it. */
  add(request: ReceiptRequest, tag?: string): QueuedReceipt {
    const at = this.#now().toISOString()
    this.#db
      .prepare(
        `INSERT INTO receipts (key, attempt_key, request, state, created_at, updated_at, tag)
         VALUES (?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
      )
      .run(request.key, request.key, JSON.stringify(request), at, at, tag ?? null)
    return this.get(request.key) as QueuedReceipt
  }

  /** Calls `fn` with each receipt a register answered (done, failed, or pending again after an unreachable register). */
  onSettled(fn: (r: QueuedReceipt) => void): () => void {
    this.#settled.add(fn)
    return () => this.#settled.delete(fn)
  }

  get(key: string): QueuedReceipt | undefined {
    const row = this.#db.prepare("SELECT * FROM receipts WHERE key = ?").get(key) as Row | undefined
    return row ? view(row) : undefined
  }

  /** Receipts by state (all when none given), newest first. */
  list(states?: readonly ReceiptState[], limit = 200): QueuedReceipt[] {
    const rows = (
      states?.length
        ? this.#db
            .prepare(
              `SELECT * FROM receipts WHERE state IN (${states.map(() => "?").join(",")}) ORDER BY created_at DESC LIMIT ?`,
            )
            .all(...states, limit)
        : this.#db.prepare("SELECT * FROM receipts ORDER BY created_at DESC LIMIT ?").all(limit)
    ) as Row[]
    return rows.map(view)
  }

  /** Receipts created in [from, to) (ISO), oldest first. */
  between(from: string, to: string): QueuedReceipt[] {
    return (
      this.#db.prepare("SELECT * FROM receipts WHERE created_at >= ? AND created_at < ? ORDER BY created_at").all(from, to) as Row[]
    ).map(view)
  }

  /**
   * Sends what waits: pending receipts, and failed ones when `failedToo` (a retry). One run at a
   * time; resolves when this run is over.
   */
  process(failedToo = false, only?: string): Promise<void> {
    const run = this.#running.then(() => this.#process(failedToo, only))
    this.#running = run.catch(() => undefined)
    return run
  }

  close(): Promise<void> {
    this.#closed = true
    return this.#running.then(() => {
      this.#db.close()
    })
  }

  async #process(failedToo: boolean, only: string | undefined): Promise<void> {
    const states = failedToo ? ["pending", "failed"] : ["pending"]
    const rows = (
      this.#db
        .prepare(`SELECT * FROM receipts WHERE state IN (${states.map(() => "?").join(",")}) ORDER BY created_at`)
        .all(...states) as Row[]
    ).filter(r => only === undefined || r.key === only)
    for (const row of rows) {
      if (this.#closed) return
      await this.#send(row)
    }
  }

  async #send(row: Row): Promise<void> {
    // a definitive refusal spent the attempt key: nothing was printed under it, so a new one is safe
    const attemptKey = row.state === "failed" ? randomUUID() : row.attempt_key
    this.#db
      .prepare("UPDATE receipts SET state = 'sending', attempt_key = ?, attempts = attempts + 1, updated_at = ? WHERE key = ?")
      .run(attemptKey, this.#now().toISOString(), row.key)
    const request = JSON.parse(row.request) as ReceiptRequest
    const r = await this.#register.register({ ...request, key: attemptKey })
    if (this.#closed && !r.ok && isRetryable(r.error)) return
    const at = this.#now().toISOString()
    if (r.ok)
      this.#db
        .prepare("UPDATE receipts SET state = 'done', doc = ?, error = NULL, updated_at = ? WHERE key = ?")
        .run(JSON.stringify(r.value), at, row.key)
    else
      this.#db
        .prepare("UPDATE receipts SET state = ?, error = ?, updated_at = ? WHERE key = ?")
        .run(isRetryable(r.error) ? "pending" : "failed", JSON.stringify(r.error), at, row.key)
    const settled = this.get(row.key)
    if (settled)
      for (const fn of this.#settled)
        try {
          fn(settled)
        } catch {
          // a listener's failure is the listener's: the receipt's state is on disk
        }
  }
}
