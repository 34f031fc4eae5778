import * as http from "node:http"
import type { AddressInfo } from "node:net"
import {
  atolCodeOf,
  kopecks,
  type AtolOperator,
  type AtolReceiptTask,
  type AtolRequestBody,
  type AtolTask,
  type AtolTaskResult,
} from "../../src/core/fiscal/atolProtocol.js"
import { describeFiscalError } from "../../src/core/fiscal/errors.js"
import type { FiscalEmulator } from "../../src/core/fiscal/FiscalEmulator.js"
import type { Cashier, FiscalDocument, FiscalResult, ReceiptRequest } from "../../src/core/fiscal/types.js"

const SHIFT_MS = 24 * 60 * 60 * 1000

const cashierOf = (o: AtolOperator | undefined): Cashier | undefined =>
  o ? { name: o.name, ...(o.vatin ? { inn: o.vatin } : {}) } : undefined

/** An ATOL sell / sellReturn task back as the request it was made from. */
const requestOf = (uuid: string, t: AtolReceiptTask): ReceiptRequest => {
  const cashier = cashierOf(t.operator)
  return {
    key: uuid,
    sign: t.type === "sell" ? "sell" : "refund",
    items: t.items.map(i => ({
      name: i.name,
      price: kopecks(i.price),
      qtyMilli: Math.round(i.quantity * 1000),
      vat: i.tax.type,
      kind: i.paymentObject,
    })),
    payments: t.payments.map(p => ({ method: p.type === "cash" ? "cash" : "card", amount: kopecks(p.sum) })),
    ...(cashier ? { cashier } : {}),
    ...(t.clientInfo ? { clientContact: t.clientInfo.emailOrPhone } : {}),
  }
}

/**
 * ATOL Driver 10's web server as its documentation describes it (atolProtocol.ts), on a real
 * socket at 127.0.0.1, executing its tasks on a FiscalEmulator. Tests can take it down (every
 * connection is cut), hold results (tasks stay "wait" until released: an answer that never
 * came), and count the POSTs it took.
 */
export class AtolTestServer {
  readonly emulator: FiscalEmulator
  readonly posts: string[] = []
  down = false
  hold = false
  readonly #requests = new Map<string, { tasks: AtolTask[]; results: AtolTaskResult[] | null }>()
  readonly #server: http.Server
  #url = ""

  constructor(emulator: FiscalEmulator) {
    this.emulator = emulator
    this.#server = http.createServer((req, res) => {
      if (this.down) {
        req.socket.destroy()
        return
      }
      void this.#handle(req, res)
    })
  }

  get url(): string {
    return this.#url
  }

  async start(port = 0): Promise<void> {
    await new Promise<void>(resolve => this.#server.listen(port, "127.0.0.1", resolve))
    this.#url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`
  }

  /** Runs the held tasks now. */
  async release(): Promise<void> {
    this.hold = false
    for (const [uuid, r] of this.#requests) if (r.results === null) r.results = await this.#execute(uuid, r.tasks)
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections()
    await new Promise<void>(resolve => this.#server.close(() => resolve()))
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const send = (status: number, body?: unknown): void => {
      res.writeHead(status, { "content-type": "application/json; charset=utf-8" })
      res.end(body === undefined ? "" : JSON.stringify(body))
    }
    const url = req.url ?? ""
    if (req.method === "POST" && url === "/api/v2/requests") {
      const chunks: Buffer[] = []
      for await (const c of req) chunks.push(c as Buffer)
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as AtolRequestBody
      if (this.#requests.has(body.uuid)) return send(409)
      this.posts.push(body.uuid)
      const entry: { tasks: AtolTask[]; results: AtolTaskResult[] | null } = { tasks: body.request, results: null }
      this.#requests.set(body.uuid, entry)
      send(201)
      if (!this.hold) entry.results = await this.#execute(body.uuid, body.request)
      return
    }
    const m = /^\/api\/v2\/requests\/([^/]+)$/.exec(url)
    if (req.method === "GET" && m?.[1]) {
      const entry = this.#requests.get(decodeURIComponent(m[1]))
      if (!entry) return send(404)
      const results =
        entry.results ??
        entry.tasks.map(() => ({ status: "wait" as const, errorCode: 0, errorDescription: "Ошибок нет", result: null }))
      return send(200, { results })
    }
    send(404)
  }

  async #execute(uuid: string, tasks: AtolTask[]): Promise<AtolTaskResult[]> {
    const out: AtolTaskResult[] = []
    for (const task of tasks) out.push(await this.#task(uuid, task))
    return out
  }

  async #task(uuid: string, task: AtolTask): Promise<AtolTaskResult> {
    const e = this.emulator
    const ready = (result: AtolTaskResult["result"]): AtolTaskResult => ({
      status: "ready",
      errorCode: 0,
      errorDescription: "Ошибок нет",
      result,
    })
    const doc = (r: FiscalResult<FiscalDocument>): AtolTaskResult =>
      r.ok
        ? ready({
            fiscalParams: {
              fiscalDocumentNumber: r.value.number,
              fiscalDocumentSign: r.value.sign,
              fiscalDocumentDateTime: r.value.at,
              shiftNumber: r.value.shiftNumber,
              total: r.value.total / 100,
            },
          })
        : { status: "error", errorCode: atolCodeOf(r.error), errorDescription: describeFiscalError(r.error), result: null }
    switch (task.type) {
      case "openShift":
        return doc(await e.openShift(cashierOf(task.operator)))
      case "closeShift":
        return doc(await e.closeShift(cashierOf(task.operator)))
      case "reportX": {
        const r = await e.reportX()
        return r.ok
          ? ready(null)
          : { status: "error", errorCode: atolCodeOf(r.error), errorDescription: describeFiscalError(r.error), result: null }
      }
      case "sell":
      case "sellReturn":
        return doc(await e.register(requestOf(uuid, task)))
      case "getShiftStatus":
      case "getDeviceStatus":
      case "getFnInfo": {
        const s = await e.status()
        if (!s.ok) return { status: "error", errorCode: atolCodeOf(s.error), errorDescription: "", result: null }
        const v = s.value
        if (task.type === "getDeviceStatus") return ready({ deviceStatus: { paperPresent: v.paperPresent } })
        if (task.type === "getFnInfo") return ready({ fnInfo: { warnings: { memoryOverflow: v.storageFull } } })
        return ready({
          shiftStatus: {
            state: v.shift === "open" ? "opened" : v.shift,
            number: v.shiftNumber,
            ...(v.shiftOpenedAt ? { expiredTime: new Date(Date.parse(v.shiftOpenedAt) + SHIFT_MS).toISOString() } : {}),
          },
        })
      }
    }
  }
}
