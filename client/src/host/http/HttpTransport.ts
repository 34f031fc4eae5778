import type { IncomingMessage, ServerResponse } from "node:http"
import type { HostEvent } from "../../setup/setupApi.js"
import type { ApiTarget } from "../dispatch.js"
import { newDeskApiSecret, removeDeskApiSecret, writeDeskApiSecret } from "./deskApiSecret.js"
import { API_PREFIX, DESK_SECRET_HEADER, EVENTS_PATH, EVENTS_SECRET_PARAM } from "./protocol.js"
import { readBody } from "./readBody.js"
import { contentTypeRefusal, originRefusal, secretRefusal } from "./requestGuard.js"
import { header, refuse, refuseTooLarge, sendJson } from "./respond.js"

export interface HttpTransportOptions {
  /** where `desk-api.secret` is written for local tools (the desk's data directory); none: not written */
  secretDir?: string
}

/**
 * The desk API over HTTP, the server's side: POST /api/<command> answering ApiResponse, and the
 * target's events as Server-Sent Events on /api/events. Only the desk's own page (or a local tool
 * with the secret) gets through, before enrolment as after (requestGuard.ts): Origin, method,
 * content type (JSON only), the per-start secret, body size, in that order, and nothing is
 * dispatched (so nothing is written) before all of them pass. The Host is checked by the server
 * that routes here (DeskWebServer), on every request: the page carries the secret too.
 */
export class HttpTransport {
  /** created at each start; in the page, in `<secretDir>/desk-api.secret`, and required on every API call */
  readonly secret = newDeskApiSecret()
  private readonly clients = new Set<ServerResponse>()
  private unsubscribe: (() => void) | null = null
  private heartbeat: NodeJS.Timeout | null = null

  private constructor(
    private readonly target: ApiTarget,
    private readonly options: HttpTransportOptions,
  ) {}

  /** Writes the secret for local tools and starts forwarding the target's events. */
  static async start(target: ApiTarget, options: HttpTransportOptions = {}): Promise<HttpTransport> {
    const transport = new HttpTransport(target, options)
    if (options.secretDir) await writeDeskApiSecret(options.secretDir, transport.secret)
    transport.unsubscribe = target.onEvent(e => transport.broadcast(e))
    transport.heartbeat = setInterval(() => {
      for (const c of transport.clients) c.write(": ping\n\n")
    }, 15_000)
    transport.heartbeat.unref()
    return transport
  }

  /** The paths this transport answers (the rest is the server's: the page, its assets). */
  serves(pathname: string): boolean {
    return pathname.startsWith(API_PREFIX)
  }

  /** One request to a path it `serves`. May throw (a malformed path): the server answers 500. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const foreign = originRefusal(req.headers)
    if (foreign) return refuse(res, foreign)
    if (url.pathname === EVENTS_PATH) return this.events(req, res, url)
    return this.call(req, res, decodeURIComponent(url.pathname.slice(API_PREFIX.length)))
  }

  /** Ends the event streams, stops forwarding events and removes the secret file (if it still holds this start's). */
  async close(): Promise<void> {
    this.unsubscribe?.()
    if (this.heartbeat) clearInterval(this.heartbeat)
    for (const c of this.clients) c.end()
    this.clients.clear()
    if (this.options.secretDir) await removeDeskApiSecret(this.options.secretDir, this.secret).catch(() => undefined)
  }

  private broadcast(event: HostEvent): void {
    const frame = `data: ${JSON.stringify(event)}\n\n`
    for (const c of this.clients) c.write(frame)
  }

  private async call(req: IncomingMessage, res: ServerResponse, command: string): Promise<void> {
    if (req.method !== "POST") {
      res.setHeader("allow", "POST")
      return refuse(res, { status: 405, code: "bad_request", message: "use POST" })
    }
    const refusal = contentTypeRefusal(req.headers) ?? secretRefusal(header(req, DESK_SECRET_HEADER), this.secret)
    if (refusal) return refuse(res, refusal)
    const body = await readBody(req)
    if (!body.ok) return refuseTooLarge(res, body.drained)
    let args: unknown
    try {
      args = body.text.trim() === "" ? undefined : JSON.parse(body.text)
    } catch (e) {
      return refuse(res, { status: 400, code: "bad_request", message: `bad JSON body: ${String(e)}` })
    }
    const response = await this.target.dispatch(command, args)
    const code = response.ok ? undefined : response.error.code
    const status = code === "bad_request" ? 400 : code === "internal" ? 500 : code === "unavailable" ? 503 : 200
    sendJson(res, status, response)
  }

  private async events(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== "GET") {
      res.setHeader("allow", "GET")
      return refuse(res, { status: 405, code: "bad_request", message: "use GET" })
    }
    // EventSource sends no custom headers: the page passes the secret in the query
    const presented = header(req, DESK_SECRET_HEADER) ?? url.searchParams.get(EVENTS_SECRET_PARAM) ?? undefined
    const refusal = secretRefusal(presented, this.secret)
    if (refusal) return refuse(res, refusal)
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
    })
    this.clients.add(res)
    req.on("close", () => this.clients.delete(res))
    for (const event of await this.target.initialEvents()) res.write(`data: ${JSON.stringify(event)}\n\n`)
  }
}
