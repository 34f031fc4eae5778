import { NetworkAdapter, type Message, type PeerId, type PeerMetadata } from "@automerge/automerge-repo"
import { WebSocket, type RawData } from "ws"
import type { PeerIdentity as Identity } from "./peerIdentity.js"
import { encodeFrame, parseClientFrame, PROTOCOL_V1, type DocFrame } from "./clientFrames.js"
import { peerIdMatchesIdentity } from "./peerIds.js"
import { refusalKind } from "./refusalKind.js"
import { DEFAULT_RATE_LIMIT, type RateLimit } from "./rateLimit.js"
import { TokenBucket } from "./TokenBucket.js"
import type { LineLog, LogFields } from "../log/logger.js"

export interface HardenedAdapterOptions {
  /** ping every socket this often and drop those that did not answer the previous ping; default 30 s */
  keepAliveMs?: number
  /**
   * Called for every valid document message before the repo sees it; return false to
   * drop it. The relay uses it to record which clinic a document belongs to.
   */
  inspect?: (identity: Identity, frame: DocFrame) => boolean
  rateLimit?: Partial<RateLimit>
  log?: LineLog
}

interface Conn {
  socket: WebSocket
  identity: Identity
  peerId?: PeerId
  alive: boolean
  bucket: TokenBucket
  strikes: number
}

/**
 * The relay's network adapter (wire protocol of automerge-repo-network-websocket v1),
 * for sockets the relay has already authenticated. Unlike NodeWSServerAdapter 2.5.6:
 * a bad frame (undecodable CBOR, wrong shape, text) is answered with an error message and
 * that socket is closed, never crashing the process; a join must use a peer id of the
 * socket's identity and may not take over a peer id that is live on another socket; every
 * later message must carry the joined peer id as sender. Document messages are rate-limited
 * per socket (token bucket): excess ones are dropped and answered with an error, and a
 * socket that keeps exceeding the limit is closed.
 */
export class HardenedWebSocketServerAdapter extends NetworkAdapter {
  readonly keepAliveMs: number
  readonly #conns = new Set<Conn>()
  readonly #byPeer = new Map<PeerId, Conn>()
  readonly #inspect: (identity: Identity, frame: DocFrame) => boolean
  readonly #log: LineLog
  readonly #rate: RateLimit
  /** document messages dropped by the rate limit */
  rateLimited = 0
  /** refusals by kind of reason (refusalKind) */
  readonly refusals = new Map<string, number>()
  /** frames in and out of authenticated sockets, and their bytes */
  readonly traffic = { inMessages: 0, inBytes: 0, outMessages: 0, outBytes: 0 }
  /** when each identity's refusal with a reason was last logged: repeats within a minute are counted, not logged */
  readonly #refusalLogged = new Map<string, { at: number; repeats: number }>()
  #keepAlive: NodeJS.Timeout | undefined
  #connected!: () => void
  readonly #whenConnected = new Promise<void>(resolve => (this.#connected = resolve))

  constructor(options: HardenedAdapterOptions = {}) {
    super()
    this.keepAliveMs = options.keepAliveMs ?? 30_000
    this.#inspect = options.inspect ?? (() => true)
    this.#log = options.log ?? (() => undefined)
    this.#rate = { ...DEFAULT_RATE_LIMIT, ...options.rateLimit }
  }

  /** Ready once the repo has connected it (it then knows its own peer id). */
  isReady(): boolean {
    return this.peerId !== undefined
  }

  whenReady(): Promise<void> {
    return this.#whenConnected
  }

