import * as A from "@automerge/automerge"
import {
  decodeHeads,
  encodeHeads,
  type DocHandle,
  type DocumentId,
  type Repo,
  type StorageAdapterInterface,
  type UrlHeads,
} from "@automerge/automerge-repo"
import { ConsistentLoadStorage } from "@vetsync/shared"
import { contentsOf } from "@vetsync/shared/docs"
import type { DocBytes } from "./entryThread.js"

/** A document's bytes for a snapshot entry, and the heads they must give (known when read from the Repo). */
export interface SourcedBytes {
  bytes: DocBytes
  heads?: string[]
}

/** The entry a document had: its save and the heads it reflects (the base of the changes since). */
export interface PreviousSave {
  heads: string[]
  saved: Uint8Array
}

/** One document as a snapshot build reads it; `release` frees what was loaded for it alone. */
export interface SourcedDoc<T> {
  doc: T
  /** automerge-repo UrlHeads (base58), as the desks compare them */
  heads: string[]
  release(): void
}

export interface ClinicDocSourceOptions {
  repo: Repo
  /** whether the storage holds chunks of the document (without reading them) */
  hasDocument: (docId: string) => boolean
  /** every stored chunk of the document, snapshot first, as one consistent read */
  load: (docId: string) => Promise<Uint8Array | undefined>
  /** a handle of the Repo was used: the builder follows its changes */
  used?: (handle: DocHandle<unknown>) => void
}

/**
 * Where a snapshot build reads documents from without filling the Repo: a document the Repo holds
 * (ready) is read from it - its newest state, saved or not; any other is loaded from storage on its
 * own (Automerge.loadIncremental of its chunks, as the Repo would), read, and freed by `release`,
 * so a build of a whole clinic holds one document at a time besides those desks keep in use. The
 * Repo writes a document to storage before unloading it (IdleUnloader), so storage holds every
 * change of a document that is not loaded.
 */
export class ClinicDocSource {
  readonly #o: ClinicDocSourceOptions

  constructor(o: ClinicDocSourceOptions) {
    this.#o = o
  }

  /** The document, or undefined: not stored, still arriving from a desk, or unreadable. */
  async get<T>(docId: DocumentId): Promise<SourcedDoc<T> | undefined> {
    const cached = this.#o.repo.handles[docId] as DocHandle<T> | undefined
    if (cached?.isReady()) return this.#fromHandle(cached)
    // a document still arriving from a desk is left out: the desk syncs it after the snapshot anyway
    if (cached || !this.#o.hasDocument(docId)) return undefined
    const binary = await this.#o.load(docId).catch(() => undefined)
    // loaded by the Repo meanwhile (a desk's message): its state is the newest
    const now = this.#o.repo.handles[docId] as DocHandle<T> | undefined
    if (now?.isReady()) return this.#fromHandle(now)
    if (!binary) return undefined
    let doc: A.Doc<T>
    try {
      doc = A.loadIncremental(A.init<T>(), binary)
    } catch {
      return undefined
    }
    return { doc, heads: [...encodeHeads(A.getHeads(doc))], release: () => A.free(doc) }
  }

  /**
   * The document's bytes without loading it in this thread: its stored chunks, or, for a document
   * the Repo holds, the changes since the previous entry's heads (with that entry's save as their
   * base), else the document saved whole. Undefined as for `get`.
   */
  async bytes(docId: DocumentId, previous?: PreviousSave): Promise<SourcedBytes | undefined> {
    const cached = this.#o.repo.handles[docId]
    if (cached?.isReady()) return this.#bytesOfHandle(cached, previous)
    if (cached || !this.#o.hasDocument(docId)) return undefined
    const binary = await this.#o.load(docId).catch(() => undefined)
    const now = this.#o.repo.handles[docId]
    if (now?.isReady()) return this.#bytesOfHandle(now, previous)
    return binary ? { bytes: { binary } } : undefined
  }

  #bytesOfHandle(handle: DocHandle<unknown>, previous: PreviousSave | undefined): SourcedBytes | undefined {
    const doc = handle.doc()
    if (!doc) return undefined
    this.#o.used?.(handle)
    const heads = [...handle.heads()]
    if (previous && previous.saved.length > 0) {
      try {
        const changes = A.saveSince(doc, decodeHeads(previous.heads as UrlHeads))
        return { bytes: { base: previous.saved, baseHeads: previous.heads, changes }, heads }
      } catch {
        // heads the document does not know (it cannot happen to a document that only grows): saved whole
      }
    }
    return { bytes: { binary: A.save(doc) }, heads }
  }

  #fromHandle<T>(handle: DocHandle<T>): SourcedDoc<T> | undefined {
    const doc = handle.doc()
    if (!doc) return undefined
    this.#o.used?.(handle)
    // the relay's documents are lean (LeanHandles): their values are read from wasm
    return { doc: contentsOf(doc), heads: [...handle.heads()], release: () => undefined }
  }
}

/**
 * Reads a document's stored chunks as one consistent set (snapshots, then incrementals, through a
 * ConsistentLoadStorage of its own, so a compaction by the Repo in between cannot split them) and
 * joins them, as automerge-repo's StorageSubsystem does; undefined when nothing is stored.
 */
export const storedBinary =
  (storage: StorageAdapterInterface, list: (docId: string) => string[]) =>
  async (docId: string): Promise<Uint8Array | undefined> => {
    const reader = new ConsistentLoadStorage(storage, list)
    const chunks = [...(await reader.loadRange([docId, "snapshot"])), ...(await reader.loadRange([docId, "incremental"]))]
    const parts = chunks.flatMap(c => (c.data ? [c.data] : []))
    return parts.length > 0 ? Buffer.concat(parts) : undefined
  }
