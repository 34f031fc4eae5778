import { docIdFor, type DocKey } from "@vetsync/shared"
import type { LineLog } from "@vetsync/shared/log"
import type { BuildQueue } from "./BuildQueue.js"
import { buildEntries, layoutOf, readEntry, snapshotBundle, snapshotGz, snapshotRecords, type EntryMaker } from "./buildSnapshot.js"
import type { ClinicDocSource } from "./ClinicDocSource.js"
import type { DocOwnership } from "./DocOwnership.js"
import { isWhole, keptEntry, withBytes, type HeldEntry, type SnapshotEntry } from "./SnapshotEntry.js"
import type { SnapshotFiles } from "./SnapshotFiles.js"
import type { UpdatePacer } from "./UpdatePacer.js"

export interface ClinicSnapshotOptions {
  clinicId: string
  ownership: DocOwnership
  source: ClinicDocSource
  stored: { chunkNames(docId: string): string[] }
  /** the Repo or the storage holds the document (without loading it) */
  present: (docId: string) => boolean
  files: SnapshotFiles | undefined
  /** makes each document's entry from its bytes (off the main thread) */
  make: EntryMaker
  /** settles once `make` can start at once (the entry worker started): not counted as an update's work */
  warm: () => Promise<void>
  queue: BuildQueue
  /** every clinic's updates take their turns through it: a share of the time, one at a time */
  pacer: UpdatePacer
  debounceMs: number
  log: LineLog
  onBuilt: (clinicId: string, seconds: number, bytes: number) => void
  onUpdated: (clinicId: string, keys: DocKey[]) => void
}

const sameChunks = (a: readonly string[], b: readonly string[]): boolean => [...a].sort().join("\n") === [...b].sort().join("\n")

/**
 * One clinic's snapshot as entries, one per document (SnapshotEntry): built once from every
 * document (or taken from disk), then kept current by updates that read again only the documents
 * marked since (debounced, then paced: UpdatePacer), each alone, and write only their entries. An
 * update reads every document marked until it starts, so edits that come while one waits its turn
 * are taken together. The snapshot and the bundle a desk downloads are assembled from the entries.
 */
export class ClinicSnapshot {
  readonly #o: ClinicSnapshotOptions
  /** whole until written to disk, then kept there (KeptEntry) */
  #entries: Map<DocKey, HeldEntry> | undefined
  #generatedAt = ""
  /** documents changed since their entry was made */
  readonly #dirty = new Set<DocKey>()
  /** documents an update is reading now */
  readonly #reading = new Set<DocKey>()
  #timer: NodeJS.Timeout | undefined
  /** the first build or an update, in the queue or running */
  #running: Promise<unknown> | undefined
  #ready: Promise<void> | undefined
  #writing: Promise<void> = Promise.resolve()
  /** a write of the entries is queued and has not started */
  #persistDue = false
  #closed = false

  constructor(o: ClinicSnapshotOptions) {
    this.#o = o
  }

