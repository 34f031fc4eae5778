import { sameHeads, type DocKey } from "@vetsync/shared"
import type { Bootstrapper } from "./Bootstrapper.js"
import { BootstrapSources, type LanBootstrap } from "./BootstrapSources.js"
import { DocStore } from "./DocStore.js"
import type { SyncLedger } from "./readmodel/SyncLedger.js"
import { RelayCatchUp } from "./RelayCatchUp.js"
import type { SnapshotSource } from "./SnapshotSource.js"
import type { SyncTracker } from "./SyncTracker.js"
import { rootLogger, type Logger } from "@vetsync/shared/log"

const DEBUG = process.env.VETSYNC_DEBUG?.includes("docs") ?? false
/** documents that stay loaded: small, and read on every start (a desk's first writes are their heads) */
export const PINNED: ReadonlySet<DocKey> = new Set<DocKey>(["root", "pricelist", "rejections", "profile", "staff"])
/** at most this many other documents stay in memory once they are in sync with the relay */
const MAX_LOADED = 8
/** a document is unloaded only after this long unused */
const MIN_IDLE_MS = 30_000

export interface DocFollowerOptions {
  server: string | undefined
  clinicId: string
  headers: () => Record<string, string>
  docs: DocStore
  ledger: SyncLedger
  sync: SyncTracker
  bootstrap: Bootstrapper
  /** the snapshot was applied: views refresh */
  onSnapshot: () => void
  /** true while a document has read-model work queued */
  hasPendingUpdate: (key: DocKey) => boolean
  /** how often a connected desk compares its documents with the relay's (RelayCatchUp); default 60 s */
  catchUpMs?: number
  /** a new desk may take its snapshot from a LAN peer when the relay's does not come (issue 15) */
  lanBootstrap?: LanBootstrap
  /** where its lines go (the desk's logger, with clinic and desk); default the process's */
  log?: Logger
}

/**
 * Decides which of the clinic's documents a desk holds in memory, and when: documents with
 * unacknowledged changes at start (automerge-repo never pushes a document it has not loaded); a
 * new desk's bootstrap (the relay's snapshot, then its bundle, before anything is opened one by
 * one); on every relay connection, the documents the relay holds differently; documents that
 * peers send; and unloading beyond MAX_LOADED once a document is in sync and reflected.
 */
export class DocFollower {
  readonly #o: DocFollowerOptions
  readonly #log: Logger
  readonly #relayWaiters = new Set<() => void>()
  #abortSnapshot: (() => void) | undefined
  /** aborts the bootstrap's downloads (from the relay or a LAN peer) when the desk closes */
  readonly #closing = new AbortController()
  /** the bootstrap running in the background: close() waits for it (it writes into the desk's directory) */
  #run: Promise<void> = Promise.resolve()
  /** the bootstrap's pauses between attempts, cut short by close() */
  readonly #sleepers = new Set<() => void>()
  /** false while a new desk takes the relay's snapshot and bundle: documents are not opened one by one meanwhile */
  #settled: boolean
  readonly #catchUp: RelayCatchUp
  #trimming = false
  #closed = false
  /** documents peers sent before the desk was settled: opened once it is */
  readonly #deferred = new Set<DocKey>()
  /** documents kept past MIN_IDLE_MS with no read-model update since are unloaded by this */
  readonly #trimTimer: ReturnType<typeof setInterval>

