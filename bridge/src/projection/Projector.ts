import * as A from "@automerge/automerge"
import type { DocHandle, DocumentId, Repo } from "@automerge/automerge-repo"
import type pg from "pg"
import {
  allShardKeys,
  docIdFor,
  isDocKey,
  isLeanDoc,
  kindOfKey,
  leanDoc,
  leanLoadTarget,
  type AnyClinicDoc,
  type DocKey,
  type RootDoc,
} from "@vetsync/shared"
import { openDoc } from "../sync/openDoc.js"
import { projectDocument, projectDocuments, type DocToProject, type ProjectionResult } from "./projectDocument.js"
import { projectWaiting } from "./projectWaiting.js"
import type { WriteResult } from "./writeRecords.js"

interface Followed {
  clinicId: string
  key: DocKey
  handle: DocHandle<AnyClinicDoc>
  /** its change listener, taken off when the clinic is dropped */
  onChange: () => void
}

export interface ProjectorOptions {
  repo: Repo
  pool: pg.Pool
  /** after a document's projection committed */
  onProjected?: (clinicId: string, result: ProjectionResult) => void
  /** after the clinic's waiting records whose references landed were projected (committed) */
  onWaitingProjected?: (clinicId: string, result: WriteResult) => void
  /** a projection of the clinic's (a document's, or its waiting records') failed; onError has the error */
  onFailed?: (clinicId: string) => void
  /** the clinic's rejections table changed: republish its rejections document */
  onRejectionsChanged?: (clinicId: string) => Promise<void> | void
  onError?: (e: unknown) => void
  /**
   * Runs each of a clinic's projections; the bridge serialises them with the clinic's change-log
   * consumer (ClinicWork), so a document snapshot is never projected while the consumer is
   * writing newer rows into it. Different clinics run in parallel.
   */
  exclusive?: <T>(clinicId: string, fn: () => Promise<T>) => Promise<T>
}

const PRIORITY: Record<string, number> = { clients: 0, appointments: 1, invoices: 2 }
/** documents of one clinic projected together, in one transaction (projectDocuments) */
const MAX_BATCH_DOCS = 32

/**
 * Follows every document holding records of the clinics it is given (the 64 client
 * shards and the month partitions listed in each clinic's root) and projects each one
 * into PostgreSQL whenever it changes, parents first: a clinic's changed documents in batches,
 * each in one transaction (projectDocuments), different clinics side by side (as many at once as
 * `exclusive` lets run). A clinic can be dropped again (its bridge lease went to another bridge).
 */
export class Projector {
  readonly #o: ProjectorOptions
  readonly #followed = new Map<DocumentId, Followed>()
  readonly #clinics = new Set<string>()
  /** clinic -> its documents changed since their last projection */
  readonly #dirty = new Map<string, Set<DocumentId>>()
  /** clinics whose waiting records are looked at after the next pass (e.g. just followed) */
  readonly #recheck = new Set<string>()
  /** each clinic's documents followed at first and not projected yet (readiness: "looked at") */
  readonly #unseen = new Map<string, Set<DocumentId>>()
  /** clinics whose documents are still being opened */
  readonly #opening = new Set<string>()
  /** clinics whose documents were all looked at once since the start (for good: later ones do not count) */
  readonly #lookedAt = new Set<string>()
  /** clinic -> its pass running now */
  readonly #running = new Map<string, Promise<void>>()
  /** clinic -> its root's change listener */
  readonly #roots = new Map<string, { handle: DocHandle<RootDoc>; onChange: () => void }>()
  /** the record documents followed (or about to be): loaded lean from storage (leanLoadTarget) */
  readonly #leanIds = new Set<string>()
  #stopped = false

