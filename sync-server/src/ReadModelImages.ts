import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs"
import path from "node:path"
import type { LineLog } from "@vetsync/shared/log"

/** What one build of a clinic's read-model image made. */
export interface ImageBuilt {
  /** the desk read model's schema version the image is of */
  version: number
  records: number
  /** when the snapshot it was built from was generated */
  generatedAt: string
  /** the peak resident memory of the build's own process, when it ran in one */
  peakRssBytes?: number
}

/**
 * Builds a clinic's read-model image from its snapshot (the gzip'd NDJSON a desk downloads) into
 * `out`, gzip'd, off the relay's event loop. The relay does not know the desk's read model: whoever
 * runs it supplies this (the `vetsync` command: the desk's own bulk load, in a child process).
 */
export type ImageBuild = (req: { clinicId: string; snapshotGz: Buffer; out: string }) => Promise<ImageBuilt>

export interface ReadModelImagesOptions {
  /** where the images are kept: <clinic>.sqlite.gz and <clinic>.json */
  dir: string
  build: ImageBuild
  /**
   * the clinic's snapshot, gzip'd, as it is (documents changed since are in the next: an image built
   * from it is served, or built again, as `records` says)
   */
  snapshotGz: (clinicId: string) => Promise<Buffer>
  /** the records the clinic's snapshot holds now (SnapshotBuilder.records): an image lacking many of them is not served */
  records: (clinicId: string) => Promise<number>
  /** an image older than this is built again when a desk asks for it (it is served meanwhile); default 10 min */
  maxAgeMs?: number
  /**
   * an image at least this old is built again, unasked, once the clinic's snapshot has many records
   * it lacks (refresh); default 1 min
   */
  refreshAfterMs?: number
  log: LineLog
}

export interface ImageMeta extends ImageBuilt {
  /** Date.now() when it was built */
  builtAt: number
}

const DEFAULT_MAX_AGE_MS = 10 * 60_000
const DEFAULT_REFRESH_AFTER_MS = 60_000
/**
 * An image is served while the clinic has at most this share more records than it holds (and at
 * least MIN_MISSING). A desk brings an image up to date from the documents: a record edited since is
 * rewritten from Automerge's diff, but a record added since goes through the desk's record-by-record
 * path, indexed one at a time, not in the snapshot's bulk load. An image built when the
 * clinic was empty, served after its import, would have a new desk load all of it so.
 */
const MAX_MISSING_SHARE = 0.1
const MIN_MISSING = 100

/** Whether an image of `imageRecords` is close enough to a clinic of `records` now to be served. */
export const closeEnough = (imageRecords: number, records: number): boolean =>
  records - imageRecords <= Math.max(MIN_MISSING, Math.floor(records * MAX_MISSING_SHARE))

const isMeta = (v: unknown): v is ImageMeta => {
  const m = v as Partial<ImageMeta> | null
  return (
    typeof m === "object" &&
    m !== null &&
    typeof m.version === "number" &&
    typeof m.records === "number" &&
    typeof m.generatedAt === "string" &&
    typeof m.builtAt === "number"
  )
}

/**
 * The clinics' read-model images (issue 13: a new desk searchable at once): for each clinic the
 * desk's read model as built from the relay's snapshot, which a new desk downloads and takes whole
 * instead of inserting and indexing every record itself. An image is built when a desk first asks
 * for it (that desk takes the snapshot meanwhile), and again when one asks for it after maxAgeMs; it
 * may be older than the documents, which is safe: it records the heads it reflects, and a desk
 * brings its records up to date from the documents as it does after any snapshot. Builds run one at
 * a time, whatever the number of clinics.
 */
export class ReadModelImages {
  readonly #o: ReadModelImagesOptions
  readonly #maxAgeMs: number
  readonly #refreshAfterMs: number
  readonly #meta = new Map<string, ImageMeta | null>()
  readonly #building = new Set<string>()
  #queue: Promise<void> = Promise.resolve()
  #closed = false

  constructor(o: ReadModelImagesOptions) {
    this.#o = o
    this.#maxAgeMs = o.maxAgeMs ?? DEFAULT_MAX_AGE_MS
    this.#refreshAfterMs = o.refreshAfterMs ?? DEFAULT_REFRESH_AFTER_MS
    mkdirSync(o.dir, { recursive: true })
  }

