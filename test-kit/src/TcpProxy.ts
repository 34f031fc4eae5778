import { createConnection, createServer, type Server, type Socket } from "node:net"

/** What a TcpProxy does with traffic. */
export type ProxyMode = "pass" | "drop" | "stall"

export interface TcpProxyStats {
  /** connections accepted (refused ones included) */
  accepted: number
  /** connections refused while dropping */
  refused: number
  /** connections closed by drop() */
  dropped: number
  /** bytes forwarded each way */
  up: number
  down: number
}

interface Pair {
  client: Socket
  upstream: Socket | undefined
}

/**
 * A loopback TCP proxy in front of one target port, for fault injection:
 * - pass: forwards both ways;
 * - drop: closes every open connection (reset) and resets new ones at once;
 * - stall: a black hole: accepts connections and keeps every socket open, but reads nothing
 *   and forwards nothing (sockets are paused, so TCP back-pressure holds the senders, as a
 *   network that lost its route does); new connections are accepted and held unconnected;
 * - heal(): back to pass. Stalled connections resume where they stopped (nothing is lost,
 *   as TCP retransmits after a partition), held ones are connected to the target.
 */
export class TcpProxy {
  readonly targetPort: number
  readonly #server: Server
  readonly #pairs = new Set<Pair>()
  #mode: ProxyMode = "pass"
  #port = 0
  readonly stats: TcpProxyStats = { accepted: 0, refused: 0, dropped: 0, up: 0, down: 0 }

  private constructor(targetPort: number) {
    this.targetPort = targetPort
    this.#server = createServer({ pauseOnConnect: true }, c => this.#accept(c))
  }

  /** Starts a proxy on 127.0.0.1 (`port` 0 or unset: a free port) in front of 127.0.0.1:targetPort. */
  static async start(targetPort: number, port = 0): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetPort)
    await new Promise<void>((ok, fail) => {
      proxy.#server.once("error", fail)
      proxy.#server.listen(port, "127.0.0.1", () => ok())
    })
    const addr = proxy.#server.address()
    proxy.#port = typeof addr === "object" && addr ? addr.port : 0
    return proxy
  }

  get port(): number {
    return this.#port
  }

  get mode(): ProxyMode {
    return this.#mode
  }

  /** Open connections (held ones included). */
  get connections(): number {
    return this.#pairs.size
  }

  /** Closes every connection and refuses new ones until heal(). */
  drop(): void {
    this.#mode = "drop"
    for (const p of [...this.#pairs]) {
      this.stats.dropped++
      this.#close(p)
    }
  }

  /** Stops all traffic, keeping connections open, until heal(). */
  stall(): void {
    if (this.#mode === "stall") return
    this.#mode = "stall"
    for (const p of this.#pairs) {
      p.client.pause()
      p.upstream?.pause()
    }
  }

  /** Back to forwarding; stalled connections resume, held ones connect. */
  heal(): void {
    const was = this.#mode
    this.#mode = "pass"
    if (was !== "stall") return
    for (const p of this.#pairs) {
      if (p.upstream) {
        p.client.resume()
        p.upstream.resume()
      } else this.#connect(p)
    }
  }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    for (const p of [...this.#pairs]) this.#close(p)
    await new Promise<void>(ok => this.#server.close(() => ok()))
  }

  #accept(client: Socket): void {
    this.stats.accepted++
    client.on("error", () => undefined)
    if (this.#mode === "drop") {
      this.stats.refused++
      client.resetAndDestroy()
      return
    }
    const pair: Pair = { client, upstream: undefined }
    this.#pairs.add(pair)
    client.once("close", () => {
      if (!pair.upstream || pair.upstream.destroyed) this.#pairs.delete(pair)
      else pair.upstream.end()
    })
    if (this.#mode === "pass") this.#connect(pair)
  }

  #connect(pair: Pair): void {
    const { client } = pair
    const upstream = createConnection({ host: "127.0.0.1", port: this.targetPort })
    pair.upstream = upstream
    upstream.on("error", () => client.destroy())
    client.on("error", () => upstream.destroy())
    upstream.once("close", () => {
      if (client.destroyed) this.#pairs.delete(pair)
      else client.end()
    })
    this.#forward(client, upstream, "up")
    this.#forward(upstream, client, "down")
    upstream.once("connect", () => {
      if (this.#mode === "stall") upstream.pause()
      else client.resume()
    })
  }

  /** Copies src to dst with back-pressure; a stall keeps both paused whatever drains. */
  #forward(src: Socket, dst: Socket, dir: "up" | "down"): void {
    src.on("data", (d: Buffer) => {
      this.stats[dir] += d.length
      if (!dst.write(d)) {
        src.pause()
        dst.once("drain", () => {
          if (this.#mode !== "stall") src.resume()
        })
      }
    })
    src.on("end", () => dst.end())
  }

  #close(pair: Pair): void {
    this.#pairs.delete(pair)
    pair.client.resetAndDestroy()
    pair.upstream?.resetAndDestroy()
  }
}
