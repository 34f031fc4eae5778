import type { DocHandle, DocumentId, Repo } from "@automerge/automerge-repo"
import { isLeanDoc, leanDoc, leanLoadTarget } from "@vetsync/shared/docs"

export interface LeanHandlesOptions {
  repo: Repo
  /** how often every loaded document is looked at, for one no frame named (default 1 s) */
  intervalMs?: number
}

/**
 * Keeps the documents the relay's Repo holds lean (`leanDoc`): whole in Automerge's wasm memory,
 * without a copy of every value in the JS heap. The relay's main thread reads documents only for
 * their heads and bytes (sync, durable acknowledgements, saves, the snapshot's changed entries,
 * which its worker thread reads), and a seed-scale client shard materialised cost 15-25 MB of
 * heap, collected again and again while loaded (bench/README.md, `relay` and `clinics`).
 *
 * A document the Repo loads from storage is lean from its load (the Repo's StorageSubsystem loads
 * into `leanLoadTarget`, patches/@automerge+automerge-repo: no materialised values, and no patch
 * of every value kept for A.diff). One a peer sends, which automerge-repo 2.5.6 makes as Automerge
 * does, materialised, is made lean once ready: at the first frame about it (`note`), else within
 * `intervalMs`.
 */
export class LeanHandles {
  readonly #repo: Repo
  readonly #intervalMs: number
  readonly #waiting = new WeakSet<DocHandle<unknown>>()
  #timer: ReturnType<typeof setInterval> | undefined
  /** documents made lean */
  leaned = 0

  constructor(o: LeanHandlesOptions) {
    this.#repo = o.repo
    this.#intervalMs = o.intervalMs ?? 1000
    const storage = o.repo.storageSubsystem as { initDoc?: () => unknown } | undefined
    if (storage) storage.initDoc = leanLoadTarget
  }

  start(): this {
    if (this.#timer) return this
    this.#timer = setInterval(() => this.sweep(), this.#intervalMs)
    this.#timer.unref()
    return this
  }

  stop(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  /** A frame about the document came: lean it now if it is ready, else as soon as it is. */
  note(docId: DocumentId): void {
    const handle = this.#repo.handles[docId]
    if (!handle) return
    if (handle.isReady()) {
      this.#lean(handle)
      return
    }
    if (this.#waiting.has(handle)) return
    this.#waiting.add(handle)
    // whenReady rejects after automerge-repo's timeout: a document that comes later is the sweep's
    handle.whenReady().then(
      () => this.#lean(handle),
      () => undefined,
    )
  }

  /** Leans every ready document that is not lean yet; how many. */
  sweep(): number {
    let n = 0
    for (const handle of Object.values(this.#repo.handles)) if (handle.isReady() && this.#lean(handle)) n++
    return n
  }

  #lean(handle: DocHandle<unknown>): boolean {
    // doc() throws for a handle no longer ready (unloaded meanwhile)
    if (!handle.isReady()) return false
    const doc = handle.doc()
    if (doc === undefined || isLeanDoc(doc)) return false
    // the same heads: automerge-repo sees no change and tells no one
    handle.update(d => (isLeanDoc(d) ? d : leanDoc(d)))
    this.leaned++
    return true
  }
}
