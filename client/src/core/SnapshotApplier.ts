import { nameOfBody, profileFrom, SEARCH_BODY_VERSION, searchBodiesOf, snapshotHeaderProblem } from "@vetsync/shared"
import type {
  Client,
  ClinicProfile,
  PriceItem,
  Rejection,
  SnapshotHeader,
  SnapshotLine,
  SnapshotRecords,
} from "@vetsync/shared"
import { BootstrapTimings } from "./BootstrapTimings.js"
import type { ReadModel } from "./readmodel/ReadModel.js"

type Collection = "clients" | "patients" | "appointments" | "invoices"

/**
 * Applies a relay snapshot to the read model line by line (see SnapshotLine), in the caller's
 * batches of lines. A desk with no records yet (the usual new desk) inserts and indexes them
 * straight from the line, its secondary indexes dropped until the end line builds them once; a desk that already has records (it wrote some while
 * the snapshot streamed in, or a snapshot started before was cut off) keeps whichever version of
 * each record is newer and rebuilds the search rows of the clients touched. The records of a
 * document the read model already took from the document itself (its heads are recorded: a LAN
 * peer's document, or the desk's own writes) are left to that document, which merges the relay's
 * changes in when they come: the read model takes them from it (merge, never replace).
 */
export class SnapshotApplier {
  readonly #rm: ReadModel
  readonly #clinicId: string
  readonly #timings: BootstrapTimings
  #header: SnapshotHeader | undefined
  #fresh = false
  #count = 0
  #priceList: PriceItem[] | undefined
  #rejections: Rejection[] | undefined
  #profile: ClinicProfile | null | undefined

  constructor(rm: ReadModel, clinicId: string, timings: BootstrapTimings = new BootstrapTimings()) {
    this.#rm = rm
    this.#clinicId = clinicId
    this.#timings = timings
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
      const problem = snapshotHeaderProblem(l, this.#clinicId)
      if (problem !== undefined) throw new Error(problem)
      const c = this.#rm.counts()
      this.#fresh = c.clients + c.patients + c.appointments + c.invoices === 0
      // a fresh desk loads in bulk, without secondary indexes until the end line; a desk merging
      // into what it has (a snapshot cut off before) needs them for every record it compares
      if (this.#fresh) this.#rm.dropIndexes()
      else this.#timings.time("reindexMs", () => this.#rm.restoreIndexes())
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
      this.#timings.time("reindexMs", () => this.#rm.restoreIndexes())
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
    // the read model took this document from the document itself (a LAN peer's, or the desk's own
    // writes): its records follow the document, which merges the relay's changes in when they
    // come; the snapshot's version of them would replace edits the relay has not seen yet
    const docId = this.#header?.docs[l.key]?.docId
    if (docId !== undefined && rm.ledger.getDocHeads(docId) !== undefined) return
    if (this.#fresh) {
      // the relay made each client's search body (and with it the name as the index keeps it):
      // taken as they are when made the way this desk makes them, else made here
      const bodies = l.search?.version === SEARCH_BODY_VERSION ? l.search.bodies : undefined
      if (bodies) {
        l.clients.forEach((c, i) => rm.upsertClient(c, c.deleted ? undefined : nameOfBody(bodies[i]!)))
      } else for (const c of l.clients) rm.upsertClient(c)
      for (const p of l.patients) rm.upsertPatient(p)
      for (const a of l.appointments) rm.upsertAppointment(a, l.key)
      for (const i of l.invoices) rm.upsertInvoice(i, l.key)
      // the search index's share is timed apart (the rest of lines() is inserts and commits)
      this.#timings.time("indexMs", () => {
        const made = bodies ?? searchBodiesOf(l.clients, l.patients)
        l.clients.forEach((c, i) => {
          if (!c.deleted) rm.searchIndex.indexNewClient(c.id, made[i]!)
        })
      })
      for (const c of l.conflicts ?? []) rm.setConflicts(c.collection, c.id, c.fields)
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
    // the conflicts of the records now as the snapshot has them (not of those the desk has newer)
    if (!l.conflicts) return
    const updatedAt = new Map<string, string>()
    for (const [collection, list] of [
      ["clients", l.clients],
      ["patients", l.patients],
      ["appointments", l.appointments],
      ["invoices", l.invoices],
    ] as const)
      for (const r of list) updatedAt.set(`${collection}/${r.id}`, r.updatedAt)
    for (const c of l.conflicts)
      if (rm.updatedAtOf(c.collection, c.id) === updatedAt.get(`${c.collection}/${c.id}`)) rm.setConflicts(c.collection, c.id, c.fields)
  }
}
