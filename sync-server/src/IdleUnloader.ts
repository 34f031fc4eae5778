import * as A from "@automerge/automerge"
import type { DocHandle, DocumentId, Repo } from "@automerge/automerge-repo"
import type { LineLog } from "@vetsync/shared/log"
import { unloadFromRepo } from "@vetsync/shared/storage"

export interface IdleUnloaderOptions {
  repo: Repo
  /** a document untouched this long is unloaded */
  idleMs: number
  /** how often to look for idle documents; default a quarter of idleMs, between 1 s and 60 s */
  sweepMs?: number
  /**
   * at most this many documents stay loaded: past it, the least recently touched of those untouched
   * for `minIdleMs` are unloaded at once, as idle ones are (the next message about one loads it
   * again: a cost in CPU each time, traded for a bound on memory); default none (idleMs alone)
   */
  maxLoaded?: number
  /** a document touched this recently is not unloaded to keep to maxLoaded; default 2 s */
  minIdleMs?: number
  /** documents that must stay loaded for now (a durable acknowledgement being written) */
  busy?: (docId: DocumentId) => boolean
  log?: LineLog
  now?: () => number
}

/** how soon a sweep follows a touch while more than maxLoaded documents may be loaded */
const OVER_SWEEP_MS = 250

/** how long after its unload a document's memory is freed */
const FREE_AFTER_MS = 1_000

/**
 * Keeps the relay's memory to the documents in use: a document no peer has touched (no sync
 * message, no change) for `idleMs` is written to storage and removed from the Repo
 * (automerge-repo 2.5.6 `removeFromCache`: the handle is unloaded and its synchronizer dropped,
 * with every peer's sync state of it). The next message about it finds it again: the Repo loads
 * it from storage and starts a fresh exchange with the peers (a fresh sync state is a correct
 * one, it only costs a round of heads), so nothing is lost.
 *
 * Touches: every document frame a peer sends (`touch`, from the socket before the Repo sees it)
 * and every change of its heads. A document is unloaded only after a flush and a second look in
 * the same turn of the event loop as the removal, so a message that arrived meanwhile keeps it.
 */
export class IdleUnloader {
  readonly #o: IdleUnloaderOptions
  readonly #touched = new Map<DocumentId, number>()
  readonly #watched = new WeakSet<DocHandle<unknown>>()
  readonly #now: () => number
  #timer: ReturnType<typeof setInterval> | undefined
  /** a sweep soon, for maxLoaded */
  #soon: ReturnType<typeof setTimeout> | undefined
  #sweeping: Promise<number> | undefined
  #closed = false
  /** documents unloaded since the start */
  unloaded = 0

  constructor(o: IdleUnloaderOptions) {
    this.#o = o
    this.#now = o.now ?? Date.now
  }

  /** Looks for idle documents every sweepMs from now on. */
  start(): void {
    if (this.#timer || this.#closed) return
    const every = this.#o.sweepMs ?? Math.min(60_000, Math.max(1_000, Math.round(this.#o.idleMs / 4)))
    this.#timer = setInterval(() => void this.sweep(), every)
    this.#timer.unref()
  }

  /** A peer talked about the document, or the relay used it: its idle time starts over. */
  touch(docId: DocumentId): void {
    this.#touched.set(docId, this.#now())
    // with a bound on how many stay loaded, a touch (perhaps of a document not loaded yet) is
    // followed by a sweep soon; the sweep counts
    if (this.#o.maxLoaded !== undefined && !this.#soon && !this.#closed)
      this.#soon = setTimeout(() => {
        this.#soon = undefined
        void this.sweep()
      }, OVER_SWEEP_MS).unref()
  }

  /** Unloads every document idle for idleMs now; resolves with how many (a sweep running: that one's). */
  sweep(): Promise<number> {
    return (this.#sweeping ??= this.#sweep().finally(() => (this.#sweeping = undefined)))
  }

  async close(): Promise<void> {
    this.#closed = true
    clearInterval(this.#timer)
    clearTimeout(this.#soon)
    await this.#sweeping?.catch(() => undefined)
  }

  #idle(docId: DocumentId): boolean {
    const at = this.#touched.get(docId)
    return at !== undefined && this.#now() - at >= this.#o.idleMs
  }

  /**
   * Beyond idle ones, the documents to unload to keep to maxLoaded: the least recently touched of
   * the ready ones untouched for minIdleMs, as many as are over.
   */
  #over(ready: DocumentId[], idle: DocumentId[]): DocumentId[] {
    const max = this.#o.maxLoaded
    if (max === undefined) return []
    const over = ready.length - idle.length - max
    if (over <= 0) return []
    const minIdle = this.#o.minIdleMs ?? 2_000
    const now = this.#now()
    const leaving = new Set(idle)
    return ready
      .filter(id => !leaving.has(id) && now - (this.#touched.get(id) ?? now) >= minIdle && !this.#o.busy?.(id))
      .sort((a, b) => (this.#touched.get(a) ?? 0) - (this.#touched.get(b) ?? 0))
      .slice(0, over)
  }

  async #sweep(): Promise<number> {
    const { repo } = this.#o
    const idle: DocumentId[] = []
    const ready: DocumentId[] = []
    for (const handle of Object.values(repo.handles)) {
      const id = handle.documentId
      if (!this.#watched.has(handle)) {
        this.#watched.add(handle)
        handle.on("heads-changed", () => this.touch(id))
      }
      // a document loading, or asked for and not found, is left alone (removeFromCache keeps those)
      if (!handle.isReady()) continue
      ready.push(id)
      // first seen now (loaded by the relay itself): its idle time starts here
      if (!this.#touched.has(id)) this.#touched.set(id, this.#now())
      else if (this.#idle(id) && !this.#o.busy?.(id)) idle.push(id)
    }
    // each with the touch it was chosen at: one touched since is kept
    const chosen = new Map<DocumentId, number>()
    for (const id of [...idle, ...this.#over(ready, idle)]) chosen.set(id, this.#touched.get(id) ?? 0)
    for (const [id] of this.#touched) if (!repo.handles[id]) this.#touched.delete(id)
    let n = 0
    // one at a time: each is written to storage first
    for (const [id, seen] of chosen) {
      if (this.#closed) break
      try {
        await repo.flush([id])
      } catch (e) {
        this.#o.log?.(`could not write idle document ${id}, kept loaded: ${(e as Error).message}`)
        continue
      }
      const handle = repo.handles[id]
      // touched or changed while it was written, or already gone: kept as it is
      if (!handle?.isReady() || this.#touched.get(id) !== seen || this.#o.busy?.(id)) continue
      const doc = handle.doc()
      // not removeFromCache alone: it saved the emptied document over the stored one (unloadFromRepo)
      await unloadFromRepo(repo, id)
      // automerge-repo 2.5.6 only drops the unloaded document (DocHandle's onUnload): its wasm
      // memory waited for a garbage collection that a small JS object never prompts, so the relay
      // grew by every document it ever loaded (1.9 GB after each of the seeds' 70 documents was
      // loaded once, 6 at a time). Freed a moment later, once whatever used it last is done.
      if (doc !== undefined && handle.isUnloaded()) setTimeout(() => A.free(doc), FREE_AFTER_MS).unref()
      this.#touched.delete(id)
      this.unloaded++
      n++
    }
    if (n > 0) this.#o.log?.(`unloaded ${n} idle document(s); ${Object.keys(repo.handles).length} loaded`, { level: "debug" })
    return n
  }
}
