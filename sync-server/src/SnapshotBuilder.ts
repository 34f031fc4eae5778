import * as A from "@automerge/automerge"
import { decodeHeads, type DocHandle, type DocumentId, type Repo, type UrlHeads } from "@automerge/automerge-repo"
import { ClinicLayout, isDocKey, type DocKey, type RootDoc } from "@vetsync/shared"
import { BuildQueue } from "./BuildQueue.js"
import { ClinicDocSource } from "./ClinicDocSource.js"
import { ClinicSnapshot } from "./ClinicSnapshot.js"
import { EntryWorker } from "./EntryWorker.js"
import type { DocOwnership } from "./DocOwnership.js"
import type { SnapshotFiles } from "./SnapshotFiles.js"
import { UpdatePacer } from "./UpdatePacer.js"
import type { LineLog } from "@vetsync/shared/log"

/** What the builder needs of the relay's storage: presence and chunk names, without the bytes. */
export interface StoredDocs {
  hasDocument(docId: string): boolean
  chunkNames(docId: string): string[]
}

export interface SnapshotBuilderOptions {
  repo: Repo
  ownership: DocOwnership
  stored: StoredDocs
  /** every stored chunk of a document, as one consistent read (a document not loaded is read from here) */
  load: (docId: string) => Promise<Uint8Array | undefined>
  /** where snapshots are kept across restarts */
  files?: SnapshotFiles
  /** builds and updates of every clinic go through it, one at a time by default */
  queue?: BuildQueue
  /** the saved size of the documents the entry worker keeps loaded between updates (EntryWorkerOptions.keepBytes) */
  cacheBytes?: number
  /** keep room in the entry worker's wasm memory (WasmHeadroom); default true */
  wasmHeadroom?: boolean
  /** the entry worker thread's nice value (EntryWorkerOptions.nice) */
  entryNice?: number
  /** how long an update waits after a change for more changes (default 500 ms) */
  debounceMs?: number
  /**
   * the share of the time every clinic's updates together may take (default 0.25): after an update
   * that took d ms the next one, of any clinic, waits d × (1 − share) / share (UpdatePacer)
   */
  updateShare?: number
  /** the pacer itself (tests); default one of updateShare */
  pacer?: UpdatePacer
  log?: LineLog
  /** after each full build: the clinic, how long it took, the gzipped size */
  onBuilt?: (clinicId: string, seconds: number, bytes: number) => void
  /** after each incremental update: the clinic, the documents it read again */
  onUpdated?: (clinicId: string, keys: DocKey[]) => void
}

/**
 * The share of the time snapshot updates may take by default. An update of a seed-scale client
 * shard (about 1,000 clients: saved, its records converted, JSON, gzip) costs hundreds of
 * milliseconds of the entry worker's thread; unpaced, twenty clinics edited at once kept that
 * thread busy for good and took one of two cores from the relaying of their desks' edits.
 */
export const DEFAULT_UPDATE_SHARE = 0.25

const headsKey = (heads: readonly string[]): string => [...heads].sort().join(",")

/**
 * Keeps each clinic's bootstrap snapshot (SnapshotLine per line, gzip NDJSON) and bundle as one
 * entry per document (ClinicSnapshot): built once from every document, one at a time, then kept
 * current incrementally: a document whose heads differ from its entry's marks the entry dirty, and
 * shortly after (debounced) only the dirty documents are read again, each on its own, and their
 * entries replaced. With SnapshotFiles the entries are kept on disk: a restarted relay reads again
 * only the documents whose stored chunks changed. Builds and updates of all clinics wait their
 * turn in one BuildQueue.
 */
export class SnapshotBuilder {
  readonly #repo: Repo
  readonly #ownership: DocOwnership
  readonly #clinics = new Map<string, ClinicSnapshot>()
  readonly #watched = new WeakSet<DocHandle<unknown>>()
  /** an entry's heads (UrlHeads) as Automerge's hex heads, worked out once per entry */
  readonly #recordedHex = new WeakMap<readonly string[], string>()
  readonly #source: ClinicDocSource
  readonly #o: SnapshotBuilderOptions
  /** loads, saves and compresses the documents for their entries, off this thread */
  readonly #worker: EntryWorker
  readonly queue: BuildQueue
  /** paces the updates of every clinic (builds are not paced) */
  readonly pacer: UpdatePacer

