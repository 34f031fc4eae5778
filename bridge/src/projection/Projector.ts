import type * as A from "@automerge/automerge"
import type { DocHandle, DocumentId, Repo } from "@automerge/automerge-repo"
import type pg from "pg"
import {
  allShardKeys,
  docIdFor,
  isDocKey,
  kindOfKey,
  type AnyClinicDoc,
  type DocKey,
  type RootDoc,
} from "@vetsync/shared"
import { openDoc } from "../sync/openDoc.js"
import { projectDocument, type ProjectionResult } from "./projectDocument.js"
import { projectWaiting } from "./projectWaiting.js"
import type { WriteResult } from "./writeRecords.js"

interface Followed {
  clinicId: string
  key: DocKey
  handle: DocHandle<AnyClinicDoc>
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
   * Runs each document's projection; the bridge serialises it with the change-log consumer,
   * so a document snapshot is never projected while the consumer is writing newer rows into it.
   */
  exclusive?: <T>(fn: () => Promise<T>) => Promise<T>
}

const PRIORITY: Record<string, number> = { clients: 0, appointments: 1, invoices: 2 }

/**
 * Follows every document holding records of the clinics it is given (the 64 client
 * shards and the month partitions listed in each clinic's root) and projects each one
 * into PostgreSQL whenever it changes, one document at a time, parents first.
 */
export class Projector {
  readonly #o: ProjectorOptions
  readonly #followed = new Map<DocumentId, Followed>()
  readonly #clinics = new Set<string>()
  readonly #dirty = new Set<DocumentId>()
  /** clinics whose waiting records are looked at after the next pass (e.g. just followed) */
  readonly #recheck = new Set<string>()
  /** each clinic's documents followed at first and not projected yet (readiness: "looked at") */
  readonly #unseen = new Map<string, Set<DocumentId>>()
  /** clinics whose documents are still being opened */
  readonly #opening = new Set<string>()
  /** clinics whose documents were all looked at once since the start (for good: later ones do not count) */
  readonly #lookedAt = new Set<string>()
  #running: Promise<void> | undefined
  #stopped = false

  constructor(options: ProjectorOptions) {
    this.#o = options
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
    const partitions = () => Object.keys(root.doc().partitions ?? {}).filter(isDocKey)
    root.on("change", () => {
      for (const key of partitions()) void this.#follow(clinicId, key).catch(e => this.#o.onError?.(e))
    })
    await Promise.all([...allShardKeys(), ...partitions()].map(key => this.#follow(clinicId, key)))
    this.#opening.delete(clinicId)
    this.#settle(clinicId)
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
    const handle = await openDoc(this.#o.repo, clinicId, key)
    if (this.#followed.has(id)) return
    this.#followed.set(id, { clinicId, key, handle })
    if (!this.#lookedAt.has(clinicId)) this.#unseen.set(clinicId, (this.#unseen.get(clinicId) ?? new Set()).add(id))
    handle.on("change", () => this.#markDirty(id))
    this.#markDirty(id)
  }

  #markDirty(id: DocumentId): void {
    if (this.#stopped) return
    this.#dirty.add(id)
    this.#kick()
  }

  #kick(): void {
    if (this.#running || this.#stopped) return
    this.#running = this.#run().finally(() => {
      this.#running = undefined
      // changes that arrived while the last pass was publishing rejections
      if (this.#dirty.size > 0) this.#kick()
    })
  }

  get busy(): boolean {
    return this.#running !== undefined || this.#dirty.size > 0
  }

  /** Resolves when every change seen so far has been projected. */
  async drain(): Promise<void> {
    while (this.#running) await this.#running
  }

  async stop(): Promise<void> {
    this.#stopped = true
    this.#dirty.clear()
    await this.drain()
  }

  /** Marks every followed document for projection (e.g. at start, to catch up). */
  projectAll(): void {
    for (const id of this.#followed.keys()) this.#markDirty(id)
  }

  async #run(): Promise<void> {
    await new Promise(r => setImmediate(r)) // let a burst of changes arrive
    const exclusive = this.#o.exclusive ?? (<T>(fn: () => Promise<T>) => fn())
    const rejectionsChanged = new Set<string>()
    const written = new Set<string>()
    const touched = new Set(this.#recheck)
    this.#recheck.clear()
    while (this.#dirty.size > 0 && !this.#stopped) {
      const next = this.#next()
      this.#dirty.delete(next)
      const f = this.#followed.get(next)
      if (!f) continue
      try {
        const result = await exclusive(() =>
          projectDocument(this.#o.pool, {
            clinicId: f.clinicId,
            docKey: f.key,
            docId: next,
            doc: () => f.handle.doc(),
          }),
        )
        if (result.rejected > 0 || result.cleared > 0) rejectionsChanged.add(f.clinicId)
        if (result.rows > 0) written.add(f.clinicId)
        if (!result.upToDate) touched.add(f.clinicId)
        this.#unseen.get(f.clinicId)?.delete(next)
        this.#settle(f.clinicId)
        this.#o.onProjected?.(f.clinicId, result)
      } catch (e) {
        this.#o.onFailed?.(f.clinicId)
        this.#o.onError?.(e)
      }
    }
    // a record that waited for a client or patient projects once that has landed, whichever
    // document brought it (a desk's, or the web system's row through the change log)
    for (const clinicId of touched) {
      try {
        const result = await exclusive(() =>
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
    return this.#followed.get(docIdFor(clinicId, key))?.handle.doc()
  }

  #next(): DocumentId {
    let best: DocumentId | undefined
    let bestP = Infinity
    for (const id of this.#dirty) {
      const f = this.#followed.get(id)
      const p = f ? (PRIORITY[kindOfKey(f.key) ?? ""] ?? 9) : -1
      if (p < bestP) [best, bestP] = [id, p]
    }
    return best as DocumentId
  }
}
