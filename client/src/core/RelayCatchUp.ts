import { decodeHeads, type UrlHeads } from "@automerge/automerge-repo"
import { isDocKey, sameHeads, type DocKey, type RootDoc } from "@vetsync/shared"
import { fetchClinic } from "./Bootstrapper.js"
import { DocStore } from "./DocStore.js"
import type { SyncLedger } from "./readmodel/SyncLedger.js"
import type { SyncTracker } from "./SyncTracker.js"
import { rootLogger, type Logger } from "@vetsync/shared/log"

const DEBUG = process.env.VETSYNC_DEBUG?.includes("docs") ?? false
const ROOT: DocKey = "root"
/** an open taking longer than this is logged, and the pass goes on without waiting for it */
const SLOW_OPEN_MS = 60_000

export interface RelayCatchUpOptions {
  server: string | undefined
  clinicId: string
  headers: () => Record<string, string>
  docs: DocStore
  ledger: SyncLedger
  sync: SyncTracker
  /** opens a document, never throwing */
  open: (key: DocKey) => Promise<void>
  /** false while a new desk's bootstrap owns the documents */
  settled: () => boolean
  /** how often a connected desk compares its documents with the relay's; default 60 s */
  intervalMs?: number
  /** where its lines go (the desk's logger, with clinic and desk); default the process's */
  log?: Logger
}

/**
 * Brings the desk level with the relay: on every relay connection, and every minute while
 * connected, it asks the relay for the heads of every document of the clinic and opens those the
 * relay holds differently from what the read model reflects, so their changes flow both ways.
 *
 * The relay pushes a document only when it changes while the desk is connected; a push lost in a
 * connection that stalled (the relay's sync state then takes it as sent, and a desk with nothing
 * new never asks) left a desk "online, nothing waiting" and behind for good (chaos seed 42); the
 * relay now gives a rejoining desk fresh synchronizers (RelayPolicy). Here: a request that comes
 * while a pass runs is never dropped (another pass follows; the old subscribeAll returned early),
 * an open that hangs does not hold the pass, and the comparison repeats every minute.
 */
export class RelayCatchUp {
  readonly #o: RelayCatchUpOptions
  readonly #log: Logger
  #running = false
  #again = false
  #closed = false
  readonly #timer: ReturnType<typeof setInterval>
  /** open documents lacking relay heads at the last pass, with the heads they lacked */
  #behind = new Map<DocKey, string[]>()
  /** documents exchanged afresh because they stayed behind the relay */
  resyncs = 0

