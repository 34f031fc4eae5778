import type { Chunk, StorageAdapterInterface, StorageKey } from "@automerge/automerge-repo"

/**
 * Storage that hands automerge-repo a document's chunks as one consistent set.
 *
 * automerge-repo 2.5.6 loads a document in two calls, loadRange([id, "snapshot"]) then
 * loadRange([id, "incremental"]), while a save of the same document may be compacting it:
 * writing a new snapshot, then removing the old snapshot and incrementals. A load between the
 * two (the document reopened right after it was unloaded, while the old handle's throttled save
 * still runs) got the old snapshot and none of the incrementals - a document in memory missing
 * changes that are on disk (a desk could not find an invoice it had just acknowledged) - or no
 * chunk at all, which made the repo ask the network for a document it has.
 *
 * Here the first call reads every chunk of the document (snapshot and incremental) and checks
 * that the list of chunk files did not change while it read (a compaction writes the new
 * snapshot before removing the old chunks, so a re-read sees it), and returns the snapshots; the
 * second call returns the incrementals of that same read, plus any saved since. (Each chunk keeps
 * its kind: the repo decides when to compact by the sizes of each kind.) Any other call passes
 * through.
 */
export class ConsistentLoadStorage implements StorageAdapterInterface {
  readonly #inner: StorageAdapterInterface
  readonly #list: (documentId: string) => string[]
  /** per document: the incrementals read with the snapshots, for the incremental call that follows */
  readonly #pending = new Map<string, Chunk[]>()
  readonly #maxAttempts: number

  /**
   * @param list the names of a document's chunk files ("snapshot/<hash>", "incremental/<hash>"), without reading them
   */
  constructor(inner: StorageAdapterInterface, list: (documentId: string) => string[], maxAttempts = 20) {
    this.#inner = inner
    this.#list = list
    this.#maxAttempts = maxAttempts
  }

  load(key: StorageKey): Promise<Uint8Array | undefined> {
    return this.#inner.load(key)
  }

  save(key: StorageKey, data: Uint8Array): Promise<void> {
    return this.#inner.save(key, data)
  }

  remove(key: StorageKey): Promise<void> {
    return this.#inner.remove(key)
  }

  removeRange(keyPrefix: StorageKey): Promise<void> {
    return this.#inner.removeRange(keyPrefix)
  }

  async loadRange(keyPrefix: StorageKey): Promise<Chunk[]> {
    const [documentId, kind] = keyPrefix
    if (keyPrefix.length !== 2 || documentId === undefined) return this.#inner.loadRange(keyPrefix)
    if (kind === "snapshot") {
      const chunks = await this.#readAll(documentId)
      this.#pending.set(
        documentId,
        chunks.filter(c => c.key[1] === "incremental"),
      )
      return chunks.filter(c => c.key[1] === "snapshot")
    }
    if (kind === "incremental") {
      const read = this.#pending.get(documentId)
      this.#pending.delete(documentId)
      const now = await this.#inner.loadRange(keyPrefix)
      if (!read) return now
      const have = new Set(read.map(c => c.key.join("/")))
      return [...read, ...now.filter(c => !have.has(c.key.join("/")))]
    }
    return this.#inner.loadRange(keyPrefix)
  }

  #names(documentId: string): string {
    return this.#list(documentId)
      .filter(n => n.startsWith("snapshot/") || n.startsWith("incremental/"))
      .sort()
      .join("\n")
  }

  /** Every snapshot and incremental chunk of the document, read while its list of chunks stood still. */
  async #readAll(documentId: string): Promise<Chunk[]> {
    let chunks: Chunk[] = []
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
      const before = this.#names(documentId)
      chunks = [
        ...(await this.#inner.loadRange([documentId, "snapshot"])),
        ...(await this.#inner.loadRange([documentId, "incremental"])),
      ]
      const after = this.#names(documentId)
      const read = chunks
        .map(c => `${c.key[1]}/${c.key.slice(2).join("/")}`)
        .sort()
        .join("\n")
      if (before === after && read === after) return chunks
    }
    // the document kept changing under us: what was read last holds at least every chunk that stayed
    return chunks
  }
}
