import { createConnection, createServer, type Server, type Socket } from "node:net"

/**
 * "Several relays behind one address", on loopback: a TCP front that hands each new connection to
 * the first relay port that accepts it, starting from the next one in turn (a dead relay's port
 * refuses, so its connections go to the others), the way a load balancer in front of relays would.
 */
export class RelayFront {
  readonly #server: Server
  readonly #targets: number[]
  readonly #sockets = new Set<Socket>()
  #next = 0

  private constructor(targets: number[]) {
    this.#targets = targets
    this.#server = createServer(client => this.#accept(client))
  }

  static async start(targets: number[]): Promise<RelayFront> {
    const front = new RelayFront(targets)
    await new Promise<void>(resolve => front.#server.listen(0, "127.0.0.1", resolve))
    return front
  }

  get port(): number {
    const address = this.#server.address()
    return typeof address === "object" && address ? address.port : 0
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy()
    await new Promise<void>(resolve => this.#server.close(() => resolve()))
  }

  #accept(client: Socket): void {
    this.#sockets.add(client)
    client.on("close", () => this.#sockets.delete(client))
    client.on("error", () => client.destroy())
    client.pause()
    const first = this.#next++ % this.#targets.length
    this.#try(client, first, 0)
  }

  #try(client: Socket, index: number, tried: number): void {
    if (tried >= this.#targets.length) return void client.destroy()
    const port = this.#targets[index % this.#targets.length] ?? 0
    const upstream = createConnection({ host: "127.0.0.1", port })
    let connected = false
    upstream.once("connect", () => {
      connected = true
      this.#sockets.add(upstream)
      upstream.on("close", () => this.#sockets.delete(upstream))
      upstream.on("error", () => client.destroy())
      client.on("close", () => upstream.destroy())
      upstream.on("close", () => client.destroy())
      client.pipe(upstream)
      upstream.pipe(client)
      client.resume()
    })
    upstream.once("error", () => {
      if (!connected) this.#try(client, index + 1, tried + 1)
    })
  }
}
