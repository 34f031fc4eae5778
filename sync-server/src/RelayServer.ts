import * as http from "node:http"
import * as https from "node:https"
import * as A from "@automerge/automerge"
import type { AddressInfo } from "node:net"
import * as path from "node:path"
import type { Duplex } from "node:stream"
import { Repo, type DocumentId, type PeerId } from "@automerge/automerge-repo"
import {
  ClosableStorageAdapter,
  ConsistentLoadStorage,
  GenesisFallbackStorage,
  SafeFsStorageAdapter,
  genesisBinary,
  genesisDoc,
} from "@vetsync/shared"
import { WebSocketServer } from "ws"
import type { Authenticator, Identity } from "./Authenticator.js"

import { DevAuthenticator } from "./DevAuthenticator.js"
import { DocOwnership } from "./DocOwnership.js"
import { DurableAcks } from "./DurableAcks.js"
import { HardenedWebSocketServerAdapter, type RateLimit } from "./HardenedWebSocketServerAdapter.js"
import { SnapshotBuilder } from "./SnapshotBuilder.js"
import { SnapshotFiles } from "./SnapshotFiles.js"
import { CLINIC_PATH, handleClinicRequest } from "./clinicRoute.js"
import { handleEnrol } from "./enrolRoute.js"
import { carriesOnly, type AutomergeChunk } from "./automergeChunks.js"
import { isServerOwned } from "./serverOwned.js"

export interface RelayServerOptions {
  /** default 127.0.0.1 */
  host?: string
  /** 0 (default) picks a free port */
  port?: number
  dataDir: string
  /** the relay's peer id is `relay:<name>`; default "main" */
  name?: string
  /** ping interval; a desk silent for two intervals is dropped. Default 30 s */
  keepAliveMs?: number
  /** largest accepted WebSocket message; default 64 MiB */
  maxMessageBytes?: number
  /** default: DevAuthenticator (trusts query/header identity); production: PgAuthenticator. The relay closes it on close(). */
  authenticator?: Authenticator
  /** serve https/wss with this certificate (PEM); default plain http/ws (behind a TLS proxy) */
  tls?: { key: string | Buffer; cert: string | Buffer }
  /** per-socket limit on document messages; see DEFAULT_RATE_LIMIT */
  rateLimit?: Partial<RateLimit>
  /** clinics whose fixed documents are registered at start */
  clinics?: string[]
  log?: (line: string) => void
}

/**
 * The sync relay: an HTTP(S) server with `GET /health`, `GET /clinics/:id/snapshot`,
 * `POST /enrol` and the automerge-repo WebSocket endpoint `/sync` (authenticated at
 * upgrade; revoked identities are cut off at once), in front of an
 * ephemeral-peer Repo that stores documents with SafeFsStorageAdapter. A desk is
 * announced and served only documents of its own clinic; a service sees every clinic.
 */
export class RelayServer {
  readonly repo: Repo
  readonly adapter: HardenedWebSocketServerAdapter
  readonly ownership: DocOwnership
  readonly storage: SafeFsStorageAdapter
  readonly #closable: ClosableStorageAdapter
  readonly peerId: PeerId
  /** sync messages of desks that carried changes to server-owned documents, dropped */
  droppedDeskChanges = 0
  readonly #http: http.Server | https.Server
  readonly #tls: boolean
  readonly #wss: WebSocketServer
  readonly #auth: Authenticator
  readonly #snapshots: SnapshotBuilder
  readonly #durable: DurableAcks
  readonly #log: (line: string) => void
  readonly #startedAt = Date.now()
  readonly #genesisHashes = new Map<string, string>()
  /** when each `role:id` was last revoked (performance.now()), to refuse upgrades authenticated just before */
  readonly #revokedAt = new Map<string, number>()
  #closed = false
  readonly #joinedAt = new Map<string, number>()
  readonly #changedAt = new Map<string, number>()
  #reannounce: ReturnType<typeof setTimeout> | undefined

