import { request } from "node:http"
import { DESK_SECRET_HEADER, readDeskApiSecret, type ApiErrorCode, type ApiResponse, type DeskArgs, type DeskCommand, type DeskResult } from "@vetsync/client"

/** What one call to a desk's HTTP API came to. */
export type DeskAnswer<T> =
  | { kind: "ok"; value: T }
  /** the desk answered ok:false */
  | { kind: "error"; code: ApiErrorCode; message: string; status: number }
  /** nothing reached the desk (connection refused): the command was certainly not carried out */
  | { kind: "unreachable"; message: string }
  /** the request was sent but no answer came (reset, timeout): it may or may not have been carried out */
  | { kind: "uncertain"; message: string }

export interface DeskClientOptions {
  port: number
  /** the desk's data directory (where a per-start API secret will be kept) */
  dataDir: string
  /** per request; default 60 s */
  timeoutMs?: number
}

/**
 * The one HTTP client of a desk's API (`POST /api/<command>`, JSON in, ApiResponse out) the
 * chaos run uses. Every header the desk wants is added in headers() and nowhere else. One
 * connection per call (no keep-alive), so a refused connection means the desk never saw it.
 */
export class DeskClient {
  readonly opts: DeskClientOptions

  constructor(opts: DeskClientOptions) {
    this.opts = opts
  }

  get url(): string {
    return `http://127.0.0.1:${this.opts.port}`
  }

  async call<C extends DeskCommand>(command: C, args: DeskArgs<C>): Promise<DeskAnswer<Awaited<DeskResult<C>>>> {
    const body = JSON.stringify(args ?? {})
    let sent = await this.#post(`/api/${command}`, body)
    // the secret changes at every start: one read of it may predate a restart (403 means not carried out)
    if (sent.kind === "answered" && sent.status === 403) sent = await this.#post(`/api/${command}`, body)
    if (sent.kind !== "answered") return sent
    let parsed: ApiResponse<Awaited<DeskResult<C>>>
    try {
      parsed = JSON.parse(sent.text) as ApiResponse<Awaited<DeskResult<C>>>
    } catch {
      return { kind: "error", code: "internal", message: `not JSON (HTTP ${sent.status}): ${sent.text.slice(0, 200)}`, status: sent.status }
    }
    if (parsed.ok) return { kind: "ok", value: parsed.value }
    return { kind: "error", code: parsed.error.code, message: parsed.error.message, status: sent.status }
  }

  /** The headers every call carries (the desk's per-start API secret read afresh each time). */
  headers(body: string): Record<string, string> {
    return {
      host: `127.0.0.1:${this.opts.port}`,
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(body)),
      [DESK_SECRET_HEADER]: this.#secret(),
    }
  }

  #secret(): string {
    try {
      return readDeskApiSecret(this.opts.dataDir)
    } catch {
      return "" // not written yet: the desk is starting (and answers 403, or not at all)
    }
  }

  #post(
    path: string,
    body: string,
  ): Promise<{ kind: "answered"; status: number; text: string } | { kind: "unreachable" | "uncertain"; message: string }> {
    return new Promise(resolve => {
      let connected = false
      const req = request(
        { host: "127.0.0.1", port: this.opts.port, path, method: "POST", headers: this.headers(body), agent: false },
        res => {
          const chunks: Buffer[] = []
          res.on("data", (c: Buffer) => chunks.push(c))
          res.on("end", () => resolve({ kind: "answered", status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }))
          res.on("error", e => resolve({ kind: "uncertain", message: `answer cut off: ${e.message}` }))
        },
      )
      req.on("socket", s => s.once("connect", () => (connected = true)))
      req.setTimeout(this.opts.timeoutMs ?? 60_000, () => req.destroy(new Error(`no answer in ${this.opts.timeoutMs ?? 60_000} ms`)))
      req.on("error", (e: NodeJS.ErrnoException) => {
        const refused = !connected && (e.code === "ECONNREFUSED" || e.code === "ECONNRESET")
        resolve({ kind: refused ? "unreachable" : "uncertain", message: `${e.code ?? ""} ${e.message}`.trim() })
      })
      req.end(body)
    })
  }
}
