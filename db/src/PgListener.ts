import pg from "pg"

export interface PgListenerOptions {
  /** the connection is back (and LISTENs again): catch up on anything notified while it was away */
  onReconnect?: () => void
  /** the connection was lost (an error or its end); a reconnect follows a second later */
  onLost?: (why: string) => void
  /**
   * an error: of the connection ("connection", its loss is reported next), or of an attempt to
   * reconnect ("reconnect": it tries again a second later)
   */
  onError?: (e: unknown, during: "connection" | "reconnect") => void
  /** the reconnect timer does not keep the process alive */
  unref?: boolean
}

/**
 * One dedicated connection LISTENing on channels; reconnects (and re-LISTENs) a second after the
 * connection drops, and then calls `onReconnect` so callers can catch up on anything notified
 * while it was away. The bridge and the relay's registry (PgAuthenticator) both listen with it.
 */
export class PgListener {
  readonly #url: string
  readonly #handlers = new Map<string, (payload: string) => void>()
  readonly #options: PgListenerOptions
  #client: pg.Client | undefined
  #stopped = false
  #retry: NodeJS.Timeout | undefined

  constructor(url: string, options: PgListenerOptions = {}) {
    this.#url = url
    this.#options = options
  }

  /** Handles NOTIFYs on `channel` (register before start). */
  on(channel: string, handler: (payload: string) => void): this {
    this.#handlers.set(channel, handler)
    return this
  }

  /** The LISTEN connection is open (false while it is lost and being reconnected, and after stop). */
  get connected(): boolean {
    return this.#client !== undefined
  }

  /** Connects and LISTENs; throws when it cannot (no reconnecting then). */
  async start(): Promise<void> {
    await this.#connect()
  }

  async stop(): Promise<void> {
    this.#stopped = true
    if (this.#retry) clearTimeout(this.#retry)
    this.#retry = undefined
    const c = this.#client
    this.#client = undefined
    await c?.end().catch(() => {})
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.#url })
    client.on("notification", n => this.#handlers.get(n.channel)?.(n.payload ?? ""))
    // only the current connection's loss counts: a connection that failed to start, or one
    // already replaced, reports nothing (its caller has the error)
    const lost = (why: string, e?: unknown): void => {
      if (this.#stopped || this.#client !== client) return
      this.#client = undefined
      if (e !== undefined) this.#options.onError?.(e, "connection")
      this.#options.onLost?.(why)
      this.#reconnectLater()
    }
    client.on("error", e => lost(e.message, e))
    client.on("end", () => lost("connection ended"))
    try {
      await client.connect()
      for (const channel of this.#handlers.keys()) await client.query(`LISTEN ${client.escapeIdentifier(channel)}`)
    } catch (e) {
      // not awaited: a connection that never opened may never report its end
      client.end().catch(() => {})
      throw e
    }
    if (this.#stopped) {
      // stopped while connecting: nothing may stay open
      await client.end().catch(() => {})
      return
    }
    this.#client = client
  }

  #reconnectLater(): void {
    if (this.#stopped || this.#retry) return
    this.#retry = setTimeout(() => {
      this.#retry = undefined
      this.#connect().then(
        () => {
          if (this.#client) this.#options.onReconnect?.()
        },
        e => {
          this.#options.onError?.(e, "reconnect")
          this.#reconnectLater()
        },
      )
    }, 1000)
    if (this.#options.unref) this.#retry.unref()
  }
}
