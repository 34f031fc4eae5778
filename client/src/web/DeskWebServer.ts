import { createReadStream } from "node:fs"
import { readFile, stat } from "node:fs/promises"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { extname, join, normalize, resolve, sep } from "node:path"
import { pipeline } from "node:stream"
import { fileURLToPath } from "node:url"
import { coreTarget, type ApiTarget, type DeskCoreLike } from "../host/dispatch.js"
import { HttpTransport } from "../host/http/HttpTransport.js"
import { DESK_SECRET_META } from "../host/http/protocol.js"
import { MAX_BODY } from "../host/http/readBody.js"
import { hostRefusal } from "../host/http/requestGuard.js"
import { refuse, refuseTooLarge, sendJson } from "../host/http/respond.js"

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

/** `<meta name="vetsync-desk-secret">` in the page's head: how the desk's own UI gets the secret */
const withSecret = (html: string, secret: string): string => {
  const meta = `<meta name="${DESK_SECRET_META}" content="${secret}">`
  return /<head[^>]*>/i.test(html) ? html.replace(/<head[^>]*>/i, m => `${m}${meta}`) : `${meta}${html}`
}

/**
 * What `vetsync desk` serves: the built UI, and the desk API and the setup API (client/src/setup)
 * through the HTTP transport (host/http/HttpTransport.ts: POST /api/<command>, events on
 * /api/events). Binds 127.0.0.1 unless told otherwise. Every request's Host is checked here first
 * (the page carries the API secret); only the desk's own page (or a local tool with the secret)
 * can call either API, before enrolment as after: host/http/requestGuard.ts.
 */
export class DeskWebServer {
  private constructor(
    private readonly server: Server,
    private readonly transport: HttpTransport,
    private readonly uiDir: string,
    private readonly options: DeskWebServerOptions,
  ) {}

  static async start(options: DeskWebServerOptions): Promise<DeskWebServer> {
    const server = createServer()
    const target = "target" in options ? options.target : coreTarget(options.core)
    const transport = await HttpTransport.start(target, options.secretDir ? { secretDir: options.secretDir } : {})
    const web = new DeskWebServer(server, transport, resolve(options.uiDir ?? defaultUiDir()), options)
    server.on("request", (req, res) => void web.handle(req, res))
    // `Expect: 100-continue` with a body declared too large: answered before the body is sent
    server.on("checkContinue", (req: IncomingMessage, res: ServerResponse) => {
      if (Number(req.headers["content-length"]) > MAX_BODY) return refuseTooLarge(res, false)
      res.writeContinue()
      void web.handle(req, res)
    })
    await new Promise<void>((ok, fail) => {
      server.once("error", fail)
      server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => ok())
    }).catch(async (e: unknown) => {
      await transport.close()
      throw e
    })
    return web
  }

  /** this start's desk API secret (the transport's): in the page, and in `<secretDir>/desk-api.secret` */
  get secret(): string {
    return this.transport.secret
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port
  }

  get url(): string {
    const { address, port } = this.server.address() as AddressInfo
    return `http://${address.includes(":") ? `[${address}]` : address}:${port}`
  }

  async close(): Promise<void> {
    await this.transport.close()
    await new Promise<void>(ok => {
      this.server.close(() => ok())
      this.server.closeAllConnections()
    })
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://desk")
    const bound = (this.server.address() as AddressInfo).address
    const badHost = hostRefusal(req.headers.host, bound, this.options.allowedHosts)
    if (badHost) return refuse(res, badHost)
    try {
      if (this.transport.serves(url.pathname)) return await this.transport.handle(req, res, url)
      return await this.file(res, url.pathname)
    } catch (e) {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: { code: "internal", message: String(e) } })
      else res.end()
    }
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
    // pipeline, not pipe: a file that vanished (a UI rebuilt meanwhile) cuts this response, not the desk
    pipeline(createReadStream(path), res, () => undefined)
  }
}