  private constructor(opts: RelayServerOptions, ownership: DocOwnership) {
    this.#log = opts.log ?? (() => undefined)
    this.#auth = opts.authenticator ?? new DevAuthenticator()
    this.ownership = ownership
    for (const clinic of opts.clinics ?? []) ownership.registerClinic(clinic)
    this.storage = new SafeFsStorageAdapter(path.join(opts.dataDir, "docs"))
    this.storage.sweepTemporaryFiles()
    this.#closable = new ClosableStorageAdapter(this.storage)
    this.adapter = new HardenedWebSocketServerAdapter({
      keepAliveMs: opts.keepAliveMs ?? 30_000,
      log: this.#log,
      rateLimit: opts.rateLimit,
      inspect: (identity, frame) => {
        const docId = frame.message.documentId
        this.#auth.seen?.(identity)
        if (identity.role === "desk" && frame.heads.length > 0) ownership.claim(docId, identity.clinicId)
        if (identity.role === "desk" && frame.chunks.length > 0 && this.#writesServerOwned(docId, frame.chunks)) {
          // price list, rejections and profile are written by the bridge only: a desk's changes never reach them
          this.droppedDeskChanges++
          this.#log(`dropped changes of ${frame.message.senderId} to server-owned ${docId}`)
          this.adapter.tell(
            frame.message.senderId,
            `changes to ${docId} dropped: the price list, rejections and clinic profile are written by the bridge only`,
          )
          return false
        }
        const owner = ownership.ownerOf(docId)
        if (frame.type === "sync" && frame.chunks.length > 0) {
          // only frames that carry changes can make the snapshot stale (heads exchanges cannot)
          if (owner !== undefined) this.#snapshots.noteChanges(owner, docId)
          this.#changed(docId)
        }
        // the desk is told once what it announced is on the relay's disk
        if (identity.role === "desk" && frame.type === "sync" && this.#mayAccess(frame.message.senderId, docId))
          this.#durable.note(frame.message.senderId, docId, frame.heads)
        return true
      },
    })
    this.adapter.on("peer-candidate", ({ peerId }) => {
      this.#joinedAt.set(peerId, Date.now())
      this.#log(`peer joined: ${peerId}`)
    })
    this.adapter.on("peer-disconnected", ({ peerId }) => {
      this.#joinedAt.delete(peerId)
      this.#durable.forget(peerId)
      this.#log(`peer left: ${peerId}`)
    })
    this.peerId = `relay:${opts.name ?? "main"}` as PeerId
    // a layout document of a known clinic with nothing on disk loads as its genesis instead of
    // being requested from the desks (see GenesisFallbackStorage for the 2.5.6 race this avoids)
    const genesisOf = (id: string): Uint8Array | undefined => {
      const clinic = ownership.ownerOf(id)
      const key = ownership.layoutKeyOf(id)
      return clinic !== undefined && key !== undefined ? genesisBinary(clinic, key) : undefined
    }
    this.repo = new Repo({
      storage: new GenesisFallbackStorage(
        new ConsistentLoadStorage(this.#closable, id => this.storage.chunkNames(id)),
        genesisOf,
        id => this.storage.hasDocument(id),
      ),
      network: [this.adapter],
      peerId: this.peerId,
      isEphemeral: true,
      shareConfig: {
        // desks ask for the documents they follow (a new desk first takes the snapshot, then a
        // few documents at a time); pushing every document of the clinic at once flooded a
        // bootstrapping desk with sync work. A service (the bridge) is sent everything.
        // A service (the bridge) is sent everything. A desk asks, on connecting, for the documents
        // whose heads differ from its own (GET /clinics/:id/heads), and is sent a document that
        // changes while it is connected; pushing every document of the clinic at once flooded a
        // bootstrapping desk (each document a desk loads is materialized in memory).
        announce: async (peerId, docId) => {
          if (!this.#mayAccess(peerId, docId)) return false
          if (this.adapter.identityOf(peerId)?.role === "service") return true
          return docId !== undefined && (this.#changedAt.get(docId) ?? 0) >= (this.#joinedAt.get(peerId) ?? Infinity)
        },
        access: async (peerId, docId) => this.#mayAccess(peerId, docId),
      },
    })
    this.#durable = new DurableAcks({
      repo: this.repo,
      send: (peerId, documentId, heads) => this.adapter.sendControl(peerId, { type: "durable", documentId, heads }),
      log: this.#log,
    })
    this.#snapshots = new SnapshotBuilder(
      this.repo,
      ownership,
      this.storage,
      new SnapshotFiles(path.join(opts.dataDir, "snapshots")),
      this.#log,
    )
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxMessageBytes ?? 64 * 1024 * 1024 })
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => this.#request(req, res)
    this.#tls = opts.tls !== undefined
    this.#http = opts.tls
      ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, handler)
      : http.createServer(handler)
    this.#auth.onRevoked?.(who => {
      this.#revokedAt.set(`${who.role}:${who.id}`, performance.now())
      const n = this.adapter.disconnectWhere(
        i => i.role === who.role && i.deskId === who.id,
        `${who.role} ${who.id} was revoked`,
      )
      this.#log(`${who.role} ${who.id} revoked: ${n} connection(s) closed`)
    })
    // a desk applying a large snapshot may not reuse its pooled connection for a while; closing
    // idle sockets after Node's default 5 s made its next request fail with "other side closed"
    this.#http.keepAliveTimeout = 65_000
    this.#http.headersTimeout = 66_000
    this.#http.on("upgrade", (req, socket, head) => this.#upgrade(req, socket, head))
  }

  static async start(opts: RelayServerOptions): Promise<RelayServer> {
    const ownership = await DocOwnership.open(path.join(opts.dataDir, "ownership.json"))
    // a registry knows every clinic: each one's documents are its own before any desk connects
    const auth = opts.authenticator
    if (auth?.clinics) {
      ownership.strict = true
      for (const clinicId of await auth.clinics()) ownership.registerClinic(clinicId)
      auth.onClinic?.(clinicId => ownership.registerClinic(clinicId))
    }
    const relay = new RelayServer(opts, ownership)
    await relay.adapter.whenReady()
    await new Promise<void>((resolve, reject) => {
      relay.#http.once("error", reject)
      relay.#http.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => {
        relay.#http.off("error", reject)
        resolve()
      })
    })
    relay.#log(`relay ${relay.peerId} listening on ${relay.url}`)
    // build every known clinic's bootstrap snapshot now, so a new desk does not wait for it
    for (const clinic of relay.ownership.clinics)
      void relay.#snapshots
        .gzipped(clinic)
        .catch(e => relay.#log(`snapshot of ${clinic} failed: ${(e as Error).message}`))
    return relay
  }

  /** Resolves once the clinic's bootstrap snapshot is current (built, or kept on disk and unchanged). */
  snapshotCurrent(clinicId: string): Promise<void> {
    return this.#snapshots.whenCurrent(clinicId)
  }

  get port(): number {
    return (this.#http.address() as AddressInfo).port
  }

  get host(): string {
    return (this.#http.address() as AddressInfo).address
  }

  /** http(s)://host:port */
  get url(): string {
    return `${this.#tls ? "https" : "http"}://${this.host}:${this.port}`
  }

  /** ws(s)://host:port/sync */
  get syncUrl(): string {
    return `${this.#tls ? "wss" : "ws"}://${this.host}:${this.port}/sync`
  }

  health(): { ok: boolean; peers: number; documents: number; uptimeSec: number } {
    return {
      ok: !this.#closed,
      peers: this.adapter.peerIds.length,
      documents: this.ownership.size,
      uptimeSec: Math.round((Date.now() - this.#startedAt) / 1000),
    }
  }

  async close(): Promise<void> {
    clearTimeout(this.#reannounce)
    if (this.#closed) return
    this.#closed = true
    this.adapter.disconnect()
    this.#wss.close()
    this.#http.closeAllConnections()
    await new Promise<void>(resolve => this.#http.close(() => resolve()))
    const ready = Object.values(this.repo.handles)
      .filter(h => h.isReady())
      .map(h => h.documentId)
    await this.#durable.close()
    await this.repo.flush(ready).catch(e => this.#log(`flush on close failed: ${(e as Error).message}`))
    await this.#snapshots.flush()
    await this.#closable.close()
    await this.ownership.close()
    await this.#auth.close?.()
  }

  /**
   * True when the changes touch a server-owned document (price list, rejections, profile) beyond its
   * genesis change, which every desk creates identically and may upload.
   */
  #writesServerOwned(docId: string, chunks: AutomergeChunk[]): boolean {
    const key = this.ownership.layoutKeyOf(docId)
    const owner = this.ownership.ownerOf(docId)
    if (key === undefined || owner === undefined || !isServerOwned(key)) return false
    let genesis = this.#genesisHashes.get(docId)
    if (genesis === undefined) {
      genesis = A.getHeads(genesisDoc(owner, key))[0] ?? ""
      this.#genesisHashes.set(docId, genesis)
    }
    return !carriesOnly(chunks, genesis)
  }

  /** A document changed: desks connected since before the change are now sent it. */
  #changed(docId: string): void {
    this.#changedAt.set(docId, Date.now())
    if (this.#reannounce || this.#closed) return
    this.#reannounce = setTimeout(() => {
      this.#reannounce = undefined
      if (!this.#closed) this.repo.shareConfigChanged()
    }, 30)
  }

  #mayAccess(peerId: PeerId, docId: DocumentId | undefined): boolean {
    const identity = this.adapter.identityOf(peerId)
    if (!identity) return false
    if (identity.role === "service") return true
    if (docId === undefined) return true
    return this.ownership.ownerOf(docId) === identity.clinicId
  }

  #request(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://relay.invalid")
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body))
    }
    if (req.method === "GET" && url.pathname === "/health") return reply(200, this.health())
    if (req.method === "POST" && url.pathname === "/enrol") {
      handleEnrol(req, res, this.#auth, this.#log).catch(e => {
        this.#log(`enrolment failed: ${(e as Error).message}`)
        if (!res.headersSent) reply(500, { error: "enrolment failed" })
      })
      return
    }
    const m = CLINIC_PATH.exec(url.pathname)
    if (req.method === "GET" && m)
      return handleClinicRequest(req, res, m, {
        authenticate: r => this.#authenticate(r),
        registerClinic: id => this.ownership.registerClinic(id),
        snapshots: this.#snapshots,
        log: this.#log,
      })
    reply(404, { error: "not found" })
  }

  #upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on("error", e => this.#log(`upgrade socket error: ${e.message}`))
    const refuse = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
    }
    const url = new URL(req.url ?? "/", "http://relay.invalid")
    if (url.pathname !== "/sync" || this.#closed) return refuse(404, "Not Found")
    const started = performance.now()
    this.#authenticate(req)
      .then(identity => {
        if (!identity) return refuse(401, "Unauthorized")
        // revoked while its credential was being checked
        if ((this.#revokedAt.get(`${identity.role}:${identity.deskId}`) ?? -1) >= started)
          return refuse(401, "Unauthorized")
        if (identity.role === "desk") this.ownership.registerClinic(identity.clinicId)
        this.#wss.handleUpgrade(req, socket, head, ws => this.adapter.accept(ws, identity))
      })
      .catch(e => {
        this.#log(`authentication failed: ${(e as Error).message}`)
        refuse(500, "Internal Server Error")
      })
  }

  async #authenticate(req: http.IncomingMessage): Promise<Identity | null> {
    return this.#auth.authenticate(req)
  }
}