  /** The image file of a clinic (gzip'd SQLite). */
  fileOf(clinicId: string): string {
    return path.join(this.#o.dir, `${encodeURIComponent(clinicId)}.sqlite.gz`)
  }

  /**
   * The clinic's image for a desk whose read model is of `version`, if there is one of that version
   * close enough to the clinic (undefined: the desk takes the snapshot). Starts a build when there is
   * none, or it is older than maxAgeMs, or of an older version than the desk's (the builder may be
   * newer since: an upgraded relay), or it lacks many of the clinic's records (closeEnough); a desk
   * older than the image waits for nothing, it takes the snapshot.
   */
  async current(clinicId: string, version: number): Promise<ImageMeta | undefined> {
    const meta = this.#read(clinicId)
    if (!meta || meta.version < version || Date.now() - meta.builtAt > this.#maxAgeMs) this.#schedule(clinicId)
    if (!meta || meta.version !== version) return undefined
    const records = await this.#o.records(clinicId)
    // (a build may have ended meanwhile)
    const now = this.meta(clinicId, version)
    if (now && closeEnough(now.records, records)) return now
    this.#schedule(clinicId)
    this.#o.log(`read-model image of ${clinicId} not served: it holds ${now?.records ?? 0} records, the clinic ${records}`, {
      clinic: clinicId,
    })
    return undefined
  }

  /**
   * The clinic's snapshot was updated (SnapshotBuilder's onUpdated): an image the clinic has, at least
   * refreshAfterMs old, that now lacks many of its records (closeEnough) is built again, so that the
   * next new desk finds a fresh one rather than the snapshot (an import, a clinic grown since).
   */
  refresh(clinicId: string): void {
    const meta = this.#read(clinicId)
    if (!meta || this.#closed || this.#building.has(clinicId) || Date.now() - meta.builtAt < this.#refreshAfterMs) return
    this.#o
      .records(clinicId)
      .then(records => {
        if (!closeEnough(meta.records, records)) this.#schedule(clinicId)
      })
      .catch((e: unknown) => this.#o.log(`read-model image of ${clinicId}: ${(e as Error).message}`, { level: "warn", clinic: clinicId }))
  }

  /** The clinic's image of `version`, if there is one (starts nothing). */
  meta(clinicId: string, version: number): ImageMeta | undefined {
    const meta = this.#read(clinicId)
    return meta?.version === version ? meta : undefined
  }

  /** Resolves when the builds asked for so far have ended (tests, benchmarks). */
  idle(): Promise<void> {
    return this.#queue
  }

  /** Takes no more builds and waits for the one running. */
  async close(): Promise<void> {
    this.#closed = true
    await this.#queue
  }

  #metaFile(clinicId: string): string {
    return path.join(this.#o.dir, `${encodeURIComponent(clinicId)}.json`)
  }

  #read(clinicId: string): ImageMeta | undefined {
    if (!this.#meta.has(clinicId)) {
      let meta: ImageMeta | null = null
      try {
        const v: unknown = JSON.parse(readFileSync(this.#metaFile(clinicId), "utf8"))
        if (isMeta(v)) meta = v
      } catch {
        // none yet (or unreadable: built again)
      }
      this.#meta.set(clinicId, meta)
    }
    return this.#meta.get(clinicId) ?? undefined
  }

  #schedule(clinicId: string): void {
    if (this.#closed || this.#building.has(clinicId)) return
    this.#building.add(clinicId)
    this.#queue = this.#queue.then(() => this.#build(clinicId)).finally(() => this.#building.delete(clinicId))
  }

  async #build(clinicId: string): Promise<void> {
    if (this.#closed) return
    const file = this.fileOf(clinicId)
    const building = `${file}.building`
    const started = performance.now()
    try {
      const snapshotGz = await this.#o.snapshotGz(clinicId)
      const built = await this.#o.build({ clinicId, snapshotGz, out: building })
      const meta: ImageMeta = { ...built, builtAt: Date.now() }
      // the image first, then its meta: a meta names only an image that is whole on disk
      renameSync(building, file)
      writeFileSync(`${this.#metaFile(clinicId)}.tmp`, JSON.stringify(meta))
      renameSync(`${this.#metaFile(clinicId)}.tmp`, this.#metaFile(clinicId))
      this.#meta.set(clinicId, meta)
      this.#o.log(
        `read-model image of ${clinicId}: ${built.records} records in ${((performance.now() - started) / 1000).toFixed(1)} s` +
          (built.peakRssBytes ? `, its build's peak RSS ${Math.round(built.peakRssBytes / 1e6)} MB` : ""),
        { clinic: clinicId },
      )
    } catch (e) {
      rmSync(building, { force: true })
      this.#o.log(`read-model image of ${clinicId} not built: ${(e as Error).message}`, { level: "warn", clinic: clinicId })
    }
  }
}
