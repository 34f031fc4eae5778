import type { Chunk, StorageAdapterInterface, StorageKey } from "@automerge/automerge-repo"
import type { StoredDocs } from "./SnapshotBuilder.js"

/** A storage that can list its keys without their bytes (PostgresStorageAdapter). */
export interface ListableStorage extends StorageAdapterInterface {
  keys(keyPrefix?: StorageKey): Promise<StorageKey[]>
  /** every key of these documents, in one look (PostgresStorageAdapter) */
  keysOfDocuments?(docIds: readonly string[]): Promise<StorageKey[]>
}

/**
 * A relay's document storage that is not a directory (PostgreSQL), with what the relay asks of
 * its storage without waiting: which chunks a document has (ConsistentLoadStorage,
 * GenesisFallbackStorage, the snapshot's fingerprint). The names come from one listing at open,
 * then from this relay's own saves and removals: right while this relay is the only one writing
 * the clinics it serves (one relay per clinic, under its lease: ClinicLeases). A relay that takes
 * a clinic's lease lists that clinic's documents again (`refresh`), since another relay wrote
 * them. The bytes are always read from the storage.
 */
export class IndexedStorage implements StorageAdapterInterface, StoredDocs {
  readonly #inner: ListableStorage
  readonly #names = new Map<string, Set<string>>()
  readonly #onClose: () => Promise<void>

  private constructor(inner: ListableStorage, onClose: () => Promise<void>) {
    this.#inner = inner
    this.#onClose = onClose
  }

  /** Lists the stored keys once; `onClose` runs on close() (e.g. ends the pool). */
  static async open(
    inner: ListableStorage,
    onClose: () => Promise<void> = () => Promise.resolve(),
  ): Promise<IndexedStorage> {
    const storage = new IndexedStorage(inner, onClose)
    for (const key of await inner.keys()) storage.#add(key)
    return storage
  }

  /** Lists these documents' chunks again from the storage (another relay wrote them). */
  async refresh(docIds: readonly string[]): Promise<void> {
    const keys = this.#inner.keysOfDocuments
      ? await this.#inner.keysOfDocuments(docIds)
      : (await Promise.all(docIds.map(id => this.#inner.keys([id])))).flat()
    for (const id of docIds) this.#names.delete(id)
    for (const key of keys) this.#add(key)
  }

  load(key: StorageKey): Promise<Uint8Array | undefined> {
    return this.#inner.load(key)
  }

  async save(key: StorageKey, data: Uint8Array): Promise<void> {
    await this.#inner.save(key, data)
    this.#add(key)
  }

  async remove(key: StorageKey): Promise<void> {
    await this.#inner.remove(key)
    const [doc, ...rest] = key
    if (doc !== undefined) this.#names.get(doc)?.delete(rest.join("/"))
  }

  loadRange(keyPrefix: StorageKey): Promise<Chunk[]> {
    return this.#inner.loadRange(keyPrefix)
  }

  async removeRange(keyPrefix: StorageKey): Promise<void> {
    await this.#inner.removeRange(keyPrefix)
    const [doc, ...rest] = keyPrefix
    if (doc === undefined) return this.#names.clear()
    const names = this.#names.get(doc)
    const prefix = rest.join("/")
    if (names) for (const n of names) if (prefix === "" || n === prefix || n.startsWith(`${prefix}/`)) names.delete(n)
  }

  hasDocument(docId: string): boolean {
    return this.chunkNames(docId).some(n => n.startsWith("snapshot/") || n.startsWith("incremental/"))
  }

  chunkNames(docId: string): string[] {
    return [...(this.#names.get(docId) ?? [])].sort()
  }

  close(): Promise<void> {
    return this.#onClose()
  }

  #add(key: StorageKey): void {
    const [doc, ...rest] = key
    if (doc === undefined || rest.length === 0) return
    let names = this.#names.get(doc)
    if (!names) this.#names.set(doc, (names = new Set()))
    names.add(rest.join("/"))
  }
}
