import { profileFrom } from "@vetsync/shared"
import type {
  Client,
  ClinicProfile,
  Patient,
  PriceItem,
  Rejection,
  SnapshotHeader,
  SnapshotLine,
  SnapshotRecords,
} from "@vetsync/shared"
import type { ReadModel } from "./readmodel/ReadModel.js"

type Collection = "clients" | "patients" | "appointments" | "invoices"

/**
 * Applies a relay snapshot to the read model line by line (see SnapshotLine), each document's
 * records in a transaction of their own. A desk with no records yet (the usual new desk) inserts
 * and indexes them straight from the line; a desk that already has records (it wrote some while
 * the snapshot streamed in, or a snapshot started before was cut off) keeps whichever version of
 * each record is newer and rebuilds the search rows of the clients touched.
 */
export class SnapshotApplier {
  readonly #rm: ReadModel
  readonly #clinicId: string
  #header: SnapshotHeader | undefined
  #fresh = false
  #count = 0
  #priceList: PriceItem[] | undefined
  #rejections: Rejection[] | undefined
  #profile: ClinicProfile | null | undefined

  constructor(rm: ReadModel, clinicId: string) {
    this.#rm = rm
    this.#clinicId = clinicId
  }

  get header(): SnapshotHeader | undefined {
    return this.#header
  }

  /**
   * Applies lines in one transaction; returns the header once the end line has arrived and every
   * record is in. Fewer, larger transactions write far less: each commit rewrites every B-tree page
   * its randomly keyed rows touched.
   */
  lines(ls: SnapshotLine[]): SnapshotHeader | undefined {
    return this.#rm.transaction(() => {
      let end: SnapshotHeader | undefined
      for (const l of ls) end = this.#line(l) ?? end
      return end
    })
  }

  /** Applies one line (inside lines()'s transaction); returns the header once the end line has arrived. */
  #line(l: SnapshotLine): SnapshotHeader | undefined {
    if (l.type === "header") {
      if (this.#header) throw new Error("snapshot: a second header")
      if (l.clinicId !== this.#clinicId)
        throw new Error(`snapshot is of clinic ${l.clinicId}, expected ${this.#clinicId}`)
      const c = this.#rm.counts()
      this.#fresh = c.clients + c.patients + c.appointments + c.invoices === 0
      this.#header = l
      return undefined
    }
    const header = this.#header
    if (!header) throw new Error(`snapshot: ${l.type} before the header`)
    if (l.type === "records") this.#apply(l)
    else if (l.type === "priceList") this.#priceList = l.items
    else if (l.type === "rejections") this.#rejections = l.items
    else if (l.type === "profile") this.#profile = l.profile ? profileFrom(l.profile) : null
    else {
      if (l.records !== this.#count)
        throw new Error(`snapshot: ${this.#count} records arrived, its end line says ${l.records}`)
      return header
    }
    return undefined
  }

  /** Writes the price list, the rejections and the profile where no newer document state is in the read model (call in the final transaction). */
  finish(): void {
    const header = this.#header
    if (!header) throw new Error("snapshot: no header")
    const rm = this.#rm
    const untouched = (key: "pricelist" | "rejections" | "profile"): boolean => {
      const id = header.docs[key]?.docId
      return id !== undefined && rm.ledger.getDocHeads(id) === undefined
    }
    if (this.#priceList && untouched("pricelist")) rm.replacePriceList(this.#priceList)
    if (this.#rejections && untouched("rejections")) rm.replaceRejections(this.#rejections)
    if (this.#profile !== undefined && untouched("profile")) rm.setProfile(this.#profile)
  }

  #apply(l: SnapshotRecords): void {
    const rm = this.#rm
    this.#count += l.clients.length + l.patients.length + l.appointments.length + l.invoices.length
    if (this.#fresh) {
      for (const c of l.clients) rm.upsertClient(c)
      for (const p of l.patients) rm.upsertPatient(p)
      for (const a of l.appointments) rm.upsertAppointment(a, l.key)
      for (const i of l.invoices) rm.upsertInvoice(i, l.key)
      const pets = new Map<string, Patient[]>()
      for (const p of l.patients) if (!p.deleted) pets.set(p.clientId, [...(pets.get(p.clientId) ?? []), p])
      for (const c of l.clients) rm.searchIndex.indexNewClient(c, pets.get(c.id) ?? [])
      return
    }
    const newer = (collection: Collection, r: { id: string; updatedAt: string }): boolean => {
      const have = rm.updatedAtOf(collection, r.id)
      return have === undefined || have < r.updatedAt
    }
    const touched = new Set<string>()
    const client = (c: Client): void => {
      rm.upsertClient(c)
      touched.add(c.id)
    }
    for (const c of l.clients) if (newer("clients", c)) client(c)
    for (const p of l.patients)
      if (newer("patients", p)) {
        rm.upsertPatient(p)
        touched.add(p.clientId)
      }
    for (const a of l.appointments) if (newer("appointments", a)) rm.upsertAppointment(a, l.key)
    for (const i of l.invoices) if (newer("invoices", i)) rm.upsertInvoice(i, l.key)
    for (const id of touched) rm.searchIndex.reindexClient(id)
  }
}
