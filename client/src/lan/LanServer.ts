import type { IncomingMessage } from "node:http"
import * as https from "node:https"
import type { AddressInfo } from "node:net"
import type { TLSSocket } from "node:tls"
import { HardenedWebSocketServerAdapter, type PeerIdentity } from "@vetsync/shared/net"
import { WebSocketServer } from "ws"
import type { LanSnapshotProvider } from "./DeskSnapshot.js"
import { serveSnapshot } from "./serveSnapshot.js"
import { keepsConnection, tlsMaterial, verifiedPeerDesk, type LanIdentity } from "./lanTls.js"

export interface LanServerOptions {
  /** the address to listen on (default 0.0.0.0: the clinic's LAN) */
  host?: string
  port: number
  /** ping every peer socket this often, dropping those that did not answer the last ping; default 30 s */
  keepAliveMs?: number
  log?: (line: string) => void
}

/** The largest message a LAN peer may send (as the relay's default): larger ones close the socket (1009). */
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024

/**
 * The desk's listening end of LAN sync (issue 15): a TLS WebSocket server that requires a client
 * certificate issued by the clinic's CA (mutual TLS, that CA the only trust anchor), checks the
 * peer's clinic and desk again, and hands the accepted sockets to the relay's hardened adapter
 * (`@vetsync/shared/net`) as that desk: a peer must join with a peer id of the desk its
 * certificate names (`desk:<deskId>:<run>`) and send only as that peer, a bad frame closes its
 * socket, document messages are rate-limited. A peer without a certificate, or of another
 * clinic, fails the TLS handshake or the upgrade and gets nothing.
 */
export class LanServer {
  readonly adapter: HardenedWebSocketServerAdapter
  readonly #https: https.Server
  readonly #wss: WebSocketServer
  /** the identity each upgrade request was verified as, until its socket is handed over */
  readonly #verified = new WeakMap<IncomingMessage, PeerIdentity>()
  /** desks of the clinic the registry revoked, as this desk last heard (the clinic profile) */
  #revoked: ReadonlySet<string> = new Set()
  /** what this desk serves a new peer to bootstrap from (set once its core is open) */
  #snapshots: LanSnapshotProvider | undefined
  #closed = false

  private constructor(id: LanIdentity, opts: LanServerOptions) {
    const log = opts.log ?? (() => undefined)
    this.adapter = new HardenedWebSocketServerAdapter({
      ...(opts.keepAliveMs !== undefined ? { keepAliveMs: opts.keepAliveMs } : {}),
      log: line => log(`LAN: ${line}`),
    })
    this.#https = https.createServer({ ...tlsMaterial(id), requestCert: true, rejectUnauthorized: true, minVersion: "TLSv1.3" })
    this.#https.on("tlsClientError", e => log(`LAN peer refused at TLS: ${e.message}`))
    // a new desk's bootstrap (issue 15): GET /clinics/<clinic>/snapshot | documents, same checks as a socket's
    this.#https.on("request", (req, res) =>
      serveSnapshot(req, res, { id, revoked: () => this.#revoked, provider: () => this.#snapshots, log }),
    )
    this.#wss = new WebSocketServer({
      server: this.#https,
      maxPayload: MAX_MESSAGE_BYTES,
      verifyClient: (info, done) => {
        verifiedPeerDesk(info.req.socket as TLSSocket, id).then(
          desk => {
            if (desk === undefined) log("LAN peer refused: its certificate is not of this clinic")
            if (desk === undefined) return done(false, 403)
            if (this.#revoked.has(desk)) log(`LAN peer refused: desk ${desk} is revoked`)
            if (this.#revoked.has(desk)) return done(false, 403)
            if (!keepsConnection(desk, id.deskId)) return done(false, 409)
            // until the desk's Repo has started the adapter it has no peer id to answer a join with
            if (!this.adapter.isReady()) return done(false, 503)
            this.#verified.set(info.req, { role: "desk", clinicId: id.clinicId, deskId: desk })
            done(true)
          },
          (e: unknown) => {
            log(`LAN peer check failed: ${(e as Error).message}`)
            done(false, 500)
          },
        )
      },
    })
    this.#wss.on("connection", (socket, req) => {
      const identity = this.#verified.get(req)
      this.#verified.delete(req)
      if (identity === undefined) return socket.terminate()
      this.adapter.accept(socket, identity)
    })
  }

  /** Refuses these desks from now on, and closes their open connections (the revoked list changed). */
  setRevoked(revoked: ReadonlySet<string>): void {
    this.#revoked = revoked
    this.adapter.disconnectWhere(peer => revoked.has(peer.deskId), "this desk is revoked")
  }

  /** Serves this desk's clinic snapshot and bundle to the clinic's desks that ask (a new desk bootstrapping). */
  serveSnapshots(provider: LanSnapshotProvider): void {
    this.#snapshots = provider
  }

  static async start(id: LanIdentity, opts: LanServerOptions): Promise<LanServer> {
    const server = new LanServer(id, opts)
    await new Promise<void>((resolve, reject) => {
      server.#https.once("error", reject)
      server.#https.listen(opts.port, opts.host ?? "0.0.0.0", () => {
        server.#https.off("error", reject)
        resolve()
      })
    })
    return server
  }

  get port(): number {
    return (this.#https.address() as AddressInfo).port
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.adapter.disconnect()
    for (const ws of this.#wss.clients) ws.terminate()
    this.#wss.close()
    this.#https.closeAllConnections()
    await new Promise<void>(resolve => this.#https.close(() => resolve()))
  }
}
