import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { ClinicLayout, monthKeysAround, type DocKey } from "@vetsync/shared"

interface OwnershipFile {
  v: 1
  clinics: string[]
  owners: Record<string, string>
}

/**
 * Month partitions precomputed per known clinic: every month from YEARS_AROUND years before
 * to YEARS_AROUND years after the current year (docIdFor costs ~55 us: ~30 ms per clinic).
 */
const YEARS_AROUND = 10

/**
 * Which clinic every document belongs to (document id -> clinic id). Documents of a known
 * clinic's layout (deterministic ids: root, price list, rejections, profile, client shards and the
 * month partitions of the current year +-10) belong to that clinic by construction, so no other clinic
 * can claim them by sending them first; any other document is owned by the clinic of the
 * first desk that sent it. Known clinics and claims persist in one JSON file written
 * atomically (temporary file, fsync, rename).
 */
export class DocOwnership {
  readonly file: string
  readonly #owners = new Map<string, string>()
  readonly #layoutOwner = new Map<string, { clinicId: string; key: DocKey }>()
  readonly #clinics = new Set<string>()
  #timer: NodeJS.Timeout | undefined
  #writing: Promise<void> = Promise.resolve()
  #dirty = false

  private constructor(file: string) {
    this.file = file
  }

  static async open(file: string): Promise<DocOwnership> {
    const o = new DocOwnership(file)
    await fs.promises.mkdir(path.dirname(file), { recursive: true })
    let text: string | undefined
    try {
      text = await fs.promises.readFile(file, "utf8")
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e
    }
    if (text !== undefined) {
      const parsed = JSON.parse(text) as Partial<OwnershipFile>
      for (const clinic of parsed.clinics ?? []) o.registerClinic(clinic)
      for (const [docId, clinicId] of Object.entries(parsed.owners ?? {})) o.#owners.set(docId, clinicId)
      o.#dirty = false
    }
    return o
  }

  ownerOf(docId: string): string | undefined {
    const layout = this.#layoutOwner.get(docId)?.clinicId
    return layout !== undefined || this.strict ? layout : this.#owners.get(docId)
  }

  /** The layout key of a known clinic's document ("pricelist", "clients/3" ...), if it is one. */
  layoutKeyOf(docId: string): DocKey | undefined {
    return this.#layoutOwner.get(docId)?.key
  }

  /** Every document id that belongs to the clinic: its layout (with the month window) and the ones it claimed. */
  docsOf(clinicId: string): string[] {
    const out: string[] = []
    for (const [id, owner] of this.#layoutOwner) if (owner.clinicId === clinicId) out.push(id)
    for (const [id, owner] of this.#owners) if (owner === clinicId && !this.#layoutOwner.has(id)) out.push(id)
    return out
  }

  /** Documents the relay has seen (claimed or sent), for /health. */
  get size(): number {
    return this.#owners.size
  }

  get clinics(): string[] {
    return [...this.#clinics]
  }

  /**
   * With an authoritative registry, only layout documents of registered clinics exist: a desk
   * never claims an unknown id (which could be another clinic's predictable id, registered later).
   */
  strict = false

  /**
   * A desk of `clinicId` sent this document: records it and, when nobody owns it yet (and the
   * relay is not strict), gives it to that clinic. True when the clinic owns it afterwards.
   */
  claim(docId: string, clinicId: string): boolean {
    if (this.strict) return this.ownerOf(docId) === clinicId
    const owner = this.ownerOf(docId) ?? clinicId
    if (!this.#owners.has(docId)) {
      this.#owners.set(docId, owner)
      this.#scheduleWrite()
    }
    return owner === clinicId
  }

  /** Makes a clinic known: its layout documents belong to it from now on (idempotent). */
  registerClinic(clinicId: string): void {
    if (this.#clinics.has(clinicId)) return
    this.#clinics.add(clinicId)
    const layout = new ClinicLayout(clinicId)
    for (const key of monthKeysAround(new Date(), YEARS_AROUND, YEARS_AROUND)) layout.add(key)
    for (const key of layout.keys()) {
      const id = layout.idOf(key)
      if (!this.#layoutOwner.has(id)) this.#layoutOwner.set(id, { clinicId, key })
    }
    this.#scheduleWrite()
  }

  /** Writes pending changes now. */
  async flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = undefined
    await this.#writing.catch(() => undefined)
    if (this.#dirty) await this.#write()
  }

  async close(): Promise<void> {
    await this.flush()
  }

  #scheduleWrite(): void {
    this.#dirty = true
    if (this.#timer) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#write().catch(e => console.error(`[relay] writing ${this.file} failed:`, e))
    }, 100)
    this.#timer.unref()
  }

  #write(): Promise<void> {
    this.#writing = this.#writing
      .catch(() => undefined)
      .then(async () => {
        if (!this.#dirty) return
        this.#dirty = false
        const body: OwnershipFile = { v: 1, clinics: [...this.#clinics], owners: Object.fromEntries(this.#owners) }
        const tmp = `${this.file}.tmp-${randomBytes(6).toString("hex")}`
        const fh = await fs.promises.open(tmp, "w")
        try {
          await fh.writeFile(JSON.stringify(body))
          await fh.sync()
        } finally {
          await fh.close()
        }
        await fs.promises.rename(tmp, this.file)
      })
    return this.#writing
  }
}
