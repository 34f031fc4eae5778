import type { BootstrapTimings } from "./BootstrapTimings.js"
import type { SnapshotSource } from "./SnapshotSource.js"

interface Prefetched {
  kind: SnapshotSource["kind"]
  name: string
  bytes: Promise<Uint8Array>
  abort: AbortController
}

/**
 * The document bundle a new desk asks for while its snapshot (or read-model image) is applied, so
 * that it downloads meanwhile (Bootstrapper): one at a time, taken once by loadDocumentsFrom when
 * it asks the same source, given up with the snapshot or when the desk closes.
 */
export class BundlePrefetch {
  readonly #closing: AbortSignal
  readonly #timings: BootstrapTimings
  #bundle: Prefetched | undefined

  /** `closing`: the desk closes (a download under way stops) */
  constructor(closing: AbortSignal, timings: BootstrapTimings) {
    this.#closing = closing
    this.#timings = timings
  }

  /** Asks `source` for its bundle now (a failure here only means asking again when it is taken). */
  ask(source: SnapshotSource): void {
    this.drop()
    const t = performance.now()
    const abort = new AbortController()
    const bytes = source.documents(AbortSignal.any([abort.signal, this.#closing])).then(b => {
      this.#timings.add("bundleMs", performance.now() - t)
      return b
    })
    // awaited by take(); a rejection nobody waits for is not an unhandled one
    bytes.catch(() => undefined)
    this.#bundle = { kind: source.kind, name: source.name, bytes, abort }
  }

  /** Gives up the bundle asked for (its snapshot did not load). */
  drop(): void {
    this.#bundle?.abort.abort(new Error("the snapshot was not loaded"))
    this.#bundle = undefined
  }

  /** The bundle asked for, if it came from `source` (undefined when it failed, or was asked of another). */
  async take(source: SnapshotSource): Promise<Uint8Array | undefined> {
    const bundle = this.#bundle
    this.#bundle = undefined
    if (!bundle || bundle.kind !== source.kind || bundle.name !== source.name) {
      bundle?.abort.abort(new Error("the documents are taken from another source"))
      return undefined
    }
    return bundle.bytes.catch(() => undefined)
  }

  /** Forgets the bundle (the desk closes: `closing` has stopped its download). */
  forget(): void {
    this.#bundle = undefined
  }
}
