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
  recordsOfDoc,
  rejectionsOfDoc,
  type AnyClinicDoc,
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

const gzip = promisify(gzipCb)

interface CacheEntry {
  /** bumped whenever a document of the clinic changes */
  generation: number
  built?: { generation: number; gz: Buffer; bundle: Buffer; docIds: Set<string> }
  building?: { generation: number; promise: Promise<Buffer> }
}

/**
 * Builds a clinic's bootstrap snapshot (SnapshotLine per line, gzip NDJSON) from the relay's
 * documents, caches it per clinic and rebuilds it lazily once a document of the clinic
 * changed (heads-changed of every document read, plus invalidate() for incoming changes).
 */
export class SnapshotBuilder {
  readonly #repo: Repo
  readonly #ownership: DocOwnership
  readonly #hasStored: (docId: string) => boolean
  readonly #cache = new Map<string, CacheEntry>()
  readonly #watched = new Set<string>()

  constructor(repo: Repo, ownership: DocOwnership, hasStored: (docId: string) => boolean) {
    this.#repo = repo
    this.#ownership = ownership
    this.#hasStored = hasStored
  }

  /**
   * A sync frame carrying changes arrived for a document: from now on a change of its heads makes
   * the clinic's snapshot stale, and a document the snapshot left out (it was not at the relay yet)
   * makes it stale at once. Changes the relay already had (a desk's genesis) change nothing.
   */
  noteChanges(clinicId: string, docId: DocumentId): void {
    setTimeout(() => {
      const handle = this.#repo.handles[docId]
      if (!handle) return
      this.#watch(clinicId, docId, handle)
      const built = this.#cache.get(clinicId)?.built
      if (built && !built.docIds.has(docId) && handle.isReady()) this.invalidate(clinicId)
    }, 0)
  }

  #watch(clinicId: string, docId: DocumentId, handle: DocHandle<unknown>): void {
    if (this.#watched.has(docId)) return
    this.#watched.add(docId)
    handle.on("heads-changed", () => this.invalidate(clinicId))
  }

  invalidate(clinicId: string): void {
    const entry = this.#cache.get(clinicId)
    if (entry) entry.generation++
  }

  /** The gzip-compressed snapshot NDJSON of a clinic. */
  async gzipped(clinicId: string): Promise<Buffer> {
    let entry = this.#cache.get(clinicId)
    if (!entry) this.#cache.set(clinicId, (entry = { generation: 0 }))
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
    const bundle: BundleEntry[] = []
    const promise = this.lines(clinicId, bundle).then(async lines => {
      const ndjson = lines.map(l => JSON.stringify(l)).join("\n") + "\n"
      return gzip(Buffer.from(ndjson))
    })
    entry.building = { generation, promise }
    try {
      const gz = await promise
      if (!entry.built || entry.built.generation < generation)
        entry.built = { generation, gz, bundle: encodeBundle(bundle), docIds: new Set(bundle.map(b => b.docId)) }
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

  /** The snapshot's lines: the header, each document's records, the price list, rejections, the end. */
  async lines(clinicId: string, bundle: BundleEntry[] = []): Promise<SnapshotLine[]> {
    const layout = new ClinicLayout(clinicId)
    const generatedAt = new Date().toISOString()
    const docs: Partial<Record<DocKey, SnapshotDocState>> = {}
    const parts: SnapshotRecords[] = []
    const priceList: PriceItem[] = []
    const rejections: Rejection[] = []
    const root = await this.#read<RootDoc>(clinicId, layout, "root", docs, bundle)
    for (const key of Object.keys(root?.partitions ?? {})) if (isDocKey(key)) layout.add(key)
    for (const key of layout.keys()) {
      if (key === "root") continue
      const doc = await this.#read<AnyClinicDoc>(clinicId, layout, key, docs, bundle)
      if (!doc) continue
      if (doc.kind === "pricelist") priceList.push(...priceItemsOfDoc(doc))
      else if (doc.kind === "rejections") rejections.push(...rejectionsOfDoc(doc))
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
    return snapshotLines({ clinicId, generatedAt, docs }, parts, priceList, rejections)
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
    this.#watch(clinicId, docId, handle)
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
    if (cached || !this.#hasStored(docId)) return undefined
    try {
      const handle = await this.#repo.find<T>(docId, { allowableStates: ["ready", "unavailable"] })
      return handle.isReady() ? handle : undefined
    } catch {
      return undefined
    }
  }
}
