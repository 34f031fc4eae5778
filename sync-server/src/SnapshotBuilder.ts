import { createHash } from "node:crypto"
import { promisify } from "node:util"
import { gzip as gzipCb } from "node:zlib"
import * as A from "@automerge/automerge"
import type { DocHandle, DocumentId, Repo } from "@automerge/automerge-repo"
import {
  encodeBundle,
  type BundleEntry,
  ClinicLayout,
  isDocKey,
  priceItemsOfDoc,
  profileOfDoc,
  recordsOfDoc,
  rejectionsOfDoc,
  type AnyClinicDoc,
  type ClinicProfile,
  type DocKey,
  type PriceItem,
  type Rejection,
  type RootDoc,
  type SnapshotDocState,
  type SnapshotLine,
  type SnapshotRecords,
  snapshotLines,
} from "@vetsync/shared"
import type { DocOwnership } from "./DocOwnership.js"
import type { SnapshotFiles } from "./SnapshotFiles.js"
import type { LineLog } from "@vetsync/shared/log"

const gzip = promisify(gzipCb)

interface Built {
  generation: number
  gz: Buffer
  bundle: Buffer
  /** document id -> heads the snapshot reflects */
  heads: Map<string, string[]>
}

interface CacheEntry {
  /** bumped whenever a document of the clinic changes */
  generation: number
  built?: Built
  building?: { generation: number; promise: Promise<Buffer> }
  /** the persisted snapshot was looked for (once per process) */
  diskRead?: Promise<void>
}

/** What the builder needs of the relay's storage: presence and chunk names, never the bytes. */
export interface StoredDocs {
  hasDocument(docId: string): boolean
  chunkNames(docId: string): string[]
}

const headsKey = (heads: readonly string[] | undefined): string => (heads ? [...heads].sort().join(",") : "")

/**
 * Builds a clinic's bootstrap snapshot (SnapshotLine per line, gzip NDJSON) and bundle from the
 * relay's documents, caches them per clinic and rebuilds them lazily once a document's heads
 * differ from the ones the snapshot recorded. With SnapshotFiles, each build is kept on disk
 * with a fingerprint of the stored documents (their chunk names): a restarted relay whose
 * documents did not change serves it as fresh without loading any document, and otherwise serves
 * it as stale while it rebuilds.
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

  constructor(
    repo: Repo,
    ownership: DocOwnership,
    stored: StoredDocs,
    files?: SnapshotFiles,
    log: LineLog = () => undefined,
    /** after each build: the clinic, how long it took, the gzipped size */
    onBuilt: (clinicId: string, seconds: number, bytes: number) => void = () => undefined,
  ) {
    this.#onBuilt = onBuilt
    this.#repo = repo
    this.#ownership = ownership
    this.#stored = stored
    this.#files = files
    this.#log = log
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
    const root = await this.#handleOf<RootDoc>(layout.idOf("root"))
    for (const key of Object.keys(root?.doc().partitions ?? {})) if (isDocKey(key)) layout.add(key)
    const out: Record<string, string[]> = {}
    for (const key of layout.keys()) {
      const docId = layout.idOf(key)
      if (this.#ownership.ownerOf(docId) !== clinicId) continue
      const recorded = this.#repo.handles[docId] ? undefined : this.currentHeads(clinicId, docId)
      const heads = recorded ?? (await this.#handleOf(docId))?.heads()
      if (heads) out[key] = [...heads]
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
    const bundle: BundleEntry[] = []
    let heads = new Map<string, string[]>()
    const promise = this.lines(clinicId, bundle).then(async lines => {
      const header = lines[0]
      if (header?.type === "header")
        heads = new Map(Object.values(header.docs).flatMap(d => (d ? [[d.docId, d.heads] as const] : [])))
      return gzip(Buffer.from(lines.map(l => JSON.stringify(l)).join("\n") + "\n"))
    })
    entry.building = { generation, promise }
    const started = performance.now()
    try {
      const gz = await promise
      this.#onBuilt(clinicId, (performance.now() - started) / 1000, gz.byteLength)
      if (!entry.built || entry.built.generation < generation) {
        const built: Built = { generation, gz, bundle: encodeBundle(bundle), heads }
        entry.built = built
        const writing = this.#files
          ?.write(clinicId, { fingerprint, heads: Object.fromEntries(heads), gz, bundle: built.bundle })
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

  /** The snapshot's lines: the header, each document's records, the price list, rejections, the clinic profile, the end. */
  async lines(clinicId: string, bundle: BundleEntry[] = []): Promise<SnapshotLine[]> {
    const layout = new ClinicLayout(clinicId)
    const generatedAt = new Date().toISOString()
    const docs: Partial<Record<DocKey, SnapshotDocState>> = {}
    const parts: SnapshotRecords[] = []
    const priceList: PriceItem[] = []
    const rejections: Rejection[] = []
    let profile: ClinicProfile | null = null
    const root = await this.#read<RootDoc>(clinicId, layout, "root", docs, bundle)
    for (const key of Object.keys(root?.partitions ?? {})) if (isDocKey(key)) layout.add(key)
    for (const key of layout.keys()) {
      if (key === "root") continue
      const doc = await this.#read<AnyClinicDoc>(clinicId, layout, key, docs, bundle)
      if (!doc) continue
      if (doc.kind === "pricelist") priceList.push(...priceItemsOfDoc(doc))
      else if (doc.kind === "rejections") rejections.push(...rejectionsOfDoc(doc))
      else if (doc.kind === "profile") profile = profileOfDoc(doc)
      // staff: the desk reads the members from the document itself (in the bundle)
      else if (doc.kind === "staff") continue
      else {
        const part: SnapshotRecords = {
          type: "records",
          key,
          clients: [],
          patients: [],
          appointments: [],
          invoices: [],
        }
        for (const r of recordsOfDoc(doc)) {
          if (r.collection === "clients") part.clients.push(r.record)
          else if (r.collection === "patients") part.patients.push(r.record)
          else if (r.collection === "appointments") part.appointments.push(r.record)
          else part.invoices.push(r.record)
        }
        parts.push(part)
      }
    }
    return snapshotLines({ clinicId, generatedAt, docs }, parts, priceList, rejections, profile)
  }

  async #read<T extends AnyClinicDoc>(
    clinicId: string,
    layout: ClinicLayout,
    key: DocKey,
    docs: Partial<Record<DocKey, SnapshotDocState>>,
    bundle: BundleEntry[],
  ): Promise<T | undefined> {
    const docId = layout.idOf(key)
    if (this.#ownership.ownerOf(docId) !== clinicId) return undefined
    const handle = await this.#handleOf<T>(docId)
    if (!handle) return undefined
    this.#watch(clinicId, handle)
    const doc = handle.doc()
    if (!doc || (doc as { kind?: unknown }).kind === undefined) return undefined
    docs[key] = { docId, heads: [...handle.heads()] }
    bundle.push({ key, docId, bytes: A.save(doc) })
    return doc
  }

  async #handleOf<T>(docId: DocumentId): Promise<DocHandle<T> | undefined> {
    const cached = this.#repo.handles[docId] as DocHandle<T> | undefined
    if (cached?.isReady()) return cached
    // a document still arriving from a desk is left out: the desk syncs it after the snapshot anyway
    if (cached || !this.#stored.hasDocument(docId)) return undefined
    try {
      const handle = await this.#repo.find<T>(docId, { allowableStates: ["ready", "unavailable"] })
      return handle.isReady() ? handle : undefined
    } catch {
      return undefined
    }
  }
}
