import { createHash } from "node:crypto"
import type { DocHandle, DocumentId, Repo } from "@automerge/automerge-repo"
import { ClinicLayout, isDocKey, type RootDoc } from "@vetsync/shared"
import { BuildQueue } from "./BuildQueue.js"
import { ClinicDocSource } from "./ClinicDocSource.js"
import { buildSnapshot, type BuiltSnapshot } from "./buildSnapshot.js"
import type { DocOwnership } from "./DocOwnership.js"
import type { SnapshotFiles } from "./SnapshotFiles.js"
import type { LineLog } from "@vetsync/shared/log"

interface Built extends BuiltSnapshot {
  generation: number
}

interface CacheEntry {
  /** bumped whenever a document of the clinic changes */
  generation: number
  built?: Built
  building?: { generation: number; promise: Promise<Buffer> }
  /** the persisted snapshot was looked for (once per process) */
  diskRead?: Promise<void>
}

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
  /** where builds are kept across restarts */
  files?: SnapshotFiles
  /** builds of every clinic go through it, one at a time by default */
  queue?: BuildQueue
  log?: LineLog
  /** after each build: the clinic, how long it took, the gzipped size */
  onBuilt?: (clinicId: string, seconds: number, bytes: number) => void
}


const headsKey = (heads: readonly string[] | undefined): string => (heads ? [...heads].sort().join(",") : "")

/**
 * Builds a clinic's bootstrap snapshot (SnapshotLine per line, gzip NDJSON) and bundle from the
 * relay's documents, caches them per clinic and rebuilds them lazily once a document's heads
 * differ from the ones the snapshot recorded. With SnapshotFiles, each build is kept on disk
 * with a fingerprint of the stored documents (their chunk names): a restarted relay whose
 * documents did not change serves it as fresh without loading any document, and otherwise serves
 * it as stale while it rebuilds. A build holds one document at a time (ClinicDocSource: those the
 * Repo holds are read there, the others loaded from storage and freed), and builds of all clinics
 * wait their turn in one BuildQueue.
 */
export class SnapshotBuilder {
  readonly #repo: Repo
  readonly #ownership: DocOwnership
  readonly #stored: StoredDocs
  readonly #files: SnapshotFiles | undefined
  readonly #log: LineLog
  readonly #cache = new Map<string, CacheEntry>()
  readonly #watched = new WeakSet<DocHandle<unknown>>()
  readonly #writes = new Set<Promise<void>>()
  readonly #onBuilt: (clinicId: string, seconds: number, bytes: number) => void
  readonly #source: ClinicDocSource
  readonly queue: BuildQueue

  constructor(o: SnapshotBuilderOptions) {
    this.#onBuilt = o.onBuilt ?? (() => undefined)
    this.#repo = o.repo
    this.#ownership = o.ownership
    this.#stored = o.stored
    this.#files = o.files
    this.#log = o.log ?? (() => undefined)
    this.queue = o.queue ?? new BuildQueue(1)
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

  /**
   * A sync frame carrying changes arrived for a document: once it is applied, heads that differ
   * from the snapshot's (or a document the snapshot left out) make the snapshot stale. Changes
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
   * What the relay knows of the clinic's snapshot: none looked for yet, being built, current, or
   * stale (a document changed since; the next download rebuilds it).
   */
  state(clinicId: string): "none" | "building" | "current" | "stale" {
    const entry = this.#cache.get(clinicId)
    if (!entry?.built) return entry?.building ? "building" : "none"
    return entry.built.generation === entry.generation ? "current" : entry.building ? "building" : "stale"
  }

  /** Resolves when the snapshots being written to disk are there (the relay waits for it when closing). */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.#writes])
  }

  /** Resolves once the clinic's snapshot reflects every change the relay has seen, and is kept on disk. */
  async whenCurrent(clinicId: string): Promise<void> {
    for (;;) {
      await this.gzipped(clinicId)
      const entry = this.#cache.get(clinicId)
      if (!entry || entry.built?.generation === entry.generation) return this.flush()
      await (entry.building?.promise ?? new Promise(r => setTimeout(r, 50)))
    }
  }

  /**
   * Current heads of the clinic's documents the relay holds. A document not in memory is as the
   * current snapshot recorded it (changes arrive by sync, which loads it), so a relay with a
   * current snapshot answers without loading the clinic's documents; others are loaded.
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

  /** The heads of a document in a snapshot that is current (undefined when it may be stale). */
  currentHeads(clinicId: string, docId: string): string[] | undefined {
    const entry = this.#cache.get(clinicId)
    return entry?.built && entry.built.generation === entry.generation ? entry.built.heads.get(docId) : undefined
  }

