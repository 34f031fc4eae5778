import * as A from "@automerge/automerge"
import {
  hasAllHeads,
  changedRecordsBetween,
  kindOfKey,
  priceItemsOfDoc,
  profileOfDoc,
  staffOfDoc,
  readRecord,
  recordsOfDoc,
  rejectionsOfDoc,
  conflictsOf,
  type AnyClinicDoc,
  type AnyRecord,
  type Collection,
  type DocKey,
  type DocKind,
  type PriceListDoc,
  type ProfileDoc,
  type RejectionsDoc,
  type RootDoc,
  type StaffDoc,
  sameHeads,
} from "@vetsync/shared"
import type { ReadModel } from "./readmodel/ReadModel.js"
import type { ClinicHandle } from "./DocStore.js"


export interface UpdateResult {
  collections: Collection[]
  /** partition keys listed by the root document */
  partitions: string[]
  priceList: boolean
  rejections: boolean
  /** the clinic's profile changed (its time zone among others) */
  profile: boolean
  /** the clinic's staff changed (members, PINs, working hours) */
  staff: boolean
}

/**
 * Keeps the read model current from the documents: only the records changed between the
 * heads the read model reflects and the document's heads (Automerge.diff) are rewritten,
 * and the new heads are stored in the same SQLite transaction (the ledger shares the read
 * model's connection).
 */
export class ReadModelUpdater {
  readonly #rm: ReadModel

  constructor(rm: ReadModel) {
    this.#rm = rm
  }

  /** True when the read model reflects heads the handle's document does not have. */
  isAhead(handle: ClinicHandle): boolean {
    if (!handle.isReady()) return false
    const recorded = this.#rm.ledger.getDocHeads(handle.documentId)
    return recorded !== undefined && recorded.length > 0 && !hasAllHeads(handle.doc(), recorded)
  }

  /**
   * Brings the read model up to the handle's document, in one transaction. Returns what changed,
   * or undefined if nothing did. A read model ahead of the document waits, unless told to rebuild
   * the document's records.
   *
   * `written`: the records a local command has just written to the document, once its change is
   * on disk. They go into the same transaction as the document's other changes, each record once,
   * and they go in even while the read model waits or has nothing else to take: staff see what
   * they saved at once.
   */
  update(
    key: DocKey,
    handle: ClinicHandle,
    opts: { rebuildIfAhead?: boolean; written?: AnyRecord[] } = {},
  ): UpdateResult | undefined {
    if (!handle.isReady()) return undefined
    const doc = handle.doc() as A.Doc<AnyClinicDoc> | undefined
    if (!doc) return undefined
    const written = opts.written ?? []
    const kind = kindOfKey(key)
    const heads = A.getHeads(doc)
    const rm = this.#rm
    const recorded = rm.ledger.getDocHeads(handle.documentId)
    const current = recorded !== undefined && sameHeads(recorded, heads)
    // the document is behind what the read model reflects (a new desk still downloading it): wait
    const ahead = !current && recorded !== undefined && recorded.length > 0 && !hasAllHeads(doc, recorded)
    const follow = !current && (!ahead || opts.rebuildIfAhead === true)
    if (!follow && written.length === 0) return undefined
    const result = emptyResult()
    rm.transaction(() => {
      const changed = follow ? this.#take(kind, doc, recorded, heads, ahead, result) : []
      this.#apply(key, doc, withoutRepeats(written, changed), result)
      if (follow) rm.ledger.setDocHeads(handle.documentId, key, heads)
    })
    return result
  }

  /**
   * Takes the document's state up to `heads` (inside update's transaction): the price list, the
   * rejections or the profile whole; for a document of records, the records to write (those
   * changed since `recorded`, or all of them when there is nothing to diff from).
   */
  #take(
    kind: DocKind | undefined,
    doc: A.Doc<AnyClinicDoc>,
    recorded: string[] | undefined,
    heads: A.Heads,
    ahead: boolean,
    result: UpdateResult,
  ): AnyRecord[] {
    const rm = this.#rm
    switch (kind) {
      case "pricelist":
        rm.replacePriceList(priceItemsOfDoc(doc as PriceListDoc))
        result.priceList = true
        return []
      case "rejections":
        rm.replaceRejections(rejectionsOfDoc(doc as RejectionsDoc))
        result.rejections = true
        return []
      case "profile":
        rm.setProfile(profileOfDoc(doc as ProfileDoc))
        result.profile = true
        return []
      case "staff":
        rm.setStaff(staffOfDoc(doc as StaffDoc))
        result.staff = true
        return []
      case "root":
        result.partitions = Object.keys((doc as RootDoc).partitions ?? {})
        return []
    }
    if (!recorded || recorded.length === 0 || ahead) return [...recordsOfDoc(doc)]
    const changed: AnyRecord[] = []
    for (const { collection, id } of changedRecordsBetween(doc, recorded, heads)) {
      const r = readRecord(doc, collection, id)
      if (r) changed.push(r)
    }
    return changed
  }

  #apply(key: DocKey, doc: A.Doc<AnyClinicDoc>, records: AnyRecord[], result: UpdateResult): void {
    const rm = this.#rm
    const reindex = new Set<string>()
    const collections = new Set<Collection>()
    for (const r of records) {
      collections.add(r.collection)
      switch (r.collection) {
        case "clients":
          rm.upsertClient(r.record)
          reindex.add(r.record.id)
          break
        case "patients":
          rm.upsertPatient(r.record)
          reindex.add(r.record.clientId)
          break
        case "appointments":
          rm.upsertAppointment(r.record, key)
          break
        case "invoices":
          rm.upsertInvoice(r.record, key)
          break
      }
      rm.setConflicts(r.collection, r.record.id, conflictsOf(doc, r.collection, r.record.id))
    }
    for (const id of reindex) rm.searchIndex.reindexClient(id)
    result.collections.push(...collections)
  }
}

/** `first`, then the records of `then` that are not in it */
const withoutRepeats = (first: AnyRecord[], then: AnyRecord[]): AnyRecord[] => {
  if (first.length === 0) return then
  const seen = new Set(first.map(r => `${r.collection}/${r.record.id}`))
  return [...first, ...then.filter(r => !seen.has(`${r.collection}/${r.record.id}`))]
}

const emptyResult = (): UpdateResult => ({
  collections: [],
  partitions: [],
  priceList: false,
  rejections: false,
  profile: false,
  staff: false,
})