  state(): "none" | "building" | "current" | "stale" {
    if (!this.#entries) return this.#ready ? "building" : "none"
    if (this.#running) return "building"
    return this.#dirty.size > 0 ? "stale" : "current"
  }

  /** The bytes of entries held in memory: those not yet on disk (all of them without a disk). */
  heldBytes(): number {
    let n = 0
    for (const e of this.#entries?.values() ?? []) if (isWhole(e)) n += e.recordsGz.length + e.saved.length
    return n
  }

  /** The heads a document's entry recorded (undefined: no entry). */
  recordedHeads(key: DocKey): string[] | undefined {
    return this.#entries?.get(key)?.heads
  }

  /** The heads of a document's entry when nothing has changed it since. */
  currentHeads(key: DocKey): string[] | undefined {
    if (!this.#entries || this.#dirty.has(key) || this.#reading.has(key)) return undefined
    return this.#entries.get(key)?.heads
  }

  /** The document changed: its entry is made again by the next update. */
  mark(key: DocKey): void {
    this.#dirty.add(key)
    // the entry worker starts (if it has not) while the update waits out its debounce
    if (this.#entries) void this.#o.warm()
    this.#schedule()
  }

  async gzipped(): Promise<Buffer> {
    const entries = await this.#whole()
    this.#schedule()
    return snapshotGz(this.#o.clinicId, entries, this.#generatedAt)
  }

  /** The records the snapshot holds now (its header's count). */
  async records(): Promise<number> {
    return snapshotRecords(this.#o.clinicId, await this.#init())
  }

  async bundle(): Promise<Buffer> {
    return snapshotBundle(this.#o.clinicId, await this.#whole())
  }

  /** Resolves once every change marked so far is in the entries, and they are kept on disk. */
  async whenCurrent(): Promise<void> {
    for (;;) {
      await this.#init()
      if (this.#dirty.size === 0 && !this.#running) {
        await this.flush()
        if (this.#dirty.size === 0 && !this.#running) return
        continue
      }
      this.#schedule()
      await (this.#running?.catch(() => undefined) ?? new Promise(r => setTimeout(r, 50)))
    }
  }

  async flush(): Promise<void> {
    await this.#writing
  }

  close(): void {
    this.#closed = true
    clearTimeout(this.#timer)
    this.#timer = undefined
  }

  async #init(): Promise<Map<DocKey, HeldEntry>> {
    try {
      await (this.#ready ??= this.#start())
    } catch (e) {
      this.#ready = undefined
      throw e
    }
    return this.#entries!
  }

  /** The kept snapshot, with the documents whose stored chunks changed since marked; else a full build. */
  async #start(): Promise<void> {
    const { clinicId, ownership, stored, log } = this.#o
    const kept = await this.#o.files?.read(clinicId).catch((e: Error) => {
      log(`kept snapshot of ${clinicId} unreadable: ${e.message}`)
      return undefined
    })
    if (kept) {
      for (const key of layoutOf(clinicId, kept.entries).keys()) {
        const id = docIdFor(clinicId, key)
        if (ownership.ownerOf(id) !== clinicId) continue
        const recorded = kept.entries.get(key)?.chunks
        if (recorded ? !sameChunks(recorded, stored.chunkNames(id)) : this.#o.present(id)) this.#dirty.add(key)
      }
      this.#entries = new Map<DocKey, HeldEntry>(kept.entries)
      this.#generatedAt = kept.generatedAt
      log(`snapshot of ${clinicId} taken from disk (${this.#dirty.size} documents changed since: updating them)`)
    } else {
      let started = 0
      const run = this.#o.queue.run(clinicId, () => {
        started = performance.now()
        return buildEntries(clinicId, ownership, this.#o.source, id => stored.chunkNames(id), this.#o.make)
      })
      this.#running = run
      try {
        const entries = await run
        this.#entries = entries
        this.#generatedAt = new Date().toISOString()
        const bytes = [...entries.values()].reduce((n, e) => n + e.recordsGz.length, 0)
        this.#o.onBuilt(clinicId, (performance.now() - started) / 1000, bytes)
        this.#persist()
      } finally {
        this.#running = undefined
      }
    }
    this.#schedule()
  }

  #schedule(): void {
    if (this.#timer || this.#closed || this.#running || !this.#entries || this.#dirty.size === 0) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      void this.#update()
    }, this.#o.debounceMs)
  }

  async #update(): Promise<void> {
    if (this.#running || this.#dirty.size === 0 || !this.#entries) return
    const { pacer, queue, clinicId } = this.#o
    // the documents marked are taken when the update starts, after its turn (see #apply)
    // the worker's start is a wait, as the queue's is: the pacer's pause follows the work alone
    const run = pacer.run(measure =>
      this.#closed
        ? Promise.resolve(undefined)
        : queue.run(clinicId, async () => {
            await this.#o.warm()
            return measure(() => this.#apply(this.#entries!))
          }),
    )
    this.#running = run
    let failed = false
    try {
      const keys = await run
      if (!keys) return
      this.#o.onUpdated(clinicId, keys)
      this.#persist()
    } catch (e) {
      failed = true
      this.#o.log(`snapshot update of ${this.#o.clinicId} failed: ${(e as Error).message}`)
    } finally {
      this.#running = undefined
      this.#reading.clear()
      // after a failure the next change or download tries again
      if (!failed) this.#schedule()
    }
  }

  /** Reads the marked documents again, one at a time, and replaces their entries; the keys read. */
  async #apply(entries: Map<DocKey, HeldEntry>): Promise<DocKey[]> {
    const { clinicId, ownership, source, stored } = this.#o
    const keys = [...this.#dirty]
    this.#dirty.clear()
    for (const k of keys) this.#reading.add(k)
    const done = new Set<DocKey>()
    const read = async (key: DocKey): Promise<void> => {
      done.add(key)
      const held = entries.get(key)
      // a kept entry's bytes are read back for the document's changes since (gone: it is read whole)
      const previous = held && (isWhole(held) ? held : await this.#o.files?.entry(clinicId, held.file))
      const e = await readEntry(clinicId, key, ownership, source, id => stored.chunkNames(id), this.#o.make, previous)
      if (e) entries.set(key, e)
      else entries.delete(key)
    }
    try {
      for (const k of keys) await read(k)
      // partitions the root names now that the snapshot does not hold yet
      if (done.has("root"))
        for (const k of layoutOf(clinicId, entries).keys())
          if (!entries.has(k) && !done.has(k) && this.#o.present(docIdFor(clinicId, k))) await read(k)
    } catch (e) {
      for (const k of keys) this.#dirty.add(k)
      throw e
    }
    this.#generatedAt = new Date().toISOString()
    return [...done]
  }

  /**
   * The entries with their bytes, a kept entry's read back from its file (withBytes). One gone from
   * disk while its entry is still held is made again from its document by the next update.
   */
  async #whole(): Promise<Map<DocKey, SnapshotEntry>> {
    const entries = await this.#init()
    const { files, clinicId } = this.#o
    const { whole, lost } = await withBytes(entries, async file => files?.entry(clinicId, file))
    if (lost.length === 0) return whole
    for (const key of lost) this.#dirty.add(key)
    this.#schedule()
    throw new Error(`snapshot of ${clinicId}: the kept entries of ${lost.join(", ")} are gone from disk; they are being made again`)
  }

  /** After a write: the entries it wrote that the snapshot still holds are kept on disk only. */
  #keep(written: ReadonlyMap<DocKey, HeldEntry>): void {
    const entries = this.#entries
    if (!entries) return
    for (const [key, e] of written)
      if (isWhole(e) && e.file !== undefined && entries.get(key) === e) entries.set(key, keptEntry({ ...e, file: e.file }))
  }

  /**
   * Keeps the entries on disk, one write after another (only entries not yet written are written).
   * At most one write waits behind the running one, and it takes the entries as they are when it
   * starts: under steady edits an update comes every debounce, faster than a write's fsyncs on a
   * busy disk, and queueing one write per update kept the relay's file system pool busy for good.
   * A write is not started while an update is changing the entries (that update persists when done).
   */
  #persist(): void {
    const files = this.#o.files
    if (!files || !this.#entries || this.#persistDue) return
    this.#persistDue = true
    this.#writing = this.#writing
      .then(() => {
        this.#persistDue = false
        const entries = this.#entries
        if (!entries || this.#running) return undefined
        const written = new Map(entries)
        return files.write(this.#o.clinicId, { generatedAt: this.#generatedAt, entries: written }).then(() => this.#keep(written))
      })
      .then(
        () => undefined,
        (e: Error) => this.#o.log(`could not keep the snapshot of ${this.#o.clinicId}: ${e.message}`),
      )
  }
}
