import { EventEmitter } from "node:events"
import { Bonjour, type Browser, type Service } from "bonjour-service"
import { clinicPeer, MDNS_SERVICE_TYPE, peerToDial, serviceName, serviceTxt, type MdnsSelf } from "./mdnsPeers.js"

/**
 * The multicast socket's options (multicast-dns's): the defaults are mDNS's own (224.0.0.251:5353
 * on every interface). Tests keep it on this machine: `{ interface: "127.0.0.1", bind:
 * "224.0.0.251", port: <a free port> }`.
 */
export interface MdnsSocketOptions {
  /** the interface address to send and join the group on */
  interface?: string
  /** the address the socket binds to (default: `interface`, else every address) */
  bind?: string
  /** the UDP port (default 5353) */
  port?: number
  /** the multicast TTL (default 255) */
  ttl?: number
}

/** What discovery does with a found desk: LanNetwork's peer list. */
export interface PeerList {
  addPeer(address: string): void
  removePeer(address: string): void
}

export interface LanDiscoveryOptions {
  socket?: MdnsSocketOptions
  /** a fresh browse this often: answers lost, addresses changed (default 60 s) */
  refreshMs?: number
  log?: (line: string) => void
}

/**
 * DNS-SD discovery of the clinic's desks (issue 15): publishes `_vetsync._tcp` on this desk's LAN
 * port with TXT clinic=<clinic>, desk=<desk> (nothing secret), browses for the same, and hands
 * each desk of our clinic that this desk should dial (mdnsPeers.ts) to the peer list. A found desk
 * is trusted for nothing: its certificate decides. A desk that goes away keeps its connection's
 * reconnect and backoff; a desk found at a new address is dialled there instead.
 */
export class LanDiscovery {
  readonly #self: MdnsSelf
  readonly #peers: PeerList
  readonly #log: (line: string) => void
  readonly #bonjour: Bonjour
  readonly #timer: ReturnType<typeof setInterval>
  /** the address each found desk is dialled at */
  readonly #dialled = new Map<string, string>()
  /** where each desk of the clinic found listens, dialled or not (a new desk's bootstrap asks them) */
  readonly #clinicDesks = new Map<string, string>()
  /** what was said about each service, so a refresh does not say it again */
  readonly #said = new Map<string, string>()
  #browser: Browser | undefined
  #closed = false

  constructor(self: MdnsSelf, lanPort: number, peers: PeerList, opts: LanDiscoveryOptions = {}) {
    this.#self = self
    this.#peers = peers
    this.#log = opts.log ?? (() => undefined)
    const socket: MdnsSocketOptions = { ...opts.socket }
    this.#bonjour = new Bonjour(socket, (e: Error) => this.#log(`mDNS: ${e.message}`))
    // the socket's own errors (a port it may not bind) reach no callback of bonjour-service's and,
    // unheard, would end the process: discovery stops, saying why, and the desk goes on without it
    const server: unknown = Reflect.get(this.#bonjour, "server")
    const mdns: unknown = typeof server === "object" && server !== null ? Reflect.get(server, "mdns") : undefined
    if (mdns instanceof EventEmitter) mdns.on("error", (e: Error) => this.#log(`mDNS is off: ${e.message}`))
    this.#bonjour.publish({ name: serviceName(self), type: MDNS_SERVICE_TYPE, port: lanPort, txt: serviceTxt(self) })
    this.#browse()
    this.#timer = setInterval(() => this.#browse(), opts.refreshMs ?? 60_000)
    this.#timer.unref()
  }

  /** A fresh browser: every desk on the LAN answers again, with its current addresses. */
  #browse(): void {
    if (this.#closed) return
    this.#browser?.stop()
    const browser = this.#bonjour.find({ type: MDNS_SERVICE_TYPE })
    browser.on("up", s => this.#found(s))
    browser.on("srv-update", s => this.#found(s))
    browser.on("txt-update", s => this.#found(s))
    this.#browser = browser
  }

  #found(s: Service): void {
    if (this.#closed) return
    const peer = clinicPeer(s, this.#self)
    if (peer) this.#clinicDesks.set(peer.deskId, peer.address)
    const v = peerToDial(s, this.#self)
    if (!v.dial) {
      if (v.why !== "self" && v.why !== "other-clinic") this.#say(s.fqdn, `mDNS: not dialling ${s.fqdn} (${v.why})`)
      return
    }
    const before = this.#dialled.get(v.deskId)
    if (before === v.address) return
    if (before !== undefined) this.#peers.removePeer(before)
    this.#dialled.set(v.deskId, v.address)
    this.#say(s.fqdn, `mDNS: found desk ${v.deskId} at ${v.address}${before ? ` (was ${before})` : ""}`)
    this.#peers.addPeer(v.address)
  }

  #say(key: string, line: string): void {
    if (this.#said.get(key) === line) return
    this.#said.set(key, line)
    this.#log(line)
  }

  /** The addresses of the clinic's desks found so far, dialled or not. */
  clinicDesks(): string[] {
    return [...this.#clinicDesks.values()]
  }

  /** Says goodbye on the LAN (the other desks drop the record) and closes the socket. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    clearInterval(this.#timer)
    this.#browser?.stop()
    await new Promise<void>(resolve => {
      const t = setTimeout(resolve, 1_000)
      this.#bonjour.unpublishAll(() => {
        clearTimeout(t)
        resolve()
      })
    })
    await new Promise<void>(resolve => this.#bonjour.destroy(() => resolve()))
  }
}
