import * as http from "node:http"
import * as https from "node:https"
import type { AddressInfo } from "node:net"
import type { Duplex } from "node:stream"
import type { DocumentId } from "@automerge/automerge-repo"
import { answerOperations, type OperationsEndpoints } from "@vetsync/shared/net"
import { WebSocketServer, type WebSocket } from "ws"
import type { Authenticator, Identity } from "./Authenticator.js"
import type { SnapshotBuilder } from "./SnapshotBuilder.js"
import { CLINIC_PATH, CLINIC_POSTS, handleClinicRequest, type ClinicRouteDeps } from "./clinicRoute.js"
import { handleEnrol, handleLanCertificate } from "./enrolRoute.js"
import { handleAdminRequest, type AdminDeps } from "./admin/adminRoute.js"
import { scopeService, servesOneClinic } from "./serviceScope.js"
import type { LineLog } from "@vetsync/shared/log"

/** `/health`, `/ready` and `/metrics` (OperationsEndpoints) are answered as the bridge answers them. */
export interface RelayGateOptions extends OperationsEndpoints {
  auth: Authenticator
  /** serve https/wss with this certificate (PEM); default plain http/ws */
  tls?: { key: string | Buffer; cert: string | Buffer }
  /** largest accepted WebSocket message */
  maxMessageBytes: number
  snapshots: SnapshotBuilder
  images?: ClinicRouteDeps["images"]
  /** makes a clinic known to the relay (a desk of it authenticated) */
  registerClinic: (clinicId: string) => void
  /** a document's fresh synchronizer, at a desk's request */
  resync: (docId: DocumentId) => void
  report: ClinicRouteDeps["report"]
  /**
   * whether an authenticated identity is served here (undefined), or the sync address of the
   * relay that holds its clinic's lease (the upgrade is answered 307 with it as Location)
   */
  admit?: (identity: Identity) => Promise<string | undefined>
  /** an authenticated socket, handed to the sync adapter */
  accept: (ws: WebSocket, identity: Identity) => void
  /** closes the open sockets of a revoked identity; answers how many */
  cutOff: (who: { role: string; id: string }) => number
  /** the read-only admin page (`/admin`, `/admin.json`); absent: those answer 404 */
  admin?: AdminDeps
  log: LineLog
}

/**
 * The relay's front door: the HTTP(S) server with `GET /health` (alive), `GET /ready`,
 * `GET /metrics` (Prometheus; loopback or a bearer token), `POST /enrol`,
 * `GET /clinics/:id/snapshot|documents|heads`, `POST /clinics/:id/resync|report`, the admin page
 * (`/admin`, `/admin.json`, `/admin/login|logout`), and the upgrade to the `/sync` WebSocket,
 * authenticated before the handshake. A revoked identity's sockets are closed at once, and an
 * upgrade authenticated just before its revocation is refused.
 */
export class RelayGate {
  readonly #o: RelayGateOptions
  readonly #http: http.Server | https.Server
  readonly #wss: WebSocketServer
  /** when each `role:id` was last revoked (performance.now()) */
  readonly #revokedAt = new Map<string, number>()
  #closed = false

