import {
  cbor,
  NetworkAdapter,
  type Message,
  type NetworkAdapterEvents,
  type PeerId,
  type PeerMetadata,
} from "@automerge/automerge-repo"
import type { PeerCertificate, SecureContextOptions } from "node:tls"
import { WebSocket, type RawData } from "ws"
import { Backoff, type BackoffOptions } from "./Backoff.js"
import { DEAD_RELAY_FAST_FOR_MS, DEAD_RELAY_RETRY, DESK_RECONNECT } from "./failoverTiming.js"
import { failureKind, type FailureKind } from "./failureKind.js"
import { ReconnectSchedule } from "./ReconnectSchedule.js"
import { decodeRelayFrame } from "./relayFrames.js"
import { followableRedirect, MAX_RELAY_HOPS } from "./relayRedirect.js"
import { Watchdog } from "./Watchdog.js"
import type {
  ConnectionEvent,
  ConnectionState,
  DurableEvent,
  ResilientAdapterEvents,
  RetryEvent,
} from "./connectionEvents.js"

export interface ResilientAdapterOptions {
  /** extra HTTP headers of the upgrade request (the desk's credential) */
  headers?: Record<string, string>
  backoff?: BackoffOptions
  /**
   * a connection with no traffic (the relay pings every 30 s) for this long is probed and,
   * without an answer within probeGraceMs, dropped and reconnected; default 75 s / 10 s
   */
  idleTimeoutMs?: number
  probeGraceMs?: number
  /** an opening handshake that takes longer fails and is retried; default 15 s */
  handshakeTimeoutMs?: number
  /** the adapter reports ready this long after connect() even without an answer; default 1 s */
  readyTimeoutMs?: number
  /** back-off after the relay refused this peer (told why, closed 1008/1009); default 60 s up to 15 min */
  refusedBackoff?: BackoffOptions
  /**
   * ceiling of the delay after a network failure (connection refused or reset, no route, DNS,
   * a connection lost without a close frame), with full jitter; default 2 s (ReconnectSchedule)
   */
  networkMaxMs?: number
  /**
   * back-off after the relay a redirect named (the holder of the clinic's lease) could not be
   * reached: it died, and the shared address will send here the relay that takes the lease over;
   * default DEAD_RELAY_RETRY (fast, with jitter) for DEAD_RELAY_FAST_FOR_MS, then `backoff`'s pace
   */
  deadRelayBackoff?: BackoffOptions
  /** a connection counts as healthy (the back-off resets) once it stayed open this long; default 10 s */
  healthyAfterMs?: number
  log?: (line: string) => void
  /**
   * TLS options of the socket (a LAN peer: the desk's certificate and key, the clinic CA as the
   * only trust anchor, a check of the peer's certificate instead of its host name)
   */
  tls?: Pick<SecureContextOptions, "cert" | "key" | "ca"> & {
    checkServerIdentity?: (host: string, cert: PeerCertificate) => Error | undefined
  }
  /**
   * Checks the peer id the other end joined with (a LAN peer: it must be of the desk its
   * certificate names); a reason refuses it: the socket is closed (1008) and retried after the
   * refused back-off. With it, a message whose sender is not the joined peer is dropped.
   */
  acceptPeer?: (peerId: PeerId) => string | undefined
}

const PROTOCOL_V1 = "1"

/**
 * A desk's connection to the relay, speaking the automerge-repo-network-websocket v1
 * protocol (join -> peer, CBOR frames). Unlike the 2.5.6 client adapter: no error ever
 * escapes an event handler (ENOTFOUND, ECONNRESET, 401 ... only close and retry), send()
 * on a socket that is not open drops the message (sync resumes after the next join),
 * reconnection backs off exponentially with jitter by what ended the attempt (ReconnectSchedule:
 * soon after a network failure, long after the relay turned the desk away, longer still after
 * it refused this peer) and resets once a connection stayed healthy, connectNow() skips the
 * wait, and `connection` / `retry` events report progress.
 * peer-disconnected is emitted whenever the socket to a joined relay closes.
 *
 * Several relays behind one address: a relay that does not serve the desk's clinic answers the
 * upgrade with 307 and the address of the one that does (its lease). The adapter follows it at
 * once, with the same credential, when it keeps the configured address's scheme (no wss -> ws),
 * at most MAX_RELAY_HOPS times in a row; once that relay's socket closes, it starts again from the
 * configured address: within a second (deadRelayBackoff) when that relay could not be reached at
 * all, since a dead holder's lease runs out soon and the shared address then sends it elsewhere.
 */
