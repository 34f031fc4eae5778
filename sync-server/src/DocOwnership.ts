import { ClinicLayout, monthKeysAround, type DocKey } from "@vetsync/shared"
import { FileOwnershipStore } from "./FileOwnershipStore.js"
import type { OwnershipStore } from "./OwnershipStore.js"

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
 * first desk that sent it. Known clinics and claims persist in an OwnershipStore: one relay's
 * ownership.json (FileOwnershipStore), or PostgreSQL shared by several relays (PgOwnershipStore),
 * where the first claim stored wins and this relay takes the stored owner once it is written.
 */
export class DocOwnership {
  readonly store: OwnershipStore
  readonly #owners = new Map<string, string>()
  readonly #layoutOwner = new Map<string, { clinicId: string; key: DocKey }>()
  readonly #clinics = new Set<string>()
  #timer: NodeJS.Timeout | undefined
  #writing: Promise<void> = Promise.resolve()
  /** clinics and claims not yet in the store */
  readonly #newClinics = new Set<string>()
  readonly #newClaims = new Map<string, string>()

  private constructor(store: OwnershipStore) {
    this.store = store
  }

  /** The ownership kept in `store`, or in the JSON file of that name. */
  static async open(store: OwnershipStore | string): Promise<DocOwnership> {
    const o = new DocOwnership(typeof store === "string" ? new FileOwnershipStore(store) : store)
    await o.refresh()
    o.#newClinics.clear()
    return o
  }

  /**
   * Takes what the store holds now (for a shared store, what other relays stored too): its clinics
   * become known, and its owner of a document replaces this relay's guess.
   */
  async refresh(): Promise<void> {
    const state = await this.store.load()
    for (const clinic of state.clinics) this.#register(clinic, false)
    for (const [docId, clinicId] of Object.entries(state.owners))
      if (!this.#newClaims.has(docId)) this.#owners.set(docId, clinicId)
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
      this.#newClaims.set(docId, owner)
      this.#scheduleWrite()
    }
    return owner === clinicId
  }

  /** Makes a clinic known: its layout documents belong to it from now on (idempotent). */
  registerClinic(clinicId: string): void {
    this.#register(clinicId, true)
  }

  #register(clinicId: string, store: boolean): void {
    if (this.#clinics.has(clinicId)) return
    this.#clinics.add(clinicId)
    const layout = new ClinicLayout(clinicId)
    for (const key of monthKeysAround(new Date(), YEARS_AROUND, YEARS_AROUND)) layout.add(key)
    for (const key of layout.keys()) {
      const id = layout.idOf(key)
      if (!this.#layoutOwner.has(id)) this.#layoutOwner.set(id, { clinicId, key })
    }
    if (!store) return
    this.#newClinics.add(clinicId)
    this.#scheduleWrite()
  }

  /** Writes pending changes now. */
  async flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = undefined
    await this.#writing.catch(() => undefined)
    if (this.#newClinics.size > 0 || this.#newClaims.size > 0) await this.#write()
  }

  async close(): Promise<void> {
    await this.flush()
    await this.store.close()
  }

  #scheduleWrite(): void {
    if (this.#timer) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#write().catch(e => console.error(`[relay] writing ownership to ${this.store.where} failed:`, e))
    }, 100)
    this.#timer.unref()
  }

  #write(): Promise<void> {
    this.#writing = this.#writing
      .catch(() => undefined)
      .then(async () => {
        if (this.#newClinics.size === 0 && this.#newClaims.size === 0) return
        const clinics = [...this.#newClinics]
        const claims = new Map(this.#newClaims)
        this.#newClinics.clear()
        this.#newClaims.clear()
        try {
          const stored = await this.store.save(clinics, claims)
          // a shared store: another relay's claim that came first is the owner
          for (const [docId, clinicId] of stored) this.#owners.set(docId, clinicId)
        } catch (e) {
          for (const clinic of clinics) this.#newClinics.add(clinic)
          for (const [docId, clinicId] of claims) if (!this.#newClaims.has(docId)) this.#newClaims.set(docId, clinicId)
          throw e
        }
      })
    return this.#writing
  }
}
