import { RelaySnapshotSource, type SnapshotSource } from "./SnapshotSource.js"

/** A new desk's other way to its clinic's snapshot: its LAN peers (issue 15). */
export interface LanBootstrap {
  /** the clinic's desks on the LAN to ask, now (static peers and those mDNS found) */
  sources(): SnapshotSource[]
  /**
   * How long a new desk waits for the relay's snapshot (the relay unreachable, or not answering)
   * before it takes one from a LAN peer; the relay's answer must also come within this while a
   * LAN peer is known.
   */
  afterMs: number
}

export interface BootstrapSourcesOptions {
  server: string
  clinicId: string
  headers: () => Record<string, string>
  /** a relay connection is open */
  online: () => boolean
  lan?: LanBootstrap
  /** how often pick() looks again while it waits; default 250 ms */
  pollMs?: number
  now?: () => number
}

/**
 * Which source a new desk takes its snapshot (and then its bundle) from, attempt by attempt: the
 * relay at once the first time, then as soon as it is connected; a LAN peer once the relay has not given the snapshot for
 * `lan.afterMs` (unreachable all that time, or it failed or did not answer in time), each peer in
 * turn. A desk without LAN peers waits for the relay, as before.
 */
export class BootstrapSources {
  readonly #o: BootstrapSourcesOptions
  readonly #relay: RelaySnapshotSource
  readonly #since: number
  #relayFailed = false
  #turn = 0
  #picks = 0

  constructor(o: BootstrapSourcesOptions) {
    this.#o = o
    this.#since = this.#now()
    // while a LAN peer could serve the snapshot instead, the relay must answer within lan.afterMs
    this.#relay = new RelaySnapshotSource(o.server, o.clinicId, o.headers, () =>
      o.lan && o.lan.sources().length > 0 ? o.lan.afterMs : undefined,
    )
  }

  /** The source to try next; undefined once `closed()` says so. */
  async pick(closed: () => boolean): Promise<SnapshotSource | undefined> {
    for (;;) {
      if (closed()) return undefined
      const lan = this.#o.lan
      const peers = lan && this.#now() - this.#since >= lan.afterMs ? lan.sources() : []
      // the first time, the relay is asked at once (its sync connection is still opening: the
      // snapshot is HTTP), unless a LAN peer is due already
      if (this.#picks++ === 0 && peers.length === 0) return this.#relay
      if (this.#o.online() && !(this.#relayFailed && peers.length > 0)) return this.#relay
      if (peers.length > 0) {
        this.#relayFailed = false
        return peers[this.#turn++ % peers.length]
      }
      await new Promise(r => setTimeout(r, this.#o.pollMs ?? 250))
    }
  }

  /** The source given by pick() failed: the relay's failure lets a due LAN peer go first next time. */
  failed(source: SnapshotSource): void {
    if (source.kind === "relay") this.#relayFailed = true
  }

  #now(): number {
    return this.#o.now?.() ?? Date.now()
  }
}
