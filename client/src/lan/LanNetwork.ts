import type { NetworkAdapterInterface } from "@automerge/automerge-repo"
import { ResilientWebSocketClientAdapter } from "@vetsync/shared"
import { LanDiscovery, type LanDiscoveryOptions } from "./LanDiscovery.js"
import { peerIdMatchesIdentity } from "@vetsync/shared/net"
import { LanServer } from "./LanServer.js"
import { LanSnapshotSource } from "./LanSnapshotSource.js"
import type { SnapshotSource } from "../core/SnapshotSource.js"
import { keepsConnection, peerDeskOf, tlsMaterial, type LanIdentity } from "./lanTls.js"

export interface LanOptions {
  /** the port this desk listens on for its clinic's desks (0: any free port) */
  port: number
  /** the address it listens on (default 0.0.0.0) */
  host?: string
  /** peers to connect to, `host:port` each (the static list; mDNS adds more) */
  peers: string[]
  log?: (line: string) => void
}

/**
 * The desk's LAN sync: its listening server and one TLS connection to each known peer, all of
 * them network adapters for the desk's Repo (next to the relay's). Each end presents its own desk
 * certificate and trusts only the clinic CA; a dialled peer must be a desk of our clinic (its
 * certificate, not its host name) and join with a peer id of that desk, and of each pair of
 * desks only the smaller id dials.
 */
export class LanNetwork {
  readonly server: LanServer
  readonly #id: LanIdentity
  readonly #opts: LanOptions
  readonly #dialers = new Map<string, ResilientWebSocketClientAdapter>()
  readonly #added: ((adapter: NetworkAdapterInterface) => void)[] = []
  readonly #removed: ((adapter: NetworkAdapterInterface) => void)[] = []
  #discovery: LanDiscovery | undefined
  /** the desk each dialled address's certificate named on its last handshake */
  readonly #certified = new Map<string, string>()
  #revoked: ReadonlySet<string> = new Set()

  private constructor(id: LanIdentity, opts: LanOptions, server: LanServer) {
    this.#id = id
    this.#opts = opts
    this.server = server
    for (const p of opts.peers) this.#dial(p)
  }

  static async start(id: LanIdentity, opts: LanOptions): Promise<LanNetwork> {
    const server = await LanServer.start(id, { port: opts.port, ...(opts.host ? { host: opts.host } : {}), ...(opts.log ? { log: opts.log } : {}) })
    return new LanNetwork(id, opts, server)
  }

  /** Every adapter to give the Repo at its start. */
  get adapters(): NetworkAdapterInterface[] {
    return [this.server.adapter, ...this.#dialers.values()]
  }

  /** Called with each peer adapter added later (a peer found by mDNS): the Repo takes it then. */
  onAdapter(listener: (adapter: NetworkAdapterInterface) => void): void {
    this.#added.push(listener)
  }

  /** Called with each peer adapter dropped later (a peer found at a new address): the Repo lets it go. */
  onAdapterRemoved(listener: (adapter: NetworkAdapterInterface) => void): void {
    this.#removed.push(listener)
  }

  /** Connects to a peer at `host:port` (once per address). */
  addPeer(address: string): void {
    if (this.#dialers.has(address)) return
    const adapter = this.#dial(address)
    for (const l of this.#added) l(adapter)
  }

  /** Stops dialling `host:port` (a static peer, from --lan-peers, stays). */
  removePeer(address: string): void {
    const adapter = this.#dialers.get(address)
    if (!adapter || this.#opts.peers.includes(address)) return
    this.#dialers.delete(address)
    this.#certified.delete(address)
    adapter.disconnect()
    for (const l of this.#removed) l(adapter)
  }

  /**
   * Starts mDNS discovery (LanDiscovery): publishes this desk and dials the clinic's desks it finds.
   * Call once the Repo takes adapters added later (onAdapter); close() stops it.
   */
  discover(options: LanDiscoveryOptions = {}): void {
    if (this.#discovery) return
    const { clinicId, deskId } = this.#id
    this.#discovery = new LanDiscovery({ clinicId, deskId }, this.server.port, this, {
      ...(this.#opts.log ? { log: this.#opts.log } : {}),
      ...options,
    })
  }

  #dial(address: string): ResilientWebSocketClientAdapter {
    const { clinicId, deskId } = this.#id
    // the desk the peer's certificate named on the current connection (each handshake sets it)
    let certified: string | undefined
    const adapter = new ResilientWebSocketClientAdapter(`wss://${address}/`, {
      backoff: { minMs: 250, maxMs: 5_000 },
      refusedBackoff: { minMs: 1_000, maxMs: 30_000 },
      ...(this.#opts.log ? { log: this.#opts.log } : {}),
      acceptPeer: peerId =>
        certified !== undefined && peerIdMatchesIdentity(peerId, { role: "desk", clinicId, deskId: certified })
          ? undefined
          : `peer id ${peerId} does not belong to desk ${certified ?? "?"} (its certificate)`,
      tls: {
        ...tlsMaterial(this.#id),
        // the peer's certificate names our clinic and a desk that expects us to dial it
        checkServerIdentity: (_host, cert) => {
          const peer = peerDeskOf(cert, clinicId)
          certified = peer
          if (peer !== undefined) this.#certified.set(address, peer)
          if (peer !== undefined && this.#revoked.has(peer)) return new Error(`${address} (${peer}) is a revoked desk`)
          if (peer === undefined) return new Error(`${address} is not a desk of clinic ${clinicId}`)
          if (!keepsConnection(deskId, peer)) return new Error(`${address} (${peer}) dials this desk instead`)
          return undefined
        },
      },
    })
    this.#dialers.set(address, adapter)
    return adapter
  }

  /**
   * The clinic's revoked desks as this desk last heard of them (the clinic profile the bridge
   * publishes): they are refused at connection, dialling or listening, and their open connections
   * are closed now.
   */
  setRevoked(deskIds: Iterable<string>): void {
    const revoked = new Set(deskIds)
    this.#revoked = revoked
    this.server.setRevoked(revoked)
    for (const [address, desk] of this.#certified)
      if (revoked.has(desk)) {
        this.#log(`LAN: dropping ${address}: desk ${desk} is revoked`)
        // its next handshake refuses the revoked desk (retrying, in case the address gets another desk)
        this.#dialers.get(address)?.drop(`desk ${desk} at ${address} is revoked`)
      }
  }

  /** The revoked desks this desk knows of. */
  get revoked(): ReadonlySet<string> {
    return this.#revoked
  }

  /**
   * The clinic's desks this desk knows on the LAN (its static peers, those mDNS found) as bootstrap
   * sources: a new desk asks them for the snapshot when the relay's does not come (issue 15).
   */
  snapshotSources(answerMs: number): SnapshotSource[] {
    const addresses = new Set([...this.#opts.peers, ...this.#dialers.keys(), ...(this.#discovery?.clinicDesks() ?? [])])
    return [...addresses].map(a => new LanSnapshotSource(a, this.#id, { answerMs, revoked: () => this.#revoked }))
  }

  #log(line: string): void {
    this.#opts.log?.(line)
  }

  async close(): Promise<void> {
    await this.#discovery?.close()
    for (const d of this.#dialers.values()) d.disconnect()
    await this.server.close()
  }
}
