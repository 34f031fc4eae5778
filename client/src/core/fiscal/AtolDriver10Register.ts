import { randomUUID } from "node:crypto"
import { setTimeout as delay } from "node:timers/promises"
import {
  ATOL_FINAL,
  atolError,
  atolOperator,
  atolReceiptTask,
  fiscalDocumentOf,
  kopecks,
  type AtolRequestBody,
  type AtolRequestState,
  type AtolTask,
  type AtolTaskResult,
} from "./atolProtocol.js"
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

export interface AtolOptions {
  /** the driver's web server, e.g. http://127.0.0.1:16732 */
  url: string
  /** how often to ask for a task's result (default 250 ms) */
  pollMs?: number
  /** how long to wait for a result before answering "not connected" (default 60 s); the task stays with the driver */
  resultTimeoutMs?: number
  /** one HTTP exchange's limit (default 5 s) */
  httpTimeoutMs?: number
}

const SHIFT_MS = 24 * 60 * 60 * 1000
const fail = <T>(error: FiscalError): FiscalResult<T> => ({ ok: false, error })

/**
 * A register behind ATOL's Driver 10 web server (the JSON task protocol: atolProtocol.ts). A
 * receipt's request uuid is its idempotency key: sent again after a lost answer, a crash or a
 * restart, the driver answers 409 for the uuid it has and the result of the task it already ran,
 * so a receipt is never printed twice.
 */
export class AtolDriver10Register implements FiscalRegister {
  readonly #url: string
  readonly #pollMs: number
  readonly #resultTimeoutMs: number
  readonly #httpTimeoutMs: number
  #closed = false

  constructor(opts: AtolOptions) {
    this.#url = opts.url.replace(/\/+$/, "")
    this.#pollMs = opts.pollMs ?? 250
    this.#resultTimeoutMs = opts.resultTimeoutMs ?? 60_000
    this.#httpTimeoutMs = opts.httpTimeoutMs ?? 5_000
  }

  async status(): Promise<FiscalResult<FiscalStatus>> {
    const r = await this.#run(randomUUID(), [
      { type: "getShiftStatus" },
      { type: "getDeviceStatus" },
      { type: "getFnInfo" },
    ])
    if (!r.ok) return r
    const [shift, device, fn] = r.value.map(t => t.result)
    const s = shift?.shiftStatus
    const warnings = fn?.fnInfo?.warnings
    const openedAt =
      s && s.state !== "closed" && s.expiredTime ? new Date(Date.parse(s.expiredTime) - SHIFT_MS).toISOString() : null
    return {
      ok: true,
      value: {
        connected: true,
        shift: s?.state === "opened" ? "open" : s?.state === "expired" ? "expired" : "closed",
        shiftNumber: s?.number ?? 0,
        shiftOpenedAt: openedAt,
        paperPresent: device?.deviceStatus?.paperPresent ?? true,
        storageFull: Boolean(warnings?.memoryOverflow || warnings?.resourceExhausted),
        model: `ATOL at ${this.#url}`,
      },
    }
  }

  openShift(cashier?: Cashier): Promise<FiscalResult<FiscalDocument>> {
    return this.#document(randomUUID(), this.#task("openShift", cashier), 0)
  }

  closeShift(cashier?: Cashier): Promise<FiscalResult<FiscalDocument>> {
    return this.#document(randomUUID(), this.#task("closeShift", cashier), 0)
  }

  async reportX(cashier?: Cashier): Promise<FiscalResult<XReport>> {
    const r = await this.#run(randomUUID(), [this.#task("reportX", cashier)])
    if (!r.ok) return r
    const p = r.value[0]?.result?.fiscalParams
    return { ok: true, value: { at: p?.fiscalDocumentDateTime ?? new Date().toISOString(), shiftNumber: p?.shiftNumber ?? 0 } }
  }

  register(request: ReceiptRequest): Promise<FiscalResult<FiscalDocument>> {
    const problems = receiptProblems(request)
    if (problems.length) return Promise.resolve(fail({ kind: "invalid-receipt", problems }))
    return this.#document(request.key, atolReceiptTask(request), composeReceipt(request.items).total)
  }

  async close(): Promise<void> {
    this.#closed = true
  }

  #task(type: "openShift" | "closeShift" | "reportX", cashier: Cashier | undefined): AtolTask {
    const operator = atolOperator(cashier)
    return { type, ...(operator ? { operator } : {}) }
  }

  async #document(uuid: string, task: AtolTask, total: number): Promise<FiscalResult<FiscalDocument>> {
    const r = await this.#run(uuid, [task])
    if (!r.ok) return r
    const p = r.value[0]?.result?.fiscalParams
    if (!p) return fail({ kind: "device", code: -1, detail: "the driver answered without fiscalParams" })
    return { ok: true, value: fiscalDocumentOf(p, p.total === undefined ? total : kopecks(p.total)) }
  }

  /** Posts the tasks under `uuid` (or finds them there already) and waits for every result. */
  async #run(uuid: string, tasks: AtolTask[]): Promise<FiscalResult<AtolTaskResult[]>> {
    const body: AtolRequestBody = { uuid, request: tasks }
    const posted = await this.#http("POST", "/api/v2/requests", body)
    if (!posted.ok) return posted
    // 409: the driver has this uuid already (a retry): its result is what we want
    if (posted.value.status !== 201 && posted.value.status !== 409)
      return fail({ kind: "device", code: -posted.value.status, detail: `POST /api/v2/requests: HTTP ${posted.value.status}` })
    const deadline = Date.now() + this.#resultTimeoutMs
    for (;;) {
      const got = await this.#http("GET", `/api/v2/requests/${encodeURIComponent(uuid)}`)
      if (!got.ok) return got
      if (got.value.status === 200) {
        const state = got.value.json as AtolRequestState
        const results = state.results ?? []
        if (results.length > 0 && results.every(t => (ATOL_FINAL as readonly string[]).includes(t.status))) {
          const failed = results.find(t => t.status !== "ready")
          if (failed) return fail(atolError(failed.errorCode, failed.errorDescription))
          return { ok: true, value: results }
        }
      } else if (got.value.status !== 404) {
        return fail({ kind: "device", code: -got.value.status, detail: `GET /api/v2/requests: HTTP ${got.value.status}` })
      }
      if (this.#closed || Date.now() > deadline)
        return fail({ kind: "not-connected", detail: `no result for request ${uuid} yet; it stays with the driver` })
      await delay(this.#pollMs)
    }
  }

  async #http(
    method: "GET" | "POST",
    path: string,
    body?: unknown,
  ): Promise<FiscalResult<{ status: number; json: unknown }>> {
    try {
      const res = await fetch(`${this.#url}${path}`, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.#httpTimeoutMs),
      })
      const text = await res.text()
      let json: unknown = null
      try {
        json = text ? (JSON.parse(text) as unknown) : null
      } catch {
        json = null
      }
      return { ok: true, value: { status: res.status, json } }
    } catch (e) {
      return fail({ kind: "not-connected", detail: `${this.#url}: ${e instanceof Error ? e.message : String(e)}` })
    }
  }
}
