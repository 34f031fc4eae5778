import type { Chunk, StorageAdapterInterface, StorageKey } from "@automerge/automerge-repo"

/**
 * Wraps a storage adapter so that it can be closed: close() waits for every operation in
 * flight and makes later writes no-ops. automerge-repo 2.5.6 saves documents from throttled
 * timers (100 ms) that can fire after Repo.flush()/shutdown(), so without this a relay or
 * desk being shut down still writes into its data directory afterwards (and fails with
 * ENOENT as an unhandled rejection when that directory is removed). Call it after
 * repo.flush(): everything was saved then, so the writes ignored later are redundant.
 */
export class ClosableStorageAdapter implements StorageAdapterInterface {
  readonly inner: StorageAdapterInterface
  readonly #inFlight = new Set<Promise<unknown>>()
  #closed = false

  constructor(inner: StorageAdapterInterface) {
    this.inner = inner
  }

  get closed(): boolean {
    return this.#closed
  }

  load(key: StorageKey): Promise<Uint8Array | undefined> {
    if (this.#closed) return Promise.resolve(undefined)
    return this.#track(this.inner.load(key))
  }

  save(key: StorageKey, data: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.resolve()
    return this.#track(this.inner.save(key, data))
  }

  remove(key: StorageKey): Promise<void> {
    if (this.#closed) return Promise.resolve()
    return this.#track(this.inner.remove(key))
  }

  loadRange(keyPrefix: StorageKey): Promise<Chunk[]> {
    if (this.#closed) return Promise.resolve([])
    return this.#track(this.inner.loadRange(keyPrefix))
  }

  removeRange(keyPrefix: StorageKey): Promise<void> {
    if (this.#closed) return Promise.resolve()
    return this.#track(this.inner.removeRange(keyPrefix))
  }

  /** Stops accepting writes and waits for the operations in flight. */
  async close(): Promise<void> {
    this.#closed = true
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight])
  }

  #track<T>(p: Promise<T>): Promise<T> {
    this.#inFlight.add(p)
    const done = (): void => {
      this.#inFlight.delete(p)
    }
    p.then(done, done)
    return p
  }
}