  constructor(o: RelayGateOptions) {
    this.#o = o
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: o.maxMessageBytes })
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => this.#request(req, res)
    this.#http = o.tls ? https.createServer({ key: o.tls.key, cert: o.tls.cert }, handler) : http.createServer(handler)
    o.auth.onRevoked?.(who => {
      this.#revokedAt.set(`${who.role}:${who.id}`, performance.now())
      const n = o.cutOff(who)
      o.log(`${who.role} ${who.id} revoked: ${n} connection(s) closed`)
    })
    // a desk applying a large snapshot may not reuse its pooled connection for a while; closing
    // idle sockets after Node's default 5 s made its next request fail with "other side closed"
    this.#http.keepAliveTimeout = 65_000
    this.#http.headersTimeout = 66_000
    this.#http.on("upgrade", (req, socket, head) => this.#upgrade(req, socket, head))
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#http.once("error", reject)
      this.#http.listen(port, host, () => {
        this.#http.off("error", reject)
        resolve()
      })
    })
  }

  get port(): number {
    return (this.#http.address() as AddressInfo).port
  }

  get host(): string {
    return (this.#http.address() as AddressInfo).address
  }

  /** http(s)://host:port */
  get url(): string {
    return `${this.#o.tls ? "https" : "http"}://${this.host}:${this.port}`
  }

  /** ws(s)://host:port/sync */
  get syncUrl(): string {
    return `${this.#o.tls ? "wss" : "ws"}://${this.host}:${this.port}/sync`
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#wss.close()
    this.#http.closeAllConnections()
    await new Promise<void>(resolve => this.#http.close(() => resolve()))
  }

  #request(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://relay.invalid")
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body))
    }
    if (answerOperations(req, res, this.#o)) return
    if (handleAdminRequest(req, res, url.pathname, this.#o.admin)) return
    if (req.method === "POST" && url.pathname === "/enrol") {
      handleEnrol(req, res, this.#o.auth, this.#o.log).catch(e => {
        this.#o.log(`enrolment failed: ${(e as Error).message}`)
        if (!res.headersSent) reply(500, { error: "enrolment failed" })
      })
      return
    }
    if (req.method === "POST" && url.pathname === "/lan-certificate") {
      handleLanCertificate(req, res, this.#o.auth, this.#o.log).catch(e => {
        this.#o.log(`LAN certificate failed: ${(e as Error).message}`)
        if (!res.headersSent) reply(500, { error: "LAN certificate failed" })
      })
      return
    }
    const m = CLINIC_PATH.exec(url.pathname)
    if (m && req.method === (CLINIC_POSTS.includes(m[2] ?? "") ? "POST" : "GET"))
      return handleClinicRequest(req, res, m, {
        authenticate: r => this.#authenticate(r),
        registerClinic: this.#o.registerClinic,
        snapshots: this.#o.snapshots,
        images: this.#o.images,
        resync: this.#o.resync,
        report: this.#o.report,
        admit: this.#o.admit,
        log: this.#o.log,
      })
    reply(404, { error: "not found" })
  }

  /** Who the request comes from; a service naming a clinic is served for that clinic only (scopeService). */
  async #authenticate(req: http.IncomingMessage): Promise<Identity | null> {
    const identity = await this.#o.auth.authenticate(req)
    return identity && scopeService(identity, req.url)
  }

  #upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on("error", e => this.#o.log(`upgrade socket error: ${e.message}`))
    const refuse = (status: number, text: string, headers = ""): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\n${headers}Connection: close\r\nContent-Length: 0\r\n\r\n`)
    }
    const url = new URL(req.url ?? "/", "http://relay.invalid")
    if (url.pathname !== "/sync" || this.#closed) return refuse(404, "Not Found")
    const started = performance.now()
    this.#authenticate(req)
      .then(async identity => {
        if (!identity) return refuse(401, "Unauthorized")
        // revoked while its credential was being checked
        if ((this.#revokedAt.get(`${identity.role}:${identity.deskId}`) ?? -1) >= started)
          return refuse(401, "Unauthorized")
        // a service's clinic is known from the registry, if there is one (it may name any clinic)
        if (identity.role === "desk" || (servesOneClinic(identity) && !this.#o.auth.clinics))
          this.#o.registerClinic(identity.clinicId)
        const elsewhere = await this.#o.admit?.(identity)
        if (elsewhere !== undefined) {
          this.#o.log(`${identity.role} ${identity.deskId} sent to ${elsewhere}: the relay holding its clinic's lease`, {
            clinic: identity.clinicId,
            desk: identity.deskId,
          })
          return refuse(307, "Temporary Redirect", `Location: ${elsewhere}\r\n`)
        }
        if (this.#closed || socket.destroyed) return refuse(503, "Service Unavailable")
        this.#wss.handleUpgrade(req, socket, head, ws => this.#o.accept(ws, identity))
      })
      .catch(e => {
        this.#o.log(`authentication or lease failed: ${(e as Error).message}`)
        refuse(500, "Internal Server Error")
      })
  }
}
