import { createHash } from "node:crypto"
import type { Chunk, StorageAdapterInterface, StorageKey } from "@automerge/automerge-repo"

/**
 * Storage in front of SafeFsStorageAdapter that answers a document of a clinic's layout that has
 * no chunk on disk yet with its deterministic genesis (the same on every desk and relay).
 *
 * Why: automerge-repo 2.5.6 puts a document it cannot load into the "requesting" state, and every
 * later find() of it (each incoming sync message makes one) starts another load from storage whose
 * result *replaces* the handle's document when it arrives (`handle.update(() => loadedDoc)`). A
 * desk that wrote to such a document meanwhile lost the write from memory (client/test/core/
 * commands.test.ts showed an invoice vanish this way). With a genesis to load, a layout document
 * is ready at once and never requested, so no load is left in flight to overwrite it. Desks and
 * the relay both use it.
 */
export class GenesisFallbackStorage implements StorageAdapterInterface {
  readonly #inner: StorageAdapterInterface
  readonly #genesisOf: (documentId: string) => Uint8Array | undefined
  readonly #hasChunks: (documentId: string) => boolean

  /**
   * @param genesisOf the genesis of a layout document, undefined for any other id
   * @param hasChunks true when the document has any chunk on disk (without reading it)
   */
  constructor(
    inner: StorageAdapterInterface,
    genesisOf: (documentId: string) => Uint8Array | undefined,
    hasChunks: (documentId: string) => boolean,
  ) {
    this.#inner = inner
    this.#genesisOf = genesisOf
    this.#hasChunks = hasChunks
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

  /** The repo loads a document as loadRange([id, "snapshot"]) then loadRange([id, "incremental"]). */
  async loadRange(keyPrefix: StorageKey): Promise<Chunk[]> {
    const chunks = await this.#inner.loadRange(keyPrefix)
    const [documentId, kind] = keyPrefix
    if (chunks.length > 0 || keyPrefix.length !== 2 || kind !== "incremental" || documentId === undefined) return chunks
    if (this.#hasChunks(documentId)) return chunks
    const genesis = this.#genesisOf(documentId)
    if (!genesis) return chunks
    // the name a saved incremental chunk of these bytes would have: a later compaction may remove it
    return [{ key: [documentId, "incremental", createHash("sha256").update(genesis).digest("hex")], data: genesis }]
  }

  removeRange(keyPrefix: StorageKey): Promise<void> {
    return this.#inner.removeRange(keyPrefix)
  }
}
