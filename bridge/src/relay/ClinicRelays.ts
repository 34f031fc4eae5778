import type { DocumentId, NetworkAdapterInterface, PeerId } from "@automerge/automerge-repo"
import { ClinicLayout, monthKeysAround } from "@vetsync/shared"
import {
  BRIDGE_RECONNECT,
  ResilientWebSocketClientAdapter,
  type BackoffOptions,
  type ConnectionState,
} from "@vetsync/shared/net"
import type { LineLog } from "@vetsync/shared/log"
import { ClinicConnection, clinicOfAlias } from "./ClinicConnection.js"

/** The month partitions a clinic's layout covers: as many years around now as the relay's ownership (DocOwnership). */
const YEARS_AROUND = 10

/** What the Repo is given as its share rule (automerge-repo's ShareConfig). */
export interface BridgeShareConfig {
  announce: (peerId: PeerId, docId?: DocumentId) => Promise<boolean>
  access: (peerId: PeerId, docId?: DocumentId) => Promise<boolean>
}

/** Where the bridge adds and removes a clinic's connection: the Repo's network subsystem. */
export interface BridgeNetwork {
  addNetworkAdapter(adapter: NetworkAdapterInterface): void
  removeNetworkAdapter(adapter: NetworkAdapterInterface): void
}

export interface ClinicRelaysOptions {
  /** the relays' shared sync address (VETSYNC_RELAY_URL) */
  url: string
  /** the service's name (its credential's, VETSYNC_BRIDGE_NAME) */
  name: string
  /** the upgrade's headers: the service credential */
  headers?: Record<string, string>
  /** reconnection back-off; default BRIDGE_RECONNECT (250 ms up to 2 s); a dead relay is left at DEAD_RELAY_RETRY's pace */
  backoff?: BackoffOptions
  log?: LineLog
}

/** The connections' state for /ready and /metrics: the worst of them, with its clinic and address. */
export interface RelaysStatus {
  url: string
  /** open: every clinic's relay joined (or no clinic followed: idle) */
  state: ConnectionState | "idle"
  lastError?: string
  refused?: string
}

/**
 * The bridge's connections to the relays, one per clinic it works on (ClinicConnection): each names
 * its clinic at the shared address and ends at the relay holding that clinic's lease, following the
 * relay's 307 and, after a failover, the shared address again. The share rule lets each clinic's
 * relay see only that clinic's documents (so a document is synced with the one relay serving it);
 * peers that are not a clinic's relay (tests' own adapters) see everything, as before.
 */
export class ClinicRelays {
  readonly #o: ClinicRelaysOptions
  readonly #connections = new Map<string, ClinicConnection>()
  readonly #layouts = new Map<string, ClinicLayout>()

  constructor(o: ClinicRelaysOptions) {
    this.#o = o
  }

  /** The share rule of the bridge's Repo. */
  readonly shareConfig: BridgeShareConfig = {
    announce: (peerId, docId) => Promise.resolve(this.shares(peerId, docId)),
    access: (peerId, docId) => Promise.resolve(this.shares(peerId, docId)),
  }

  /** Whether the document is synced with the peer: a clinic's relay gets that clinic's documents only. */
  shares(peerId: PeerId, docId: DocumentId | undefined): boolean {
    const clinicId = clinicOfAlias(peerId)
    if (clinicId === undefined) return true
    if (docId === undefined) return true
    return this.#layout(clinicId).keyOf(docId) !== undefined
  }

  /** The clinics connected (followed). */
  get clinics(): string[] {
    return [...this.#connections.keys()]
  }

  /** The clinic's connection, if it is followed. */
  connection(clinicId: string): ClinicConnection | undefined {
    return this.#connections.get(clinicId)
  }

  /** Opens the clinic's connection in the network (once). */
  follow(network: BridgeNetwork, clinicId: string): void {
    if (this.#connections.has(clinicId)) return
    this.#layout(clinicId)
    const url = new URL(this.#o.url)
    url.searchParams.set("role", "service")
    url.searchParams.set("desk", this.#o.name)
    url.searchParams.set("clinic", clinicId)
    const log = this.#o.log ?? (() => undefined)
    const socket = new ResilientWebSocketClientAdapter(url.toString(), {
      headers: this.#o.headers,
      backoff: this.#o.backoff ?? BRIDGE_RECONNECT,
      log: line => log(`relay connection of clinic ${clinicId}: ${line}`, { clinic: clinicId, level: "debug" }),
    })
    socket.on("connection", e => {
      if (e.state === "open") log(`clinic ${clinicId}: joined the relay at ${socket.target}`, { clinic: clinicId })
    })
    const connection = new ClinicConnection(clinicId, socket)
    this.#connections.set(clinicId, connection)
    network.addNetworkAdapter(connection)
  }

  /** Closes the clinic's connection (the bridge stopped working on it). */
  drop(network: BridgeNetwork, clinicId: string): void {
    const connection = this.#connections.get(clinicId)
    if (!connection) return
    this.#connections.delete(clinicId)
    network.removeNetworkAdapter(connection)
  }

  /** The worst connection's state (closed, then connecting, then open), naming its clinic. */
  get status(): RelaysStatus {
    const rank: Record<string, number> = { closed: 0, connecting: 1, open: 2 }
    let worst: ClinicConnection | undefined
    for (const c of this.#connections.values())
      if (!worst || (rank[c.socket.state] ?? 0) < (rank[worst.socket.state] ?? 0)) worst = c
    if (!worst) return { url: this.#o.url, state: "idle" }
    const s = worst.socket
    return {
      url: `${s.target} (clinic ${worst.clinicId})`,
      state: s.state,
      ...(s.lastError !== undefined ? { lastError: s.lastError } : {}),
      ...(s.refused !== undefined ? { refused: s.refused } : {}),
    }
  }

  /** Every followed clinic's relay is joined. */
  get connected(): boolean {
    return [...this.#connections.values()].every(c => c.socket.state === "open")
  }

  #layout(clinicId: string): ClinicLayout {
    let layout = this.#layouts.get(clinicId)
    if (!layout) {
      layout = new ClinicLayout(clinicId)
      for (const key of monthKeysAround(new Date(), YEARS_AROUND, YEARS_AROUND)) layout.add(key)
      this.#layouts.set(clinicId, layout)
    }
    return layout
  }
}
