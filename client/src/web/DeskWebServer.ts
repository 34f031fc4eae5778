import { createReadStream } from "node:fs"
import { readFile, stat } from "node:fs/promises"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { extname, join, normalize, resolve, sep } from "node:path"
import { fileURLToPath } from "node:url"
import type { HostEvent } from "../setup/setupApi.js"
import { DESK_SECRET_HEADER, newDeskApiSecret, removeDeskApiSecret, writeDeskApiSecret } from "./deskApiSecret.js"
import { coreTarget, type ApiTarget, type DeskCoreLike } from "./dispatch.js"
import { MAX_BODY, readBody } from "./readBody.js"
import { contentTypeRefusal, hostRefusal, originRefusal, secretRefusal, type Refusal } from "./requestGuard.js"

export type DeskWebServerOptions = (
  | {
      /** what the API serves: the desk process's DeskHost (desk API + setup API) */
      target: ApiTarget
    }
  | {
      /** a desk core alone (the desk API without setup) */
      core: DeskCoreLike
    }
) & {
  /** 0 picks a free port */
  port?: number
  host?: string
  /** the built UI (vite build output); defaults to client/dist/ui */
  uiDir?: string
  /** where `desk-api.secret` is written for local tools (the desk's data directory); none: not written */
  secretDir?: string
  /** Host names besides loopback names (and IP literals when bound beyond loopback) the desk answers to */
  allowedHosts?: readonly string[]
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".woff2": "font/woff2",
}

/** the page carries the secret: never cached, never framed, never readable by another origin */
const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "x-frame-options": "DENY",
  "content-security-policy": "frame-ancestors 'none'",
  "cross-origin-resource-policy": "same-origin",
  "referrer-policy": "no-referrer",
}

export const defaultUiDir = (): string => fileURLToPath(new URL("../../dist/ui", import.meta.url))

const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
    "cross-origin-resource-policy": "same-origin",
    ...headers,
  })
  res.end(text)
}

const refuse = (res: ServerResponse, r: Refusal, headers: Record<string, string> = {}): void =>
  sendJson(res, r.status, { ok: false, error: { code: r.code, message: r.message } }, headers)

/** one request header as a string (a repeated header is refused as absent) */
const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name]
  return typeof v === "string" ? v : undefined
}

/** `<meta name="vetsync-desk-secret">` in the page's head: how the desk's own UI gets the secret */
const withSecret = (html: string, secret: string): string => {
  const meta = `<meta name="vetsync-desk-secret" content="${secret}">`
  return /<head[^>]*>/i.test(html) ? html.replace(/<head[^>]*>/i, m => `${m}${meta}`) : `${meta}${html}`
}

/**
 * What `vetsync desk` serves: the built UI, the desk API and the setup API (client/src/setup) as
 * POST /api/<command> answering ApiResponse, and the desk's events as Server-Sent Events on
 * /api/events. Binds 127.0.0.1 unless told otherwise. Only the desk's own page (or a local tool
 * with the secret) can call either API, before enrolment as after: requestGuard.ts.
 */
export class DeskWebServer {
  private readonly clients = new Set<ServerResponse>()
  private unsubscribe: (() => void) | null = null
  private heartbeat: NodeJS.Timeout | null = null
  /** created at each start; in the page, in `<secretDir>/desk-api.secret`, and required on every API call */
  readonly secret = newDeskApiSecret()

  private constructor(
    private readonly server: Server,
    private readonly target: ApiTarget,
    private readonly uiDir: string,
    private readonly options: DeskWebServerOptions,
  ) {}

