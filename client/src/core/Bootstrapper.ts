import { decodeHeads, type UrlHeads } from "@automerge/automerge-repo"
import { hasAllHeads, decodeBundle, isDocKey, isServerOwned, type DocKey, type SnapshotHeader } from "@vetsync/shared"
import type { BootstrapProgress } from "./api.js"
import { applySnapshotStream } from "./applySnapshotStream.js"
import { BootstrapTimings } from "./BootstrapTimings.js"
import { BundlePrefetch } from "./BundlePrefetch.js"
import type { DocStore } from "./DocStore.js"
import type { ReadModel } from "./readmodel/ReadModel.js"
import { SnapshotApplier } from "./SnapshotApplier.js"
import { staffFromBundle } from "./staffFromBundle.js"
import { takeReadModelImage } from "./takeReadModelImage.js"
import { RelaySnapshotSource, type SnapshotSource } from "./SnapshotSource.js"
import { rootLogger, type Logger } from "@vetsync/shared/log"

const DEBUG = process.env.VETSYNC_DEBUG?.includes("bootstrap") ?? false

export { fetchClinic } from "./SnapshotSource.js"

/**
 * Brings a new desk up: first the relay's compact snapshot of the clinic's current records
 * (search works as soon as it is in the read model), then every document in the background;
 * the read model catches up from the heads the snapshot recorded.
 */
export class Bootstrapper {
  readonly #rm: ReadModel
  readonly #docs: DocStore
  readonly #targets = new Map<DocKey, string[]>()
  /** target documents seen at (or past) the snapshot's heads; they may have been unloaded since */
  readonly #caughtUp = new Set<DocKey>()
  #phase: BootstrapProgress["phase"]
  /** records of the snapshot applied so far (while it streams in) */
  #received = 0
  #total = 0
  #onProgress: () => void
  readonly #log: Logger
  readonly #closing = new AbortController()
  /** the bundle asked for with the snapshot, until loadDocumentsFrom takes it */
  readonly #bundle: BundlePrefetch
  /** a read-model image was taken: WAL checkpoints wait for the bootstrap's end, or this timer */
  #checkpointsPaused: NodeJS.Timeout | undefined
  /** where the bootstrap's time went (the desk benchmark prints it) */
  readonly timings = new BootstrapTimings()