  constructor(o: DocFollowerOptions) {
    this.#o = o
    this.#log = o.log ?? rootLogger()
    this.#settled = !o.server || o.bootstrap.phase === "done"
    this.#catchUp = new RelayCatchUp({
      server: o.server,
      clinicId: o.clinicId,
      headers: o.headers,
      log: this.#log,
      docs: o.docs,
      ledger: o.ledger,
      sync: o.sync,
      open: key => this.open(key),
      settled: () => this.#settled,
      intervalMs: o.catchUpMs,
    })
    this.#trimTimer = setInterval(() => void this.trim(), MIN_IDLE_MS)
    this.#trimTimer.unref()
    o.docs.repo.networkSubsystem.on("peer-disconnected", () => {
      if (!o.sync.online) this.#abortSnapshot?.()
    })
    o.docs.repo.networkSubsystem.on("message", msg => {
      const key = "documentId" in msg && msg.documentId ? o.docs.keyOf(msg.documentId) : undefined
      if (!key || o.docs.isOpen(key)) return
      // a LAN peer's document is opened at once, even before the relay's snapshot: a desk that
      // never reached the relay takes what the desks beside it have (client/test/lan/lanNeverSynced);
      // the snapshot, when it comes, leaves the records of a document the read model took from the
      // document itself to the document (SnapshotApplier), which merges the relay's changes in.
      // The relay's messages wait for the snapshot (the bootstrap opens the documents then); and
      // whatever waited is opened once the desk is settled: its peers sent everything already, and
      // send nothing more unless it changes again
      if (!this.#settled && !msg.senderId.startsWith("desk:")) {
        if (DEBUG && !this.#deferred.has(key)) this.#log.info(`message ${msg.type} for ${key} before the snapshot: opened later`)
        this.#deferred.add(key)
        return
      }
      if (DEBUG) this.#log.info(`message ${msg.type} for closed ${key}`)
      void this.open(key)
    })
  }

  /**
   * Opens the documents with unacknowledged changes and the pinned ones, then bootstraps in the
   * background. A new desk opens the pinned ones only after the snapshot: loading them first
   * delayed the snapshot, and the snapshot's price list and rejections are then taken as they are.
   */
  async start(): Promise<void> {
    for (const key of this.#o.sync.dirtyKeys()) await this.open(key)
    const server = this.#o.server
    const fresh = server !== undefined && this.#o.bootstrap.phase === "none"
    if (!fresh) await this.#openPinned()
    if (server) this.#run = this.#runBootstrap(server).catch((e: unknown) => this.#log.warn(`bootstrap stopped: ${(e as Error).message}`))
  }

  async #openPinned(): Promise<void> {
    for (const key of PINNED) await this.open(key)
  }

  /** Call when a relay connection opens. */
  relayUp(): void {
    for (const w of [...this.#relayWaiters]) w()
    void this.#catchUp.run()
  }

  /**
   * "Sync now" while online: reopens the documents holding unacknowledged changes (so they are
   * sent again on a fresh synchronizer if one stalled) and asks the relay what it holds differently.
   */
  async refresh(): Promise<void> {
    for (const key of this.#o.sync.dirtyKeys()) await this.open(key)
    await this.#catchUp.run()
  }

  /** A partition newly listed in the root: open it to receive its records (after the bootstrap). */
  partitionListed(key: DocKey): void {
    if (this.#o.docs.isOpen(key)) return
    // listed before the desk settled (a partition a LAN peer made meanwhile): opened once it is
    if (this.#settled) void this.open(key)
    else this.#deferred.add(key)
  }

  /** Opens a document, logging (not throwing) a failure. */
  async open(key: DocKey): Promise<void> {
    try {
      await this.#o.docs.open(key)
    } catch (e) {
      this.#log.error(`could not open ${key}: ${(e as Error).message}`)
    }
  }

  close(): void {
    this.#closed = true
    clearInterval(this.#trimTimer)
    this.#catchUp.close()
    this.#o.bootstrap.close()
    this.#abortSnapshot?.()
    this.#closing.abort(new Error("the desk is closing"))
    for (const w of [...this.#relayWaiters]) w()
    for (const w of [...this.#sleepers]) w()
  }

  /** Resolves once the bootstrap has stopped after close(): it writes nothing into the desk's directory after that. */
  async closed(): Promise<void> {
    await this.#run
  }

  /** Waits `ms`, or less when the desk closes. */
  #pause(ms: number): Promise<void> {
    if (this.#closed) return Promise.resolve()
    return new Promise(resolve => {
      const done = (): void => {
        clearTimeout(timer)
        this.#sleepers.delete(done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.#sleepers.add(done)
    })
  }

  async #runBootstrap(server: string): Promise<void> {
    const { bootstrap, sync, docs } = this.#o
    const sources = new BootstrapSources({
      server,
      clinicId: this.#o.clinicId,
      headers: this.#o.headers,
      online: () => sync.online,
      ...(this.#o.lanBootstrap ? { lan: this.#o.lanBootstrap } : {}),
    })
    let from: SnapshotSource | undefined
    for (let attempt = 0; bootstrap.phase === "none" && !this.#closed; attempt++) {
      // the snapshot comes from the relay: asked for at once (the sync connection is still opening),
      // after a failure once it is connected again; or from a LAN peer when the relay's does not
      // come in time (BootstrapSources). A relay download is given up when the relay goes away
      const source = await sources.pick(() => this.#closed)
      if (!source) return
      const abort = new AbortController()
      if (source.kind === "relay") this.#abortSnapshot = () => abort.abort(new Error("the relay went away"))
      try {
        await bootstrap.loadSnapshotFrom(source, this.#o.clinicId, AbortSignal.any([abort.signal, this.#closing.signal]))
        from = source
        if (source.kind === "lan") this.#log.info(`took the clinic's snapshot from ${source.name}`)
        this.#o.onSnapshot()
      } catch (e) {
        sources.failed(source)
        if (attempt === 0 || source.kind === "lan") this.#log.warn(`snapshot not loaded yet from ${source.name}: ${(e as Error).message}`)
        await this.#pause(Math.min(30_000, 500 * 2 ** attempt))
      } finally {
        this.#abortSnapshot = undefined
      }
    }
    // then every document: whole from the bundle of the snapshot's source (asked for with the
    // snapshot; the relay's after a restart), or else one by one through sync; the pinned ones are
    // opened after it, from disk
    if (bootstrap.phase === "documents" && from?.kind !== "lan") await this.#relayUp()
    for (let attempt = 1; bootstrap.phase === "documents" && (from?.kind === "lan" || sync.online) && !this.#closed; attempt++) {
      try {
        if (from?.kind === "lan") await bootstrap.loadDocumentsFrom(from, this.#closing.signal)
        else await bootstrap.loadDocuments(server, this.#o.clinicId, this.#o.headers(), this.#closing.signal)
        break
      } catch (e) {
        if (this.#closed) break
        const why = `${(e as Error).message}${(e as Error).cause ? ` (${String((e as Error).cause)})` : ""}`
        if (attempt >= 3) {
          this.#log.warn(`document bundle not loaded, syncing documents one by one: ${why}`)
          break
        }
        this.#log.warn(`document bundle not loaded (attempt ${attempt}), retrying: ${why}`)
        await this.#pause(1000 * attempt)
      }
    }
    if (!this.#closed) await this.#openPinned()
    const keys = bootstrap.targetKeys().filter(k => !docs.isOpen(k) && !bootstrap.isCaughtUp(k))
    for (let i = 0; i < keys.length && !this.#closed; i += 4)
      await Promise.all(keys.slice(i, i + 4).map(k => this.open(k)))
    // a desk closed meanwhile has closed its read model too: nothing more to record
    if (this.#closed) return
    bootstrap.check()
    this.#settled = true
    const deferred = [...this.#deferred].filter(k => !docs.isOpen(k))
    this.#deferred.clear()
    if (DEBUG && deferred.length > 0) this.#log.info(`opening what peers sent during the bootstrap: ${deferred.join(", ")}`)
    for (let i = 0; i < deferred.length && !this.#closed; i += 4)
      await Promise.all(deferred.slice(i, i + 4).map(k => this.open(k)))
    void this.trim()
    // documents created after the snapshot, and any the relay holds differently by now
    void this.#catchUp.run()
  }

  /** Resolves when a relay is connected (or the desk closes). */
  #relayUp(): Promise<void> {
    if (this.#o.sync.online || this.#closed) return Promise.resolve()
    return new Promise(resolve => {
      const done = (): void => {
        this.#relayWaiters.delete(done)
        resolve()
      }
      this.#relayWaiters.add(done)
    })
  }

  /**
   * Keeps memory bounded: beyond MAX_LOADED, unloads the least recently used documents that hold
   * nothing the relay lacks and that the read model fully reflects.
   */
  async trim(): Promise<void> {
    if (this.#trimming || this.#closed) return
    this.#trimming = true
    const { docs, ledger, sync, bootstrap } = this.#o
    try {
      const open = docs.leastRecentlyUsed().filter(h => !PINNED.has(h.key))
      let excess = open.length - MAX_LOADED
      const now = Date.now()
      for (const { key, handle, usedAt } of open) {
        if (excess <= 0) break
        // a document opened or changed moments ago may be in the middle of its exchange with the relay
        if (now - usedAt < MIN_IDLE_MS) continue
        if (this.#o.hasPendingUpdate(key) || !bootstrap.isCaughtUp(key) || !sync.isSettled(handle)) continue
        const recorded = ledger.getDocHeads(handle.documentId)
        if (!recorded || !sameHeads(recorded, DocStore.heads(handle))) continue
        await docs.unload(key)
        excess--
      }
    } catch (e) {
      this.#log.error({ err: e }, "unloading documents failed")
    } finally {
      this.#trimming = false
    }
  }
}
