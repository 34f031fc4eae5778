import type { DocKey } from "@vetsync/shared"
import type { Bootstrapper } from "./Bootstrapper.js"
import type { ClinicHandle, DocStore } from "./DocStore.js"
import type { ReadModelUpdater, UpdateResult } from "./ReadModelUpdater.js"
import type { SyncTracker } from "./SyncTracker.js"
import { rootLogger, type Logger } from "@vetsync/shared/log"

/** a document's changes are taken this long after the first of them (one update for a burst) */
const DEBOUNCE_MS = 25

export interface ReadModelSchedulerOptions {
  docs: DocStore
  updater: ReadModelUpdater
  sync: SyncTracker
  bootstrap: Bootstrapper
  /** how long the read model may reflect heads its document lacks, past the bootstrap, before it is rebuilt; default 60 s */
  aheadMs?: number
  /** after every update of a document from its changes (`result`: what changed, undefined: nothing) */
  updated: (result: UpdateResult | undefined) => void
  /** where its lines go (the desk's logger, with clinic and desk); default the process's */
  log?: Logger
}

/**
 * Takes the changes of every opened document into the read model (changes from peers, a document
 * loaded, unloaded ones reopened), a short while after they come. Never ahead of the desk's disk: a
 * local change still being saved is left to its write (CommandDocs), which takes it once it is on
 * disk. A read model that reflects heads its document never gets is rebuilt from the document.
 */
export class ReadModelScheduler {
  readonly #o: ReadModelSchedulerOptions
  readonly #log: Logger
  readonly #pending = new Map<DocKey, ReturnType<typeof setTimeout>>()
  /** documents whose read model has been ahead of them since (ms) */
  readonly #aheadSince = new Map<string, number>()
  #closed = false

  constructor(o: ReadModelSchedulerOptions) {
    this.#o = o
    this.#log = o.log ?? rootLogger()
  }

  /** true while a document has read-model work queued */
  hasPending(key: DocKey): boolean {
    return this.#pending.has(key)
  }

  close(): void {
    this.#closed = true
    for (const t of this.#pending.values()) clearTimeout(t)
  }

  /** The document was opened or its heads changed: its changes go into the read model shortly. */
  schedule(key: DocKey, handle: ClinicHandle): void {
    if (this.#pending.has(key) || this.#closed) return
    this.#pending.set(
      key,
      setTimeout(() => {
        this.#pending.delete(key)
        const { docs, updater, sync, bootstrap } = this.#o
        // the document may have been unloaded meanwhile: its changes are in the read model already
        if (this.#closed || docs.handleOf(key) !== handle || !handle.isReady()) return
        // a local change still on its way to disk: the write updates the read model once it is there
        if (docs.isSaving(key)) return this.schedule(key, handle)
        try {
          const result = updater.update(key, handle, { rebuildIfAhead: this.#aheadTooLong(key, handle) })
          sync.recount(key, handle)
          bootstrap.check()
          this.#o.updated(result)
        } catch (e) {
          this.#log.error({ err: e }, `could not update the read model from ${key}`)
        }
      }, DEBOUNCE_MS),
    )
  }

  /**
   * The read model reflects heads the document does not have. While a new desk downloads its clinic
   * that is expected (the snapshot is ahead of the documents), and changes from the relay bring the
   * document up. Past the bootstrap, heads missing for a minute will not come (they were a change lost
   * before it reached this desk's disk): the document's records are then rebuilt from the document,
   * instead of the read model waiting for ever.
   */
  #aheadTooLong(key: DocKey, handle: ClinicHandle): boolean {
    const id = handle.documentId
    if (!this.#o.updater.isAhead(handle) || !this.#o.bootstrap.isCaughtUp(key)) {
      this.#aheadSince.delete(id)
      return false
    }
    const aheadMs = this.#o.aheadMs ?? 60_000
    const since = this.#aheadSince.get(id)
    if (since === undefined) {
      this.#aheadSince.set(id, Date.now())
      // look again once the minute is over, even if nothing else changes the document
      setTimeout(() => {
        if (!this.#closed && this.#o.docs.handleOf(key) === handle) this.schedule(key, handle)
      }, aheadMs + 1000).unref()
      return false
    }
    if (Date.now() - since < aheadMs) return false
    this.#aheadSince.delete(id)
    this.#log.error(
      `the read model of ${key} reflected changes its document never got: rebuilding it from the document`,
    )
    return true
  }
}
