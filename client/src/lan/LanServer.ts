import * as https from "node:https"
import type { AddressInfo } from "node:net"
import type { TLSSocket } from "node:tls"
import { WebSocketServerAdapter } from "@automerge/automerge-repo-network-websocket"
import { WebSocketServer } from "ws"
import { keepsConnection, tlsMaterial, verifiedPeerDesk, type LanIdentity } from "./lanTls.js"

export interface LanServerOptions {
  /** the address to listen on (default 0.0.0.0: the clinic's LAN) */
  host?: string
  port: number
  log?: (line: string) => void
}

/**
 * The desk's listening end of LAN sync (issue 15): a TLS WebSocket server that requires a client
 * certificate issued by the clinic's CA (mutual TLS, that CA the only trust anchor), checks the
 * peer's clinic and desk again, and feeds the accepted sockets to automerge-repo through the
 * WebSocket server adapter. A peer without a certificate, or of another clinic, fails the TLS
 * handshake or the upgrade and gets nothing.
 */
export class LanServer {
  readonly adapter: WebSocketServerAdapter
  readonly #https: https.Server
  readonly #wss: WebSocketServer
  #closed = false

  private constructor(id: LanIdentity, opts: LanServerOptions) {
    const log = opts.log ?? (() => undefined)
    this.#https = https.createServer({ ...tlsMaterial(id), requestCert: true, rejectUnauthorized: true, minVersion: "TLSv1.3" })
    this.#https.on("tlsClientError", e => log(`LAN peer refused at TLS: ${e.message}`))
    this.#wss = new WebSocketServer({
      server: this.#https,
      maxPayload: 64 * 1024 * 1024,
      verifyClient: (info, done) => {
        verifiedPeerDesk(info.req.socket as TLSSocket, id).then(
          desk => {
            if (desk === undefined) log("LAN peer refused: its certificate is not of this clinic")
            if (desk === undefined) return done(false, 403)
            if (!keepsConnection(desk, id.deskId)) return done(false, 409)
            done(true)
          },
          (e: unknown) => {
            log(`LAN peer check failed: ${(e as Error).message}`)
            done(false, 500)
          },
        )
      },
    })
    // the adapter's types name ws through isomorphic-ws (CommonJS), the same class at run time
    this.adapter = new WebSocketServerAdapter(this.#wss as unknown as ConstructorParameters<typeof WebSocketServerAdapter>[0])
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
    for (const ws of this.#wss.clients) ws.terminate()
    this.#wss.close()
    this.#https.closeAllConnections()
    await new Promise<void>(resolve => this.#https.close(() => resolve()))
  }
}