  #watch(clinicId: string, handle: DocHandle<unknown>): void {
    if (this.#watched.has(handle)) return
    this.#watched.add(handle)
    handle.on("heads-changed", () => this.#check(clinicId, handle))
  }

  #check(clinicId: string, handle: DocHandle<unknown>): void {
    if (!handle.isReady()) return
    const entry = this.#cache.get(clinicId)
    const recorded = entry?.built?.heads.get(handle.documentId)
    if (!entry?.built || headsKey(recorded) !== headsKey(handle.heads())) this.invalidate(clinicId)
  }

  /** A fingerprint of the clinic's stored documents: their ids and chunk names. */
  #fingerprint(clinicId: string): string {
    const h = createHash("sha256")
    for (const id of this.#ownership.docsOf(clinicId).sort())
      if (this.#stored.hasDocument(id)) h.update(`${id}:${this.#stored.chunkNames(id).join(",")}\n`)
    return h.digest("hex")
  }

  /** Takes the snapshot kept on disk, once per process: current when nothing stored has changed since. */
  async #fromDisk(clinicId: string, entry: CacheEntry): Promise<void> {
    if (!this.#files) return
    const persisted = await this.#files.read(clinicId).catch((e: Error) => {
      this.#log(`kept snapshot of ${clinicId} unreadable: ${e.message}`)
      return undefined
    })
    if (!persisted || entry.built) return
    const current = persisted.fingerprint === this.#fingerprint(clinicId)
    entry.built = {
      generation: current ? entry.generation : entry.generation - 1,
      gz: persisted.gz,
      bundle: persisted.bundle,
      heads: new Map(Object.entries(persisted.heads)),
    }
    this.#log(`snapshot of ${clinicId} taken from disk (${current ? "current" : "stale: rebuilding"})`)
  }

  invalidate(clinicId: string): void {
    const entry = this.#cache.get(clinicId)
    if (entry) entry.generation++
  }

  /** The gzip-compressed snapshot NDJSON of a clinic. */
  async gzipped(clinicId: string): Promise<Buffer> {
    let entry = this.#cache.get(clinicId)
    if (!entry) this.#cache.set(clinicId, (entry = { generation: 0 }))
    await (entry.diskRead ??= this.#fromDisk(clinicId, entry))
    const generation = entry.generation
    if (entry.built?.generation === generation) return entry.built.gz
    // a stale snapshot is still a correct one (it carries the heads it reflects and the desk
    // syncs the rest): answer with it at once and rebuild in the background
    if (entry.built) {
      if (!entry.building) void this.#rebuild(clinicId, entry, generation).catch(() => undefined)
      return entry.built.gz
    }
    if (entry.building) return entry.building.promise
    return this.#rebuild(clinicId, entry, generation)
  }

  async #rebuild(clinicId: string, entry: CacheEntry, generation: number): Promise<Buffer> {
    const fingerprint = this.#fingerprint(clinicId)
    let started = 0
    const build = this.queue.run(clinicId, () => {
      started = performance.now()
      return buildSnapshot(clinicId, this.#ownership, this.#source)
    })
    const promise = build.then(b => b.gz)
    entry.building = { generation, promise }
    try {
      const { gz, bundle, heads } = await build
      this.#onBuilt(clinicId, (performance.now() - started) / 1000, gz.byteLength)
      if (!entry.built || entry.built.generation < generation) {
        const built: Built = { generation, gz, bundle, heads }
        entry.built = built
        const writing = this.#files
          ?.write(clinicId, { fingerprint, heads: Object.fromEntries(heads), gz, bundle })
          .catch((e: Error) => this.#log(`could not keep the snapshot of ${clinicId}: ${e.message}`))
          .finally(() => this.#writes.delete(writing!))
        if (writing) this.#writes.add(writing)
      }
      return gz
    } finally {
      if (entry.building?.promise === promise) delete entry.building
    }
  }

  /**
   * Every document of the clinic, saved whole, from the same build as the snapshot (or a later
   * one): a new desk writes them to disk instead of syncing each document from scratch.
   */
  async bundle(clinicId: string): Promise<Buffer> {
    await this.gzipped(clinicId)
    const built = this.#cache.get(clinicId)?.built
    if (!built) throw new Error(`no snapshot of clinic ${clinicId}`)
    return built.bundle
  }
}