  constructor(rm: ReadModel, docs: DocStore, onProgress: () => void, log: Logger = rootLogger()) {
    this.#bundle = new BundlePrefetch(this.#closing.signal, this.timings)
    this.#log = log
    this.#rm = rm
    this.#docs = docs
    this.#onProgress = onProgress
    this.#phase = rm.ledger.bootstrapPhase() ?? "none"
    // stopped while the snapshot streamed in: what arrived stays, the snapshot is taken again
    if (this.#phase === "snapshot") this.#setPhase("none")
    for (const [k, h] of Object.entries(rm.ledger.bootstrapTargets() ?? {})) this.#targets.set(k as DocKey, h)
  }

  get phase(): BootstrapProgress["phase"] {
    return this.#phase
  }

  get running(): boolean {
    return this.#phase === "snapshot" || this.#phase === "documents"
  }

  progress(): BootstrapProgress {
    let local = 0
    for (const [key, heads] of this.#targets) if (this.#hasCaughtUp(key, heads)) local++
    if (this.#phase === "done") local = this.#targets.size
    return {
      phase: this.#phase,
      docsTotal: this.#targets.size,
      docsLocal: local,
      records: this.#received,
      recordsTotal: this.#total,
    }
  }

  /**
   * Downloads the snapshot and applies it as it streams in (once per desk; applySnapshotStream).
   * The document bundle is asked for at the same time (loadDocuments takes it), so it downloads
   * while the snapshot is applied. The heads are recorded only with the end line; a snapshot cut
   * off (an error) or a desk stopped half-way starts over.
   */
  async loadSnapshot(
    server: string,
    clinicId: string,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<void> {
    return this.loadSnapshotFrom(new RelaySnapshotSource(server, clinicId, () => headers), clinicId, signal)
  }

  /**
   * loadSnapshot from either source (the relay, or a LAN peer: issue 15), with the same checks.
   * A LAN peer's snapshot records as acknowledged by the relay only what that peer says the relay
   * acknowledged to it (its header's `acked`), so "records waiting" keeps meaning "not at the relay".
   */
  async loadSnapshotFrom(source: SnapshotSource, clinicId: string, signal?: AbortSignal): Promise<void> {
    if (this.#phase !== "none") return
    this.#setPhase("snapshot")
    this.#received = 0
    this.timings.reset()
    this.#rm.setDurable(false)
    try {
      this.timings.mark("requestedAt")
      const image = await takeReadModelImage({
        rm: this.#rm,
        source,
        clinicId,
        timings: this.timings,
        signal: signal ? AbortSignal.any([signal, this.#closing.signal]) : this.#closing.signal,
        log: this.#log,
        answered: () => this.#bundle.ask(source),
      })
      if (image) {
        // the image's pages are copied from the WAL into the database once the desk has its documents
        this.#checkpointsPaused = setTimeout(() => this.#resumeCheckpoints(), CHECKPOINTS_PAUSED_MS).unref()
        this.#total = this.#received = image.records
        this.timings.mark("firstRecordsAt")
        this.timings.mark("appliedAt")
        this.#rm.setDurable(true)
        this.timings.time("finishMs", () => this.#finish(() => undefined, image, source.kind))
        this.#log.info(`the read model taken whole from ${source.name}'s image: ${image.records} records as of ${image.generatedAt}`)
        this.#setPhase("documents")
        return
      }
      const input = await source.snapshot(signal)
      this.timings.mark("answeredAt")
      this.#bundle.ask(source)
      const started = performance.now()
      const apply = new SnapshotApplier(this.#rm, clinicId, this.timings)
      const { header, lines } = await applySnapshotStream(input, apply, this.timings, {
        total: records => {
          this.#total = records
        },
        applied: records => {
          this.#received += records
          this.#onProgress()
        },
      })
      if (DEBUG)
        this.#log.info(
          { timings: this.timings.phases },
          `snapshot from ${source.name}: ${lines} lines, ${this.#received} records in ${(performance.now() - started).toFixed(0)} ms`,
        )
      this.#rm.setDurable(true)
      this.timings.time("finishMs", () => this.#finish(() => apply.finish(), header, source.kind))
      this.#log.info(`the snapshot from ${source.name} applied: ${this.#received} records as of ${header.generatedAt}`)
      this.#setPhase("documents")
    } catch (e) {
      this.#bundle.drop()
      this.#restoreIndexes()
      this.#setPhase("none")
      throw e
    } finally {
      this.#rm.setDurable(true)
    }
  }

  /** A snapshot given up half-way leaves the indexes a fresh desk's bulk load dropped: built again now. */
  #restoreIndexes(): void {
    try {
      this.#rm.restoreIndexes()
    } catch (e) {
      // a desk closed meanwhile has closed its read model: ReadModel.open builds them at the next start
      this.#log.warn(`could not rebuild the read model's indexes yet: ${(e as Error).message}`)
    }
  }

  /** Records the heads the snapshot reflects, in one transaction with its price list and rejections (`lists`). */
  #finish(lists: () => void, header: SnapshotHeader, from: SnapshotSource["kind"]): void {
    const rm = this.#rm
    const ledger = rm.ledger
    const targets: Record<string, string[]> = {}
    rm.transaction(() => {
      lists()
      const now = new Date().toISOString()
      for (const [key, state] of Object.entries(header.docs)) {
        if (!state || !isDocKey(key)) continue
        const heads = decodeHeads(state.heads as UrlHeads)
        this.#docs.layout.add(key)
        // heads the read model already reflects (its own writes, earlier syncs) are kept; the staff
        // are not in the snapshot's lines: the read model takes them from the document itself (from
        // a LAN peer's bundle, without the document: loadDocumentsFrom)
        if ((key !== "staff" || from === "lan") && ledger.getDocHeads(state.docId) === undefined)
          ledger.setDocHeads(state.docId, key, heads)
        const acked = from === "relay" ? heads : ackedHeads(header, key)
        if (acked && ledger.getRelayHeads(state.docId) === undefined) ledger.setRelayHeads(state.docId, acked, now)
        targets[key] = heads
        this.#targets.set(key, heads)
      }
      ledger.setBootstrapTargets(targets, header.generatedAt)
    })
  }

  /**
   * Downloads every document of the clinic whole (the relay's bundle, built with or after the
   * snapshot) and keeps them on disk: the desk has everything local without replaying each
   * document through the sync protocol. Returns how many documents it took.
   */
  async loadDocuments(
    server: string,
    clinicId: string,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<number> {
    return this.loadDocumentsFrom(new RelaySnapshotSource(server, clinicId, () => headers), signal)
  }

  /**
   * loadDocuments from either source. From a LAN peer the server-owned documents (price list,
   * rejections, profile, staff) are not taken (a desk takes those from the relay only): the read
   * model shows the peer's copy of them (the snapshot's lines; the staff from its bundle) until
   * the relay's arrive, and the bootstrap is done only then.
   */
  async loadDocumentsFrom(source: SnapshotSource, signal?: AbortSignal): Promise<number> {
    if (this.#phase !== "documents") return 0
    const bytes = (await this.#bundle.take(source)) ?? (await source.documents(signal))
    const t = performance.now()
    const entries = decodeBundle(bytes)
    let taken = 0
    for (const e of entries) {
      if (!isDocKey(e.key) || this.#docs.layout.idOf(e.key) !== e.docId) continue
      if (source.kind === "lan" && isServerOwned(e.key)) {
        if (e.key === "staff") staffFromBundle(this.#rm, e.docId, e.bytes, this.#targets.get("staff"))
        continue
      }
      await this.#docs.importWhole(e.key, e.bytes)
      taken++
      if (this.#targets.has(e.key)) this.#caughtUp.add(e.key)
    }
    this.timings.add("bundleWriteMs", performance.now() - t)
    this.timings.mark("documentsAt")
    this.check()
    return taken
  }

  /** Gives up a bundle still downloading (the desk closes). */
  close(): void {
    // the read model's close checkpoints what waits
    clearTimeout(this.#checkpointsPaused)
    this.#checkpointsPaused = undefined
    this.#closing.abort(new Error("the desk closed"))
    this.#bundle.forget()
  }

  /** The documents the desk must have locally. */
  targetKeys(): DocKey[] {
    return [...this.#targets.keys()]
  }

  /** Called whenever a document changes: finishes the bootstrap once every document has caught up. */
  check(): void {
    if (this.#phase !== "documents") return
    for (const [key, heads] of this.#targets) if (!this.#hasCaughtUp(key, heads)) return
    this.#setPhase("done")
    if (this.#checkpointsPaused) setImmediate(() => this.#resumeCheckpoints())
  }

  /** Checkpoints as usual again, after a read-model image (ReadModel.pauseCheckpoints). */
  #resumeCheckpoints(): void {
    if (!this.#checkpointsPaused) return
    clearTimeout(this.#checkpointsPaused)
    this.#checkpointsPaused = undefined
    try {
      this.#rm.resumeCheckpoints()
    } catch (e) {
      // a desk closed meanwhile: closing its read model checkpointed
      this.#log.warn(`could not resume the read model's checkpoints: ${(e as Error).message}`)
    }
  }

  /** True once the document has been seen locally with every change of the snapshot. */
  isCaughtUp(key: DocKey): boolean {
    const heads = this.#targets.get(key)
    return heads === undefined || this.#phase === "done" || this.#hasCaughtUp(key, heads)
  }

  #hasCaughtUp(key: DocKey, heads: string[]): boolean {
    if (this.#caughtUp.has(key)) return true
    const doc = this.#docs.handleOf(key)?.doc()
    const yes = doc !== undefined && hasAllHeads(doc, heads)
    if (yes) this.#caughtUp.add(key)
    return yes
  }

  #setPhase(phase: BootstrapProgress["phase"]): void {
    this.#phase = phase
    this.#rm.ledger.setBootstrapPhase(phase)
    this.#onProgress()
  }
}

/** how long WAL checkpoints wait at most after a read-model image, for the bootstrap's end */
const CHECKPOINTS_PAUSED_MS = 30_000

/** The heads a LAN peer's snapshot says the relay acknowledged for a document (hex), if it says. */
const ackedHeads = (header: SnapshotHeader, key: DocKey): string[] | undefined => {
  const h = header.acked?.[key]
  return Array.isArray(h) && h.every(x => typeof x === "string") ? decodeHeads(h as UrlHeads) : undefined
}