export class ResilientWebSocketClientAdapter extends NetworkAdapter {
  readonly url: string
  readonly #headers: Record<string, string>
  readonly #tls: ResilientAdapterOptions["tls"]
  readonly #acceptPeer: ResilientAdapterOptions["acceptPeer"]
  readonly #schedule: ReconnectSchedule
  readonly #deadRelayBackoff: Backoff
  /** since when the relays redirects named kept refusing (undefined: the last one did not) */
  #deadRelaySince: number | undefined
  readonly #healthyAfterMs: number
  #healthyTimer: NodeJS.Timeout | undefined
  /** what the relay said in its last `error` frame on the current socket */
  #relayError: string | undefined
  #refused: string | undefined
  #nextAttemptAt: number | undefined
  readonly #readyTimeoutMs: number
  readonly #handshakeTimeoutMs: number
  readonly #log: (line: string) => void
  readonly #watchdog: Watchdog
  #socket: WebSocket | undefined
  /** where the next socket goes: the configured url, or where a relay sent the desk */
  #target: string
  #hops = 0
  #follow = false
  #remotePeerId: PeerId | undefined
  #retryTimer: NodeJS.Timeout | undefined
  #readyTimer: NodeJS.Timeout | undefined
  #stopped = true
  #state: ConnectionState = "closed"
  #lastError: string | undefined
  #ready = false
  #resolveReady!: () => void
  readonly #readyPromise = new Promise<void>(resolve => (this.#resolveReady = resolve))