  constructor(o: RelayCatchUpOptions) {
    this.#o = o
    this.#log = o.log ?? rootLogger()
    this.#timer = setInterval(() => {
      if (o.sync.online && o.settled()) void this.run()
    }, o.intervalMs ?? 60_000)
    this.#timer.unref()
  }

  close(): void {
    this.#closed = true
    clearInterval(this.#timer)
  }

  /** Runs a pass now, or right after the one running. */
  async run(): Promise<void> {
    if (!this.#o.settled() || this.#closed) return
    if (this.#running) {
      this.#again = true
      return
    }
    this.#running = true
    try {
      do {
        this.#again = false
        await this.#pass()
      } while (this.#again && !this.#closed)
    } catch (e) {
      this.#log.error(`catching up with the relay failed: ${(e as Error).message}`)
    } finally {
      this.#running = false
    }
  }

  async #pass(): Promise<void> {
    const { docs, ledger, sync } = this.#o
    const root = await docs.open(ROOT)
    for (const p of Object.keys((root.doc() as RootDoc).partitions ?? {})) if (isDocKey(p)) docs.layout.add(p)
    const relayHeads = await this.#relayHeads()
    // the desk closed while the relay answered (a desk enrolling again closes and reopens at once)
    if (this.#closed) return
    for (const k of Object.keys(relayHeads ?? {})) if (isDocKey(k)) docs.layout.add(k)
    const differs = (k: DocKey): boolean => {
      const theirs = relayHeads?.[k]
      if (theirs === undefined) return false
      const ours = ledger.getDocHeads(docs.layout.idOf(k))
      return ours === undefined || !sameHeads(ours, decodeHeads(theirs as UrlHeads))
    }
    // the documents of the clinic that exist (listed in the root, on this desk's disk, or at the
    // relay) and that the relay holds differently from what this desk's read model reflects
    const closed = docs.layout.keys().filter(k => {
      if (docs.isOpen(k)) return false
      if (!relayHeads) return docs.isLocal(k) || (root.doc() as RootDoc).partitions?.[k]
      return relayHeads[k] === undefined ? docs.isLocal(k) : differs(k)
    })
    const deaf = this.#deaf(relayHeads)
    if (deaf.length > 0) await this.#resync(deaf)
    if (DEBUG)
      this.#log.info(
        `catching up: ${closed.length} to open, ${deaf.length} deaf, relay heads ${relayHeads ? "known" : "unknown"}`,
      )
    for (let i = 0; i < closed.length && !this.#closed && sync.online; i += 4)
      await this.#openAll(closed.slice(i, i + 4))
  }

  async #openAll(keys: DocKey[]): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const slow = new Promise<"slow">(resolve => {
      timer = setTimeout(() => resolve("slow"), SLOW_OPEN_MS)
    })
    const outcome = await Promise.race([Promise.all(keys.map(k => this.#o.open(k))), slow])
    clearTimeout(timer)
    if (outcome === "slow")
      this.#log.error(`opening ${keys.join(", ")} takes over ${SLOW_OPEN_MS / 1000} s; going on without waiting`)
  }

  /**
   * Open documents that still lack heads the relay held at the previous pass: an exchange brings
   * them in a second, so these stopped hearing the relay - a push the desk never applied stays
   * "sent" in the relay's sync state (Automerge then never sends it again), or the desk's
   * synchronizer is bound to an earlier handle. Remembers what each open document lacks now.
   */
  #deaf(relayHeads: Record<string, string[]> | undefined): DocKey[] {
    const { docs } = this.#o
    const before = this.#behind
    this.#behind = new Map()
    const deaf: DocKey[] = []
    for (const [k, theirs] of Object.entries(relayHeads ?? {})) {
      if (!isDocKey(k) || !docs.isOpen(k)) continue
      const heads = decodeHeads(theirs as UrlHeads)
      if (!docs.holds(k, heads)) this.#behind.set(k, heads)
      const lacked = before.get(k)
      if (lacked && !docs.holds(k, lacked)) deaf.push(k)
    }
    return deaf
  }

  /** Both ends start these documents' exchange over: the relay (asked) and this desk. */
  async #resync(keys: DocKey[]): Promise<void> {
    const { server, clinicId, docs } = this.#o
    this.#log.error(
      `${keys.length} open document(s) behind the relay since the last comparison, exchanging them afresh: ${keys.join(", ")}`,
    )
    this.resyncs += keys.length
    if (server)
      try {
        const res = await fetchClinic(server, clinicId, "resync", this.#o.headers(), 30_000, undefined, { keys })
        if (!res.ok) this.#log.error(`the relay answered ${res.status} to a resync`)
      } catch (e) {
        this.#log.error(`could not ask the relay to resync: ${(e as Error).message}`)
      }
    for (const k of keys) docs.resync(k)
  }

  /** The relay's current heads of every document of the clinic, or undefined if it cannot say. */
  async #relayHeads(): Promise<Record<string, string[]> | undefined> {
    if (!this.#o.server) return undefined
    try {
      const res = await fetchClinic(this.#o.server, this.#o.clinicId, "heads", this.#o.headers(), 30_000)
      return res.ok ? ((await res.json()) as Record<string, string[]>) : undefined
    } catch {
      return undefined
    }
  }
}