  constructor(options: ProjectorOptions) {
    this.#o = options
    // Record documents are kept lean (leanDoc: whole in Automerge's wasm memory, no JS copy of their
    // values): a seed-scale clinic's documents materialised held some 1.8 GB and took 50 s to load.
    // Their records are read from wasm when projected (contentsFor). The Repo's storage loads them
    // lean (patches/@automerge+automerge-repo: initDoc); one a peer sends is lean from its first sync
    // message (#follow), and any other is made lean when projected (leanOf).
    const storage = options.repo.storageSubsystem as { initDoc?: (id: string) => A.Doc<unknown> } | undefined
    if (storage) {
      const otherwise = storage.initDoc
      storage.initDoc = id => (this.#leanIds.has(id) ? leanLoadTarget() : otherwise ? otherwise(id) : A.init())
    }
  }

  get clinics(): string[] {
    return [...this.#clinics]
  }

  /**
   * Followed clinics whose documents were not all looked at since the start: still being opened,
   * or holding a document not projected yet (or whose projections failed so far).
   */
  get notLookedAt(): string[] {
    return this.clinics.filter(c => !this.#lookedAt.has(c))
  }

  /** The clinic's documents were all opened and each projected once: looked at. */
  #settle(clinicId: string): void {
    if (this.#opening.has(clinicId) || (this.#unseen.get(clinicId)?.size ?? 0) > 0) return
    this.#unseen.delete(clinicId)
    this.#lookedAt.add(clinicId)
  }

  async followClinic(clinicId: string): Promise<void> {
    if (this.#clinics.has(clinicId)) return
    this.#clinics.add(clinicId)
    this.#opening.add(clinicId)
    this.#recheck.add(clinicId)
    const root = await openDoc<RootDoc>(this.#o.repo, clinicId, "root")
    if (!this.#clinics.has(clinicId)) return // dropped meanwhile
    const partitions = () => Object.keys(root.doc().partitions ?? {}).filter(isDocKey)
    const onChange = () => {
      for (const key of partitions()) void this.#follow(clinicId, key).catch(e => this.#o.onError?.(e))
    }
    root.on("change", onChange)
    this.#roots.set(clinicId, { handle: root, onChange })
    await Promise.all([...allShardKeys(), ...partitions()].map(key => this.#follow(clinicId, key)))
    this.#opening.delete(clinicId)
    this.#settle(clinicId)
  }

  /**
   * Stops following the clinic: no more of its changes are projected, and the pass running for it
   * (if any) has finished when this resolves. Its documents stay in the repo.
   */
  async dropClinic(clinicId: string): Promise<void> {
    if (!this.#clinics.delete(clinicId)) return
    this.#opening.delete(clinicId)
    this.#recheck.delete(clinicId)
    this.#unseen.delete(clinicId)
    this.#lookedAt.delete(clinicId)
    this.#dirty.delete(clinicId)
    const root = this.#roots.get(clinicId)
    root?.handle.off("change", root.onChange)
    this.#roots.delete(clinicId)
    for (const [id, f] of this.#followed)
      if (f.clinicId === clinicId) {
        f.handle.off("change", f.onChange)
        this.#followed.delete(id)
      }
    await this.#running.get(clinicId)
  }

  /** Follows one more document of a clinic (e.g. a partition just created). */
  async follow(clinicId: string, key: DocKey): Promise<void> {
    await this.#follow(clinicId, key)
  }

  async #follow(clinicId: string, key: DocKey): Promise<void> {
    const kind = kindOfKey(key)
    if (kind !== "clients" && kind !== "appointments" && kind !== "invoices") return
    const id = docIdFor(clinicId, key)
    if (this.#followed.has(id)) return
    this.#leanIds.add(id)
    const opening = openDoc(this.#o.repo, clinicId, key)
    // its handle exists from here on: a document a peer sends is lean from its first sync message,
    // which makes no patch of every value (leanLoadTarget) when it is the document's first content
    const created = this.#o.repo.handles[id]
    if (created) created.update(d => (isLeanDoc(d) ? d : A.getHeads(d).length === 0 ? leanLoadTarget() : leanDoc(d)))
    const handle = await opening
    if (this.#followed.has(id) || !this.#clinics.has(clinicId)) return
    const onChange = () => this.#markDirty(clinicId, id)
    this.#followed.set(id, { clinicId, key, handle, onChange })
    if (!this.#lookedAt.has(clinicId)) this.#unseen.set(clinicId, (this.#unseen.get(clinicId) ?? new Set()).add(id))
    handle.on("change", onChange)
    this.#markDirty(clinicId, id)
  }

  #markDirty(clinicId: string, id: DocumentId): void {
    if (this.#stopped || !this.#clinics.has(clinicId)) return
    let dirty = this.#dirty.get(clinicId)
    if (!dirty) this.#dirty.set(clinicId, (dirty = new Set()))
    dirty.add(id)
    this.#kick(clinicId)
  }

  #kick(clinicId: string): void {
    if (this.#running.has(clinicId) || this.#stopped) return
    const run = this.#run(clinicId).finally(() => {
      this.#running.delete(clinicId)
      // changes that arrived while the last pass was publishing rejections
      if ((this.#dirty.get(clinicId)?.size ?? 0) > 0) this.#kick(clinicId)
    })
    this.#running.set(clinicId, run)
  }

  get busy(): boolean {
    return this.#running.size > 0 || [...this.#dirty.values()].some(d => d.size > 0)
  }

  /** Resolves when every change seen so far has been projected. */
  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running.values())
  }

  async stop(): Promise<void> {
    this.#stopped = true
    this.#dirty.clear()
    await this.drain()
  }

  /** Marks every followed document for projection (e.g. at start, to catch up). */
  projectAll(): void {
    for (const [id, f] of this.#followed) this.#markDirty(f.clinicId, id)
  }

  /** One pass over the clinic's changed documents, then its waiting records and rejections. */
  async #run(clinicId: string): Promise<void> {
    await new Promise(r => setImmediate(r)) // let a burst of changes arrive
    const exclusive = this.#o.exclusive ?? (<T>(_clinic: string, fn: () => Promise<T>) => fn())
    const rejectionsChanged = new Set<string>()
    const written = new Set<string>()
    const touched = new Set<string>()
    if (this.#recheck.delete(clinicId)) touched.add(clinicId)
    const projected = (d: DocToProject, result: ProjectionResult): void => {
      if (result.rejected > 0 || result.cleared > 0) rejectionsChanged.add(d.clinicId)
      if (result.rows > 0) written.add(d.clinicId)
      if (!result.upToDate) touched.add(d.clinicId)
      this.#unseen.get(d.clinicId)?.delete(d.docId as DocumentId)
      this.#settle(d.clinicId)
      this.#o.onProjected?.(d.clinicId, result)
    }
    const dirty = (): Set<DocumentId> | undefined => this.#dirty.get(clinicId)
    while ((dirty()?.size ?? 0) > 0 && !this.#stopped && this.#clinics.has(clinicId)) {
      const batch = this.#nextBatch(dirty() ?? new Set())
      if (batch.length === 0) continue
      try {
        const { projected: done, left } = await exclusive(clinicId, () => projectDocuments(this.#o.pool, batch))
        for (const d of left) dirty()?.add(d.docId as DocumentId)
        for (const { doc, result } of done) projected(doc, result)
      } catch (e) {
        if (batch.length === 1) {
          this.#failed(clinicId, e)
          continue
        }
        // one document's failure must not hold back the others: each alone, as before batching
        for (const d of batch) {
          try {
            projected(d, await exclusive(clinicId, () => projectDocument(this.#o.pool, d)))
          } catch (e1) {
            this.#failed(clinicId, e1)
          }
        }
      }
    }
    // a record that waited for a client or patient projects once that has landed, whichever
    // document brought it (a desk's, or the web system's row through the change log)
    for (const clinicId of touched) {
      if (!this.#clinics.has(clinicId)) continue
      try {
        const result = await exclusive(clinicId, () =>
          projectWaiting(this.#o.pool, clinicId, {
            docOf: key => this.#docOf(clinicId, key),
            retryConstraints: written.has(clinicId),
          }),
        )
        if (result.rejected > 0 || result.cleared > 0) rejectionsChanged.add(clinicId)
        this.#o.onWaitingProjected?.(clinicId, result)
      } catch (e) {
        this.#o.onFailed?.(clinicId)
        this.#o.onError?.(e)
      }
    }
    for (const clinicId of rejectionsChanged) {
      try {
        await this.#o.onRejectionsChanged?.(clinicId)
      } catch (e) {
        this.#o.onError?.(e)
      }
    }
  }

  /** The current version of a document of the clinic, followed from now on. */
  async #docOf(clinicId: string, key: DocKey): Promise<A.Doc<AnyClinicDoc> | undefined> {
    await this.#follow(clinicId, key)
    const f = this.#followed.get(docIdFor(clinicId, key))
    return f && leanOf(f.handle)
  }

  #failed(clinicId: string, e: unknown): void {
    this.#o.onFailed?.(clinicId)
    this.#o.onError?.(e)
  }

  /**
   * Takes the next documents of the clinic to project off its dirty set: parents first, up to
   * MAX_BATCH_DOCS of them, projected in one transaction.
   */
  #nextBatch(dirty: Set<DocumentId>): DocToProject[] {
    const ranked: { id: DocumentId; f: Followed; p: number }[] = []
    for (const id of dirty) {
      const f = this.#followed.get(id)
      if (!f) {
        dirty.delete(id)
        continue
      }
      ranked.push({ id, f, p: PRIORITY[kindOfKey(f.key) ?? ""] ?? 9 })
    }
    ranked.sort((a, b) => a.p - b.p)
    const batch = ranked.slice(0, MAX_BATCH_DOCS)
    for (const { id } of batch) dirty.delete(id)
    return batch.map(({ id, f }) => ({ clinicId: f.clinicId, docKey: f.key, docId: id, doc: () => leanOf(f.handle) }))
  }
}

/**
 * The handle's document, made lean first if it is not (one a peer sent is materialised): the same
 * heads, so automerge-repo sees no change and tells no one; every later version is lean too.
 */
const leanOf = (handle: DocHandle<AnyClinicDoc>): A.Doc<AnyClinicDoc> => {
  const doc = handle.doc()
  if (isLeanDoc(doc) || !handle.isReady()) return doc
  handle.update(d => (isLeanDoc(d) ? d : leanDoc(d)))
  return handle.doc()
}