  constructor(o: SnapshotBuilderOptions) {
    this.#o = o
    this.#worker = new EntryWorker({
      ...(o.cacheBytes === undefined ? {} : { keepBytes: o.cacheBytes }),
      ...(o.wasmHeadroom === undefined ? {} : { wasmHeadroom: o.wasmHeadroom }),
      ...(o.entryNice === undefined ? {} : { nice: o.entryNice }),
      ...(o.log === undefined ? {} : { log: o.log }),
    })
    this.#repo = o.repo
    this.#ownership = o.ownership
    this.queue = o.queue ?? new BuildQueue(1)
    this.pacer = o.pacer ?? new UpdatePacer({ share: o.updateShare ?? DEFAULT_UPDATE_SHARE })
    this.#source = new ClinicDocSource({
      repo: o.repo,
      hasDocument: id => o.stored.hasDocument(id),
      load: o.load,
      used: handle => {
        const owner = this.#ownership.ownerOf(handle.documentId)
        if (owner !== undefined) this.#watch(owner, handle)
      },
    })
  }

  #clinic(clinicId: string): ClinicSnapshot {
    let c = this.#clinics.get(clinicId)
    if (!c) {
      const o = this.#o
      c = new ClinicSnapshot({
        clinicId,
        ownership: o.ownership,
        source: this.#source,
        stored: o.stored,
        present: id => this.#repo.handles[id as DocumentId] !== undefined || o.stored.hasDocument(id),
        files: o.files,
        make: req => this.#worker.make(req),
        warm: () => this.#worker.started(),
        queue: this.queue,
        pacer: this.pacer,
        debounceMs: o.debounceMs ?? 500,
        log: o.log ?? (() => undefined),
        onBuilt: o.onBuilt ?? (() => undefined),
        onUpdated: o.onUpdated ?? (() => undefined),
      })
      this.#clinics.set(clinicId, c)
    }
    return c
  }

  /**
   * A sync frame carrying changes arrived for a document: once it is applied, heads that differ
   * from its entry's (or a document the snapshot left out) mark its entry for an update. Changes
   * the relay already had (a desk's genesis) change nothing.
   */
  noteChanges(clinicId: string, docId: DocumentId): void {
    setTimeout(() => {
      const handle = this.#repo.handles[docId]
      if (!handle) return
      this.#watch(clinicId, handle)
      this.#check(clinicId, handle)
    }, 0)
  }

  /**
   * What the relay knows of the clinic's snapshot: none looked for yet, being built or updated,
   * current, or stale (a document changed since; an update is due).
   */
  state(clinicId: string): "none" | "building" | "current" | "stale" {
    return this.#clinics.get(clinicId)?.state() ?? "none"
  }

  /** The entry worker's V8 heap as it last reported it (VETSYNC_DEBUG=memory). */
  workerHeap(): { heapUsed: number; heapTotal: number } | undefined {
    return this.#worker.heap()
  }

  /** Resolves when the snapshots being written to disk are there (the relay waits for it when closing). */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.#clinics.values()].map(c => c.flush()))
  }

  /** Stops the pending updates' timers and the entry worker (the relay is closing). */
  close(): void {
    for (const c of this.#clinics.values()) c.close()
    this.pacer.close()
    void this.#worker.close()
  }

  /** Resolves once the clinic's snapshot reflects every change the relay has seen, and is kept on disk. */
  whenCurrent(clinicId: string): Promise<void> {
    return this.#clinic(clinicId).whenCurrent()
  }

  /**
   * Current heads of the clinic's documents the relay holds. A document not in memory whose entry
   * is not marked for an update is as its entry recorded it (changes arrive by sync, which loads
   * it), so a relay with a current snapshot answers without loading the clinic's documents.
   */
  async heads(clinicId: string): Promise<Record<string, string[]>> {
    const layout = new ClinicLayout(clinicId)
    const out: Record<string, string[]> = {}
    const rootId = layout.idOf("root")
    if (this.#ownership.ownerOf(rootId) === clinicId) {
      const root = await this.#source.get<RootDoc>(rootId)
      if (root) {
        for (const key of Object.keys(root.doc.partitions ?? {})) if (isDocKey(key)) layout.add(key)
        out.root = root.heads
        root.release()
      }
    }
    for (const key of layout.keys()) {
      const docId = layout.idOf(key)
      if (key === "root" || this.#ownership.ownerOf(docId) !== clinicId) continue
      const recorded = this.#repo.handles[docId] ? undefined : this.currentHeads(clinicId, docId)
      if (recorded) {
        out[key] = [...recorded]
        continue
      }
      const got = await this.#source.get(docId)
      if (!got) continue
      out[key] = got.heads
      got.release()
    }
    return out
  }

  /** The bytes of the clinic's snapshot entries held in memory (ClinicSnapshot.heldBytes). */
  heldBytes(clinicId: string): number {
    return this.#clinics.get(clinicId)?.heldBytes() ?? 0
  }

  /** The heads of a document in the snapshot, when its entry is current (undefined when it may be stale). */
  currentHeads(clinicId: string, docId: string): string[] | undefined {
    const key = this.#ownership.layoutKeyOf(docId)
    return key === undefined ? undefined : this.#clinics.get(clinicId)?.currentHeads(key)
  }

  #watch(clinicId: string, handle: DocHandle<unknown>): void {
    if (this.#watched.has(handle)) return
    this.#watched.add(handle)
    handle.on("heads-changed", () => this.#check(clinicId, handle))
  }

  #check(clinicId: string, handle: DocHandle<unknown>): void {
    if (!handle.isReady()) return
    const key = this.#ownership.layoutKeyOf(handle.documentId)
    const clinic = this.#clinics.get(clinicId)
    if (key === undefined || !clinic) return
    const doc = handle.doc()
    if (doc === undefined) return
    // compared as hex: the document's UrlHeads would cost a base58check (two SHA-256 in JS) a head, every change
    if (this.#recordedKey(clinic.recordedHeads(key)) !== headsKey(A.getHeads(doc))) clinic.mark(key)
  }

  #recordedKey(heads: readonly string[] | undefined): string {
    if (!heads) return ""
    let k = this.#recordedHex.get(heads)
    if (k === undefined) {
      k = headsKey(decodeHeads(heads as UrlHeads))
      this.#recordedHex.set(heads, k)
    }
    return k
  }

  /** The gzip-compressed snapshot NDJSON of a clinic (a stale one at once, while its update is due). */
  gzipped(clinicId: string): Promise<Buffer> {
    return this.#clinic(clinicId).gzipped()
  }

  /** The records the clinic's snapshot holds now (its header's count), without assembling it. */
  records(clinicId: string): Promise<number> {
    return this.#clinic(clinicId).records()
  }

  /**
   * Every document of the clinic, saved whole, from the same entries as the snapshot (or later
   * ones): a new desk writes them to disk instead of syncing each document from scratch.
   */
  bundle(clinicId: string): Promise<Buffer> {
    return this.#clinic(clinicId).bundle()
  }
}
