import { createReadStream } from "node:fs"
import { stat } from "node:fs/promises"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { extname, join, normalize, resolve, sep } from "node:path"
import { fileURLToPath } from "node:url"
import type { DeskEvent } from "../core/api.js"
import { dispatchCall, type DeskCoreLike } from "./dispatch.js"

export interface DeskWebServerOptions {
  core: DeskCoreLike
  /** 0 picks a free port */
  port?: number
  host?: string
  /** the built UI (vite build output); defaults to client/dist/ui */
  uiDir?: string
}

const MAX_BODY = 2 * 1024 * 1024
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

export const defaultUiDir = (): string => fileURLToPath(new URL("../../dist/ui", import.meta.url))

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((ok, fail) => {
    let size = 0
    const chunks: Buffer[] = []
    req.on("data", (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY) {
        fail(new Error("request body too large"))
        req.destroy()
      } else chunks.push(c)
    })
    req.on("end", () => ok(Buffer.concat(chunks).toString("utf8")))
    req.on("error", fail)
  })

const sendJson = (res: ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body)
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" })
  res.end(text)
}

/**
 * What `vetsync desk` serves: the built UI, the desk API as POST /api/<command> answering ApiResponse,
 * and the desk's events as Server-Sent Events on /api/events. Binds 127.0.0.1 unless told otherwise.
 */
export class DeskWebServer {
  private readonly clients = new Set<ServerResponse>()
  private unsubscribe: (() => void) | null = null
  private heartbeat: NodeJS.Timeout | null = null

  private constructor(
    private readonly server: Server,
    private readonly core: DeskCoreLike,
    private readonly uiDir: string,
  ) {}

  static async start(options: DeskWebServerOptions): Promise<DeskWebServer> {
    const server = createServer()
    const web = new DeskWebServer(server, options.core, resolve(options.uiDir ?? defaultUiDir()))
    server.on("request", (req, res) => void web.handle(req, res))
    web.unsubscribe = options.core.onEvent(e => web.broadcast(e))
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
  }

  private broadcast(event: DeskEvent): void {
    const frame = `data: ${JSON.stringify(event)}\n\n`
    for (const c of this.clients) c.write(frame)
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://desk")
    if (!this.hostAllowed(req.headers.host)) return sendJson(res, 421, { ok: false, error: { code: "bad_request", message: "unexpected Host" } })
    try {
      if (url.pathname === "/api/events") return await this.events(req, res)
      if (url.pathname.startsWith("/api/")) return await this.api(req, res, decodeURIComponent(url.pathname.slice(5)))
      return await this.file(res, url.pathname)
    } catch (e) {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: { code: "internal", message: String(e) } })
      else res.end()
    }
  }

  /** on loopback, only loopback Host headers (a page elsewhere must not reach the desk by DNS rebinding) */
  private hostAllowed(host: string | undefined): boolean {
    const bound = (this.server.address() as AddressInfo).address
    if (!["127.0.0.1", "::1", "localhost"].includes(bound)) return true
    const name = (host ?? "").replace(/:\d+$/, "").replace(/^\[|\]$/g, "")
    return ["127.0.0.1", "localhost", "::1"].includes(name)
  }

  private async api(req: IncomingMessage, res: ServerResponse, command: string): Promise<void> {
    if (req.method !== "POST") {
      res.setHeader("allow", "POST")
      return sendJson(res, 405, { ok: false, error: { code: "bad_request", message: "use POST" } })
    }
    let args: unknown
    try {
      const body = await readBody(req)
      args = body.trim() === "" ? undefined : JSON.parse(body)
    } catch (e) {
      return sendJson(res, 400, { ok: false, error: { code: "bad_request", message: `bad JSON body: ${String(e)}` } })
    }
    const response = await dispatchCall(this.core, command, args)
    const status = response.ok ? 200 : response.error.code === "bad_request" ? 400 : response.error.code === "internal" ? 500 : 200
    sendJson(res, status, response)
  }

  private async events(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
    })
    this.clients.add(res)
    req.on("close", () => this.clients.delete(res))
    const status = await dispatchCall(this.core, "status", undefined)
    if (status.ok) res.write(`data: ${JSON.stringify({ type: "status", status: status.value })}\n\n`)
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