  connect(peerId: PeerId, peerMetadata?: PeerMetadata): void {
    this.peerId = peerId
    this.peerMetadata = peerMetadata ?? {}
    if (this.#keepAlive) clearInterval(this.#keepAlive)
    this.#keepAlive = setInterval(() => this.#ping(), this.keepAliveMs)
    this.#keepAlive.unref()
    this.#connected()
  }

  disconnect(): void {
    if (this.#keepAlive) clearInterval(this.#keepAlive)
    this.#keepAlive = undefined
    for (const conn of [...this.#conns]) {
      conn.socket.terminate()
      this.#drop(conn)
    }
  }

  /** The identity of a connected peer. */
  identityOf(peerId: PeerId): Identity | undefined {
    return this.#byPeer.get(peerId)?.identity
  }

  /** Peers that have joined and are connected. */
  get peerIds(): PeerId[] {
    return [...this.#byPeer.keys()]
  }

  /** Takes over an authenticated socket. */
  accept(socket: WebSocket, identity: Identity): void {
    const conn: Conn = {
      socket,
      identity,
      alive: true,
      bucket: new TokenBucket(this.#rate.burst, this.#rate.perSecond),
      strikes: 0,
    }
    this.#conns.add(conn)
    socket.on("message", (data: RawData, isBinary: boolean) => {
      // frames already received on a socket we refused (it is closing) are ignored: they
      // must not re-register its peer id nor reach the repo
      if (!this.#conns.has(conn)) return
      conn.alive = true
      try {
        this.#receive(conn, data, isBinary)
      } catch (e) {
        this.#refuse(conn, `internal error: ${(e as Error).message}`)
      }
    })
    socket.on("pong", () => (conn.alive = true))
    socket.on("close", (code: number) => {
      if (conn.peerId !== undefined && this.#byPeer.get(conn.peerId) === conn)
        this.#log(`socket of ${conn.peerId} closed (${code})`, fieldsOf(conn.identity, conn.peerId))
      this.#drop(conn)
    })
    socket.on("error", e => {
      this.#log(`socket error from ${conn.peerId ?? identityLabel(identity)}: ${e.message}`)
      this.#drop(conn)
      socket.terminate()
    })
  }

  /**
   * Closes every connection whose identity matches (a revoked desk), after telling it why.
   * Returns how many were closed. The close code is 1008 (a refusal: the peer backs off long),
   * or 1012 when the peer should come back at once, through the shared address (its clinic moved
   * to another relay).
   */
  disconnectWhere(match: (identity: Identity) => boolean, reason: string, code: 1008 | 1012 = 1008): number {
    let n = 0
    for (const conn of [...this.#conns])
      if (match(conn.identity)) {
        n++
        this.#refuse(conn, reason, undefined, code)
      }
    return n
  }

  /** Sends a peer an error message without closing its socket (a change it sent was dropped). */
  tell(peerId: PeerId, reason: string): void {
    const conn = this.#byPeer.get(peerId)
    if (conn && conn.socket.readyState === WebSocket.OPEN)
      this.#write(conn, { type: "error", senderId: this.peerId, message: reason, targetId: peerId })
  }

  /** Sends a joined peer a frame of the relay's own (not an automerge-repo message), e.g. `durable`. */
  sendControl(peerId: PeerId, frame: { type: string } & Record<string, unknown>): void {
    const conn = this.#byPeer.get(peerId)
    if (conn && conn.socket.readyState === WebSocket.OPEN)
      this.#write(conn, { ...frame, senderId: this.peerId, targetId: peerId })
  }

  send(message: Message): void {
    const conn = this.#byPeer.get(message.targetId)
    if (!conn || conn.socket.readyState !== WebSocket.OPEN) {
      this.#log(`dropping ${message.type} for disconnected peer ${message.targetId}`)
      return
    }
    this.#write(conn, message)
  }

  #receive(conn: Conn, data: RawData, isBinary: boolean): void {
    if (!isBinary) return this.#refuse(conn, "text frames are not accepted")
    const bytes = toBytes(data)
    this.traffic.inMessages++
    this.traffic.inBytes += bytes.byteLength
    const parsed = parseClientFrame(bytes)
    if (!parsed.ok) return this.#refuse(conn, parsed.error)
    if (parsed.kind === "join") {
      const { senderId, peerMetadata, supportedProtocolVersions } = parsed.join
      if (conn.peerId !== undefined) {
        if (senderId !== conn.peerId) return this.#refuse(conn, "a socket cannot change its peer id")
      } else {
        if (!peerIdMatchesIdentity(senderId, conn.identity))
          return this.#refuse(conn, `peer id ${senderId} does not belong to ${identityLabel(conn.identity)}`, senderId)
        const existing = this.#byPeer.get(senderId)
        if (existing && existing !== conn) {
          if (existing.socket.readyState === WebSocket.OPEN)
            return this.#refuse(conn, `peer id ${senderId} is already connected`, senderId)
          this.#drop(existing)
        }
      }
      if (supportedProtocolVersions !== undefined && !supportedProtocolVersions.includes(PROTOCOL_V1))
        return this.#refuse(conn, "unsupported protocol version", senderId)
      const first = conn.peerId === undefined
      conn.peerId = senderId
      this.#byPeer.set(senderId, conn)
      this.#write(conn, {
        type: "peer",
        senderId: this.peerId,
        peerMetadata: this.peerMetadata ?? {},
        selectedProtocolVersion: PROTOCOL_V1,
        targetId: senderId,
      })
      if (first) this.emit("peer-candidate", { peerId: senderId, peerMetadata })
      return
    }
    if (conn.peerId === undefined) return this.#refuse(conn, "join first")
    if (parsed.kind === "ignored") return
    const { message } = parsed.doc
    if (message.senderId !== conn.peerId) return this.#refuse(conn, "senderId does not match the joined peer id")
    if (message.targetId !== this.peerId) return this.#refuse(conn, "message is not addressed to the relay")
    if (!conn.bucket.take()) {
      this.rateLimited++
      if (++conn.strikes >= this.#rate.maxStrikes) return this.#refuse(conn, "too many document messages")
      if (conn.strikes === 1) {
        this.#log(`rate limit: dropping document messages of ${conn.peerId}`, {
          level: "warn",
          ...fieldsOf(conn.identity, conn.peerId),
        })
        this.tell(conn.peerId, "rate limit exceeded: document messages dropped, slow down")
      }
      return
    }
    conn.strikes = 0
    if (!this.#inspect(conn.identity, parsed.doc)) return
    this.emit("message", message)
  }

  /** Answers a protocol violation with an error message and closes that socket. */
  #refuse(conn: Conn, reason: string, targetId?: string, code = 1008): void {
    const kind = refusalKind(reason)
    this.refusals.set(kind, (this.refusals.get(kind) ?? 0) + 1)
    const who = conn.peerId ?? targetId ?? identityLabel(conn.identity)
    const key = `${identityLabel(conn.identity)}\n${reason}`
    const last = this.#refusalLogged.get(key)
    const now = Date.now()
    if (last && now - last.at < 60_000) last.repeats++
    else {
      const repeats = last?.repeats ? ` (refused ${last.repeats} more time(s) for this since)` : ""
      this.#log(`refusing ${who}: ${reason}${repeats}`, {
        level: "warn",
        ...fieldsOf(conn.identity, conn.peerId ?? targetId),
      })
      this.#refusalLogged.set(key, { at: now, repeats: 0 })
      if (this.#refusalLogged.size > 10_000) this.#refusalLogged.clear()
    }
    if (conn.socket.readyState === WebSocket.OPEN) {
      this.#write(conn, {
        type: "error",
        senderId: this.peerId,
        message: reason,
        targetId: conn.peerId ?? targetId ?? "unknown",
      })
      try {
        // a close reason is at most 123 bytes: keep it short and ASCII
        conn.socket.close(code, reason.replace(/[^\x20-\x7e]/g, "?").slice(0, 120))
      } catch {
        conn.socket.terminate()
      }
    }
    this.#drop(conn)
  }

  #write(conn: Conn, message: object): void {
    let frame: Uint8Array
    try {
      frame = encodeFrame(message)
    } catch (e) {
      this.#log(`cannot encode message for ${conn.peerId}: ${(e as Error).message}`)
      return
    }
    this.traffic.outMessages++
    this.traffic.outBytes += frame.byteLength
    conn.socket.send(frame, err => {
      if (err) this.#log(`send to ${conn.peerId} failed: ${err.message}`)
    })
  }

  #drop(conn: Conn): void {
    if (!this.#conns.delete(conn)) return
    const { peerId } = conn
    if (peerId !== undefined && this.#byPeer.get(peerId) === conn) {
      this.#byPeer.delete(peerId)
      this.emit("peer-disconnected", { peerId })
    }
  }

  #ping(): void {
    for (const conn of [...this.#conns]) {
      if (!conn.alive) {
        this.#log(`no pong from ${conn.peerId ?? identityLabel(conn.identity)}, dropping`, {
          level: "warn",
          ...fieldsOf(conn.identity, conn.peerId),
        })
        conn.socket.terminate()
        this.#drop(conn)
        continue
      }
      conn.alive = false
      try {
        conn.socket.ping()
      } catch {
        // socket is closing; its close event drops it
      }
    }
  }
}

const identityLabel = (i: Identity): string => `${i.role} ${i.deskId}@${i.clinicId}`

const toBytes = (data: RawData): Uint8Array => {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data))
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
}

/** The log fields of a connection: its clinic (not a service's "*"), desk or service, and peer id. */
const fieldsOf = (identity: Identity, peer?: string): LogFields => ({
  ...(identity.clinicId === "*" ? {} : { clinic: identity.clinicId }),
  desk: identity.role === "desk" ? identity.deskId : `service:${identity.deskId}`,
  ...(peer ? { peer } : {}),
})