  constructor(url: string, options: ResilientAdapterOptions = {}) {
    super()
    this.url = url
    this.#target = url
    this.#headers = { ...options.headers }
    this.#tls = options.tls
    this.#acceptPeer = options.acceptPeer
    this.#schedule = new ReconnectSchedule({
      backoff: options.backoff ?? DESK_RECONNECT,
      ...(options.refusedBackoff ? { refusedBackoff: options.refusedBackoff } : {}),
      ...(options.networkMaxMs !== undefined ? { networkMaxMs: options.networkMaxMs } : {}),
    })
    this.#deadRelayBackoff = new Backoff(options.deadRelayBackoff ?? DEAD_RELAY_RETRY)
    this.#healthyAfterMs = options.healthyAfterMs ?? 10_000
    this.#readyTimeoutMs = options.readyTimeoutMs ?? 1000
    this.#handshakeTimeoutMs = options.handshakeTimeoutMs ?? 15_000
    this.#log = options.log ?? (() => undefined)
    this.#watchdog = new Watchdog(
      options.idleTimeoutMs ?? 75_000,
      options.probeGraceMs ?? 10_000,
      () => this.#socket?.ping(),
      () => {
        this.#lastError = "relay connection went silent"
        this.#log(this.#lastError)
        this.#socket?.terminate()
      },
    )
  }

  override on(event: "connection", fn: (event: ConnectionEvent) => void, context?: unknown): this
  override on(event: "durable", fn: (event: DurableEvent) => void, context?: unknown): this
  override on(event: "retry", fn: (event: RetryEvent) => void, context?: unknown): this
  override on<T extends keyof NetworkAdapterEvents>(event: T, fn: NetworkAdapterEvents[T], context?: unknown): this
  override on(event: string, fn: (...args: never[]) => void, context?: unknown): this {
    return super.on(event as keyof NetworkAdapterEvents, fn as never, context)
  }

  override once(event: "connection", fn: (event: ConnectionEvent) => void, context?: unknown): this
  override once(event: "durable", fn: (event: DurableEvent) => void, context?: unknown): this
  override once(event: "retry", fn: (event: RetryEvent) => void, context?: unknown): this
  override once<T extends keyof NetworkAdapterEvents>(event: T, fn: NetworkAdapterEvents[T], context?: unknown): this
  override once(event: string, fn: (...args: never[]) => void, context?: unknown): this {
    return super.once(event as keyof NetworkAdapterEvents, fn as never, context)
  }

  override off(event: "connection", fn?: (event: ConnectionEvent) => void, context?: unknown): this
  override off(event: "durable", fn?: (event: DurableEvent) => void, context?: unknown): this
  override off(event: "retry", fn?: (event: RetryEvent) => void, context?: unknown): this
  override off<T extends keyof NetworkAdapterEvents>(event: T, fn?: NetworkAdapterEvents[T], context?: unknown): this
  override off(event: string, fn?: (...args: never[]) => void, context?: unknown): this {
    return super.off(event as keyof NetworkAdapterEvents, fn as never, context)
  }

  /** Ready once the relay answered our join, or readyTimeoutMs after connect(), or after a failed attempt. */
  isReady(): boolean {
    return this.#ready
  }

  whenReady(): Promise<void> {
    return this.#readyPromise
  }

  get state(): ConnectionState {
    return this.#state
  }

  /** The relay the next (or current) socket goes to: the configured url, or where a relay redirected to. */
  get target(): string {
    return this.#target
  }

  /** The relay's peer id while joined. */
  get remotePeerId(): PeerId | undefined {
    return this.#remotePeerId
  }

  get lastError(): string | undefined {
    return this.#lastError
  }

  /** Why the relay refused this peer on its last connection, until a connection stays healthy. */
  get refused(): string | undefined {
    return this.#refused
  }

  /** When the next connection attempt is due (epoch ms), while one is scheduled. */
  get nextAttemptAt(): number | undefined {
    return this.#retryTimer ? this.#nextAttemptAt : undefined
  }

  connect(peerId: PeerId, peerMetadata?: PeerMetadata): void {
    this.peerId = peerId
    // NetworkSubsystem.reconnect() calls connect(peerId) without metadata: keep the storageId we had
    this.peerMetadata = peerMetadata ?? this.peerMetadata ?? {}
    this.#stopped = false
    if (!this.#readyTimer && !this.#ready) {
      this.#readyTimer = setTimeout(() => this.#markReady(), this.#readyTimeoutMs)
      this.#readyTimer.unref()
    }
    this.#open()
  }

  /** Connects immediately (the "sync now" button) instead of waiting for the back-off. */
  connectNow(): void {
    if (this.#stopped || this.peerId === undefined) return
    const s = this.#socket
    if (s && (s.readyState === WebSocket.OPEN || s.readyState === WebSocket.CONNECTING)) return
    this.#open()
  }

  /** Drops the current connection (it closes as if lost: the peer leaves, and the next attempt follows the back-off). */
  drop(reason: string): void {
    const socket = this.#socket
    if (!socket) return
    this.#lastError = reason
    this.#log(`dropping the connection: ${reason}`)
    socket.terminate()
  }

  disconnect(): void {
    this.#stopped = true
    this.#watchdog.stop()
    this.#clearRetry()
    this.#clearHealthy()
    if (this.#readyTimer) clearTimeout(this.#readyTimer)
    this.#readyTimer = undefined
    const socket = this.#socket
    this.#socket = undefined
    if (socket) {
      socket.removeAllListeners()
      socket.on("error", () => undefined)
      if (socket.readyState === WebSocket.CONNECTING) socket.terminate()
      else socket.close()
    }
    this.#closed(undefined, undefined, "relay")
  }

  send(message: Message): void {
    const socket = this.#socket
    if (!socket || socket.readyState !== WebSocket.OPEN || this.#remotePeerId === undefined) {
      this.#log(`dropping ${message.type} to ${message.targetId}: not connected`)
      return
    }
    if ("data" in message && message.data instanceof Uint8Array && message.data.byteLength === 0) {
      this.#log("dropping zero-length message")
      return
    }
    this.#write(socket, message)
  }

  #open(): void {
    this.#clearRetry()
    const old = this.#socket
    if (old) {
      old.removeAllListeners()
      old.on("error", () => undefined)
      old.terminate()
    }
    this.#setState({ state: "connecting" })
    let socket: WebSocket
    try {
      socket = new WebSocket(this.#target, { headers: this.#headers, handshakeTimeout: this.#handshakeTimeoutMs, ...this.#tls })
    } catch (e) {
      this.#socket = undefined
      this.#lastError = (e as Error).message
      this.#closed(this.#lastError, undefined, "relay")
      return
    }
    this.#socket = socket
    this.#relayError = undefined
    socket.binaryType = "nodebuffer"
    // what ended this attempt, for the back-off (failureKind)
    let opened = false
    let errorCode: string | undefined
    socket.on("open", () => {
      if (this.#socket !== socket || this.peerId === undefined) return
      opened = true
      this.#watchdog.arm()
      this.#write(socket, {
        type: "join",
        senderId: this.peerId,
        peerMetadata: this.peerMetadata ?? {},
        supportedProtocolVersions: [PROTOCOL_V1],
      })
    })
    socket.on("message", (data: RawData) => {
      if (this.#socket !== socket) return
      this.#watchdog.arm()
      try {
        this.#receive(data)
      } catch (e) {
        this.#log(`error handling a message: ${(e as Error).message}`)
      }
    })
    socket.on("ping", () => this.#socket === socket && this.#watchdog.arm())
    socket.on("pong", () => this.#socket === socket && this.#watchdog.arm())
    // the relay answered the upgrade with something else (401, 307 ...): that, not the abort, is the error
    let answered = false
    socket.on("unexpected-response", (_req, res) => {
      if (this.#socket !== socket) return
      answered = true
      const status = res.statusCode ?? 0
      const to = status === 307 || status === 308 ? this.#redirect(res.headers.location) : undefined
      res.resume()
      if (to !== undefined) {
        this.#log(`relay redirected to ${to}`)
        this.#target = to
        this.#hops++
        this.#follow = true
        this.#lastError = undefined
      } else {
        this.#lastError = `Unexpected server response: ${status}`
        this.#log(`connection error: ${this.#lastError}`)
      }
      socket.terminate()
    })
    socket.on("error", (e: Error & { code?: string }) => {
      if (answered) return
      errorCode = e.code
      this.#lastError = e.code ? `${e.code}: ${e.message}` : e.message
      this.#log(`connection error: ${this.#lastError}`)
    })
    socket.on("close", (code: number) => {
      if (this.#socket !== socket) return
      this.#socket = undefined
      this.#watchdog.stop()
      this.#clearHealthy()
      this.#markReady()
      // a refusal: the relay said why and closed for a policy violation or an oversized message
      if ((code === 1008 || code === 1009) && this.#relayError !== undefined) this.#refused = this.#relayError
      else if (code === 1009) this.#refused = "a message was too large for the relay"
      if (this.#follow) {
        // redirected before joining: straight to the relay named, no back-off
        this.#follow = false
        if (!this.#stopped) this.#open()
        return
      }
      // the relay we were sent to is gone (or dropped the clinic): the shared address decides again,
      // soon when it could not even be reached (a dead holder: its lease is about to run out)
      const deadRelay = !opened && !answered && this.#target !== this.url
      this.#target = this.url
      this.#hops = 0
      const refused = (code === 1008 || code === 1009) && this.#refused !== undefined
      const kind = failureKind({ refused, answered, opened, closeCode: code, errorCode })
      this.#closed(this.#lastError ?? (code !== 1000 ? `closed (${code})` : undefined), code, kind, deadRelay)
    })
  }

  /** The address a 307/308 names, if the desk may follow it: the configured scheme, its query kept. */
  #redirect(location: string | undefined): string | undefined {
    return this.#hops >= MAX_RELAY_HOPS ? undefined : followableRedirect(location, this.#target, this.url)
  }

  #receive(data: RawData): void {
    const frame = decodeRelayFrame(data)
    if (frame.kind === "invalid") return this.#log(frame.reason)
    if (frame.kind === "error") {
      this.#relayError = frame.message
      this.#lastError = `relay refused: ${frame.message}`
      return this.#log(this.#lastError)
    }
    if (frame.kind === "message") {
      if (this.#acceptPeer && frame.message.senderId !== this.#remotePeerId)
        return this.#log(`dropping a message from ${frame.message.senderId}: not the joined peer ${this.#remotePeerId ?? "(none)"}`)
      return void this.emit("message", frame.message)
    }
    if (frame.kind === "durable")
      return this.#emitExtra("durable", { documentId: frame.documentId, heads: frame.heads })
    const refusal = this.#acceptPeer?.(frame.peerId)
    if (refusal !== undefined) {
      this.#relayError = refusal
      this.#lastError = `peer refused: ${refusal}`
      this.#log(this.#lastError)
      this.#socket?.close(1008, refusal.replace(/[^\x20-\x7e]/g, "?").slice(0, 120))
      return
    }
    this.#remotePeerId = frame.peerId
    this.#lastError = undefined
    this.#hops = 0
    this.#deadRelaySince = undefined
    this.#deadRelayBackoff.reset()
    // the back-off resets only once the connection stayed up: a relay that answers the join and
    // then refuses what the desk sends must not be retried at the shortest delay forever
    this.#clearHealthy()
    this.#healthyTimer = setTimeout(() => {
      this.#healthyTimer = undefined
      this.#schedule.reset()
      this.#refused = undefined
    }, this.#healthyAfterMs)
    this.#healthyTimer.unref()
    this.#markReady()
    this.emit("peer-candidate", { peerId: frame.peerId, peerMetadata: frame.peerMetadata })
    this.#setState({ state: "open" })
  }

  #write(socket: WebSocket, message: object): void {
    try {
      const bytes = cbor.encode(message)
      socket.send(bytes, err => {
        if (err) this.#log(`send failed: ${err.message}`)
      })
    } catch (e) {
      this.#log(`send failed: ${(e as Error).message}`)
    }
  }

  /** The socket is gone: tell the repo the relay left, report, and schedule a retry. */
  #closed(error: string | undefined, code: number | undefined, kind: FailureKind, deadRelay = false): void {
    const peerId = this.#remotePeerId
    this.#remotePeerId = undefined
    if (peerId !== undefined) this.emit("peer-disconnected", { peerId })
    const refused = kind === "refused" && (code === 1008 || code === 1009) ? this.#refused : undefined
    this.#setState({
      state: "closed",
      ...(error !== undefined ? { error } : {}),
      ...(refused !== undefined ? { refused } : {}),
    })
    if (this.#stopped || this.#retryTimer) return
    // a redirect's relay that could not be reached is dead: the shared address soon (its lease runs out)
    const fast = kind !== "refused" && deadRelay ? this.#deadRelayPace() : undefined
    const { delayMs, attempt } = fast ? { delayMs: fast.next(), attempt: fast.attempt } : this.#schedule.next(kind)
    this.#nextAttemptAt = Date.now() + delayMs
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined
      if (!this.#stopped) this.#open()
    }, delayMs)
    this.#retryTimer.unref()
    this.#emitExtra("retry", { attempt, delayMs, at: this.#nextAttemptAt, kind })
  }

  /** The back-off after a redirect's relay could not be reached: the fast one, for a while (then the schedule's). */
  #deadRelayPace(): Backoff | undefined {
    const now = Date.now()
    this.#deadRelaySince ??= now
    return now - this.#deadRelaySince < DEAD_RELAY_FAST_FOR_MS ? this.#deadRelayBackoff : undefined
  }

  #clearHealthy(): void {
    if (this.#healthyTimer) clearTimeout(this.#healthyTimer)
    this.#healthyTimer = undefined
  }

  #setState(event: ConnectionEvent): void {
    if (event.state === this.#state && event.state !== "closed") return
    if (
      event.state === "closed" &&
      this.#state === "closed" &&
      event.error === undefined &&
      event.refused === undefined
    )
      return
    this.#state = event.state
    this.#emitExtra("connection", event)
  }

  #emitExtra<E extends "connection" | "retry" | "durable">(
    event: E,
    payload: Parameters<ResilientAdapterEvents[E]>[0],
  ): void {
    try {
      ;(super.emit as (event: string, payload: unknown) => boolean).call(this, event, payload)
    } catch (e) {
      this.#log(`a ${event} listener threw: ${(e as Error).message}`)
    }
  }

  #markReady(): void {
    if (this.#ready) return
    this.#ready = true
    if (this.#readyTimer) clearTimeout(this.#readyTimer)
    this.#readyTimer = undefined
    this.#resolveReady()
  }

  #clearRetry(): void {
    if (this.#retryTimer) clearTimeout(this.#retryTimer)
    this.#retryTimer = undefined
  }
}
