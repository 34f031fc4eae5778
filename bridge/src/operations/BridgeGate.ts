import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { answerOperations, type OperationsEndpoints } from "@vetsync/shared/net"

/**
 * The bridge's operations server: `GET /health` (alive), `GET /ready` (doing its work, else 503
 * with the reasons) and `GET /metrics` (Prometheus; loopback or the metrics token), answered as
 * the relay answers them. Nothing else: the bridge takes no requests.
 */
export class BridgeGate {
  readonly #http: http.Server
  #closed = false

  constructor(endpoints: OperationsEndpoints) {
    this.#http = http.createServer((req, res) => {
      if (!answerOperations(req, res, endpoints))
        res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "not found" }))
    })
  }

  /** Listens; a port that is taken fails the start, saying which. */
  listen(port: number, host: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#http.once("error", (e: Error) =>
        reject(new Error(`the operations server cannot listen on ${host}:${port}: ${e.message}`)),
      )
      this.#http.listen(port, host, () => {
        this.#http.removeAllListeners("error")
        this.#http.on("error", () => undefined)
        resolve()
      })
    })
  }

  get port(): number {
    return (this.#http.address() as AddressInfo).port
  }

  /** http://host:port */
  get url(): string {
    const { address, family } = this.#http.address() as AddressInfo
    return `http://${family === "IPv6" ? `[${address}]` : address}:${this.port}`
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#http.closeAllConnections()
    await new Promise<void>(resolve => this.#http.close(() => resolve()))
  }
}
