import pg from "pg"

/**
 * One dedicated connection LISTENing on channels; reconnects (and re-LISTENs) when the
 * connection drops, and then calls `onReconnect` so callers can catch up on anything
 * notified while it was away.
 */
export class PgListener {
  readonly #url: string
  readonly #handlers = new Map<string, (payload: string) => void>()
  readonly #onReconnect: () => void
  readonly #onError: (e: unknown) => void
  #client: pg.Client | undefined
  #stopped = false
  #retry: NodeJS.Timeout | undefined

  constructor(url: string, opts: { onReconnect?: () => void; onError?: (e: unknown) => void } = {}) {
    this.#url = url
    this.#onReconnect = opts.onReconnect ?? (() => {})
    this.#onError = opts.onError ?? (() => {})
  }

  on(channel: string, handler: (payload: string) => void): this {
    this.#handlers.set(channel, handler)
    return this
  }

  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.#url })
    client.on("notification", n => this.#handlers.get(n.channel)?.(n.payload ?? ""))
    client.on("error", e => {
      this.#onError(e)
      this.#reconnectLater()
    })
    client.on("end", () => this.#reconnectLater())
    await client.connect()
    for (const channel of this.#handlers.keys()) await client.query(`LISTEN ${client.escapeIdentifier(channel)}`)
    this.#client = client
  }

  #reconnectLater(): void {
    if (this.#stopped || this.#retry) return
    this.#client = undefined
    this.#retry = setTimeout(() => {
      this.#retry = undefined
      this.start().then(this.#onReconnect, e => {
        this.#onError(e)
        this.#reconnectLater()
      })
    }, 1000)
  }

  async stop(): Promise<void> {
    this.#stopped = true
    if (this.#retry) clearTimeout(this.#retry)
    const c = this.#client
    this.#client = undefined
    await c?.end().catch(() => {})
  }
}