  static async start(options: DeskWebServerOptions): Promise<DeskWebServer> {
    const server = createServer()
    const target = "target" in options ? options.target : coreTarget(options.core)
    const web = new DeskWebServer(server, target, resolve(options.uiDir ?? defaultUiDir()), options)
    if (options.secretDir) await writeDeskApiSecret(options.secretDir, web.secret)
    server.on("request", (req, res) => void web.handle(req, res))
    // `Expect: 100-continue` with a body declared too large: answered before the body is sent
    server.on("checkContinue", (req: IncomingMessage, res: ServerResponse) => {
      if (Number(req.headers["content-length"]) > MAX_BODY) return web.tooLarge(res, false)
      res.writeContinue()
      void web.handle(req, res)
    })
    web.unsubscribe = target.onEvent(e => web.broadcast(e))
    web.heartbeat = setInterval(() => {
      for (const c of web.clients) c.write(": ping\n\n")
    }, 15_000)
    web.heartbeat.unref()
    await new Promise<void>((ok, fail) => {
      server.once("error", fail)
      server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => ok())
    })
    return web
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port
  }

  get url(): string {
    const { address, port } = this.server.address() as AddressInfo
    return `http://${address.includes(":") ? `[${address}]` : address}:${port}`
  }

  async close(): Promise<void> {
    this.unsubscribe?.()
    if (this.heartbeat) clearInterval(this.heartbeat)
    for (const c of this.clients) c.end()
    this.clients.clear()
    await new Promise<void>(ok => {
      this.server.close(() => ok())
      this.server.closeAllConnections()
    })
    if (this.options.secretDir) await removeDeskApiSecret(this.options.secretDir, this.secret).catch(() => undefined)
  }

  private broadcast(event: HostEvent): void {
    const frame = `data: ${JSON.stringify(event)}\n\n`
    for (const c of this.clients) c.write(frame)
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://desk")
    const bound = (this.server.address() as AddressInfo).address
    const badHost = hostRefusal(req.headers.host, bound, this.options.allowedHosts)
    if (badHost) return refuse(res, badHost)
    try {
      if (url.pathname.startsWith("/api/")) {
        const foreign = originRefusal(req.headers)
        if (foreign) return refuse(res, foreign)
        if (url.pathname === "/api/events") return await this.events(req, res, url)
        return await this.api(req, res, decodeURIComponent(url.pathname.slice(5)))
      }
      return await this.file(res, url.pathname)
    } catch (e) {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: { code: "internal", message: String(e) } })
      else res.end()
    }
  }

  private tooLarge(res: ServerResponse, drained: boolean): void {
    const message = `the request body is larger than ${MAX_BODY} bytes`
    // not drained: the client may still be sending, so the connection cannot be reused
    refuse(res, { status: 413, code: "bad_request", message }, drained ? {} : { connection: "close" })
  }

  private async api(req: IncomingMessage, res: ServerResponse, command: string): Promise<void> {
    if (req.method !== "POST") {
      res.setHeader("allow", "POST")
      return refuse(res, { status: 405, code: "bad_request", message: "use POST" })
    }
    const refusal = contentTypeRefusal(req.headers) ?? secretRefusal(header(req, DESK_SECRET_HEADER), this.secret)
    if (refusal) return refuse(res, refusal)
    const body = await readBody(req)
    if (!body.ok) return this.tooLarge(res, body.drained)
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
    const refusal = secretRefusal(header(req, DESK_SECRET_HEADER) ?? url.searchParams.get("secret") ?? undefined, this.secret)
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

  private async file(res: ServerResponse, pathname: string): Promise<void> {
    const rel = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, "")
    let path = join(this.uiDir, rel)
    if (path !== this.uiDir && !path.startsWith(this.uiDir + sep)) return sendJson(res, 403, { error: "forbidden" })
    let info = await stat(path).catch(() => null)
    if (!info || info.isDirectory()) {
      // the single page app: anything that is not a file is the app
      path = join(this.uiDir, "index.html")
      info = await stat(path).catch(() => null)
      if (!info) {
        res.writeHead(503, { "content-type": "text/plain; charset=utf-8" })
        return void res.end("The desk UI is not built: run `npm run build -w @vetsync/client`.\n")
      }
    }
    if (path === join(this.uiDir, "index.html")) {
      res.writeHead(200, PAGE_HEADERS)
      return void res.end(withSecret(await readFile(path, "utf8"), this.secret))
    }
    const type = TYPES[extname(path)] ?? "application/octet-stream"
    const immutable = path.includes(`${sep}assets${sep}`)
    res.writeHead(200, {
      "content-type": type,
      "content-length": info.size,
      "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    })
    createReadStream(path).pipe(res)
  }
}
